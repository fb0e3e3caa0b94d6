import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { PULUMI_VERSION } from "../../scripts/engine";

const program = path.join(__dirname, "..", "fixtures", "smoke");

describe("the real Pulumi engine, offline", () => {
  let run: OfflineStack;

  beforeAll(async () => {
    run = await openOfflineStack({ workDir: program, stackName: "smoke" });
  });

  afterAll(async () => {
    await run?.dispose();
  });

  test("is the pinned CLI version", () => {
    const printed = execFileSync(path.join(run.engine.binDir, "pulumi"), ["version"], {
      encoding: "utf8",
    }).trim();
    expect(printed).toBe(PULUMI_VERSION);
  });

  test("up creates the dynamic resource and exports its output", async () => {
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 2 });
    expect(result.outputs.length.value).toBe(5);
  });

  test("a preview after up reports no changes", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 2 });
  });

  test("destroy removes every resource", async () => {
    const result = await run.stack.destroy();
    expect(result.summary.resourceChanges).toEqual({ delete: 2 });
    const state = await run.stack.exportStack();
    expect(state.deployment.resources ?? []).toHaveLength(0);
  });
});
