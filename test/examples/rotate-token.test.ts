/**
 * examples/rotate-token end to end: the real Pulumi engine runs the example against
 * posthog-local, replaying dates through its `now` config. The keeper is the month, so
 * the token rotates at the first `up` of a new month and not before.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import {
  api,
  captureWithPostHogNode,
  ingestedEvents,
  stepRecorder,
  stepsFor,
  credentialsConfig,
  tearDown,
} from "../helpers/engine";

const program = path.join(__dirname, "..", "..", "examples", "rotate-token");

describe("examples/rotate-token", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let organizationId: string;
  let projectId: string;
  let novemberToken: string;

  const key = () => emulator.admin.personalApiKey;
  const liveProject = () =>
    api(emulator.url, key(), "GET", `/api/organizations/${organizationId}/projects/${projectId}/`);

  beforeAll(async () => {
    emulator = await startTestEmulator();
    organizationId = emulator.admin.organizationId;
    run = await openOfflineStack({
      workDir: program,
      stackName: `rotate-token-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        organizationId: { value: organizationId },
        now: { value: "2026-11-15" },
      },
    });
  });

  afterAll(() => tearDown(run, emulator));

  test("up on 2026-11-15 creates the project and adopts its token with keeper 2026-11", async () => {
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 3 });
    expect(result.outputs.rotation.value).toBe("2026-11");
    projectId = String(result.outputs.projectId.value);

    const project = await liveProject();
    expect(project.status).toBe(200);
    expect(project.body.name).toBe("Web");
    expect(project.body.organization).toBe(organizationId);
    expect(result.outputs.webToken.secret).toBe(true);
    expect(result.outputs.webToken.value).toBe(project.body.api_token);
    novemberToken = String(result.outputs.webToken.value);
    expect(novemberToken).toMatch(/^phc_/);
  });

  test("later in the same month (2026-11-28) nothing changes", async () => {
    await run.stack.setConfig("now", { value: "2026-11-28" });
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 3 });
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 3 });
    expect(result.outputs.rotation.value).toBe("2026-11");
    expect((await liveProject()).body.api_token).toBe(novemberToken);
  });

  test("on 2026-12-01 the token is replaced delete-first: the old one stops ingesting, the new one works", async () => {
    await run.stack.setConfig("now", { value: "2026-12-01" });
    const recorder = stepRecorder();
    const preview = await run.stack.preview({ onEvent: recorder.onEvent });
    const tokenSteps = stepsFor(recorder.steps, "web-token");
    const ops = tokenSteps.map((s) => s.op);
    expect(ops).toEqual(expect.arrayContaining(["delete-replaced", "create-replacement"]));
    expect(ops.indexOf("delete-replaced")).toBeLessThan(ops.indexOf("create-replacement"));
    // The keepers cause the replacement; the provider-computed fingerprint of the old token goes
    // with it (the new one is known only after the rotation).
    const changed = tokenSteps.find((s) => s.op === "create-replacement")?.changedInputs ?? [];
    expect(changed.filter((input) => input !== "fingerprint")).toEqual(["keepers"]);
    expect(stepsFor(recorder.steps, "web").map((s) => s.op)).toEqual(["same"]);
    expect(preview.changeSummary.replace).toBe(1);

    const text = await run.cli(["preview", "--diff"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\+-pulumi-nodejs:dynamic\/posthog:ProjectToken: \(replace\)/);
    expect(text.stdout).toContain('~ rotation: "2026-11" => "2026-12"');
    expect(text.stdout).not.toContain(novemberToken);

    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 2, replace: 1 });
    expect(result.outputs.rotation.value).toBe("2026-12");
    expect(String(result.outputs.projectId.value)).toBe(projectId);
    expect(result.outputs.webToken.secret).toBe(true);
    const decemberToken = String(result.outputs.webToken.value);
    expect(decemberToken).toMatch(/^phc_/);
    expect(decemberToken).not.toBe(novemberToken);
    expect((await liveProject()).body.api_token).toBe(decemberToken);

    const before = await ingestedEvents(emulator.url, projectId);
    await captureWithPostHogNode(emulator.url, novemberToken, 3);
    expect(await ingestedEvents(emulator.url, projectId)).toBe(before);
    await captureWithPostHogNode(emulator.url, decemberToken, 3);
    expect(await ingestedEvents(emulator.url, projectId)).toBe(before + 3);

    expect((await run.stack.preview()).changeSummary).toEqual({ same: 3 });
  });
});
