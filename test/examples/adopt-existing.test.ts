/**
 * examples/adopt-existing end to end: the real Pulumi engine runs the example against
 * posthog-local. Projects that exist are adopted (same id, renamed), never recreated,
 * and the adopted token is the project's current one.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api, stepRecorder, stepsFor, credentialsConfig, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "..", "examples", "adopt-existing");

interface ListedProject {
  id: number;
  name: string;
  api_token: string;
}

describe("examples/adopt-existing", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let organizationId: string;

  const key = () => emulator.admin.personalApiKey;
  const projects = async (): Promise<ListedProject[]> => {
    const listed = await api(emulator.url, key(), "GET", `/api/organizations/${organizationId}/projects/`);
    expect(listed.status).toBe(200);
    return (listed.body.results as ListedProject[]).sort((a, b) => a.id - b.id);
  };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    organizationId = emulator.admin.organizationId;
    run = await openOfflineStack({
      workDir: program,
      stackName: `adopt-existing-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        organizationId: { value: organizationId },
      },
    });
  });

  afterAll(() => tearDown(run, emulator));

  test("up adopts the Default project as Production: same id, renamed, same token, no new project", async () => {
    const before = await projects();
    expect(before.map((p) => [p.id, p.name])).toEqual([[emulator.admin.defaultProjectId, "Default project"]]);
    const existingToken = before[0].api_token;

    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 3 });
    expect(String(result.outputs.productionId.value)).toBe(String(emulator.admin.defaultProjectId));
    expect(result.outputs.legacyId).toBeUndefined();

    const after = await projects();
    expect(after.map((p) => [p.id, p.name])).toEqual([[emulator.admin.defaultProjectId, "Production"]]);
    // Adopting the token keeps it: no rotation.
    expect(after[0].api_token).toBe(existingToken);
    expect(result.outputs.token.secret).toBe(true);
    expect(result.outputs.token.value).toBe(existingToken);
  });

  test("a second preview reports only `same`", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 3 });
  });

  test("existingProjectId adopts another existing project by id, renaming it and creating nothing", async () => {
    const created = await api(emulator.url, key(), "POST", `/api/organizations/${organizationId}/projects/`, {
      name: "Old Marketing Site",
    });
    expect(created.status).toBe(201);
    const legacyId = Number(created.body.id);
    const before = await projects();
    expect(before.map((p) => p.name)).toEqual(["Production", "Old Marketing Site"]);

    await run.stack.setConfig("existingProjectId", { value: String(legacyId) });
    const recorder = stepRecorder();
    const preview = await run.stack.preview({ onEvent: recorder.onEvent });
    expect(stepsFor(recorder.steps, "legacy").map((s) => s.op)).toEqual(["create"]);
    expect(stepsFor(recorder.steps, "production").map((s) => s.op)).toEqual(["same"]);
    expect(preview.changeSummary).toEqual({ same: 3, create: 1 });

    const text = await run.cli(["preview", "--diff"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`existingProjectId: "?${legacyId}"?`));
    expect(text.stdout).toContain('name             : "Legacy Site"');

    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 3, create: 1 });
    expect(String(result.outputs.legacyId.value)).toBe(String(legacyId));

    const after = await projects();
    expect(after.map((p) => [p.id, p.name])).toEqual([
      [emulator.admin.defaultProjectId, "Production"],
      [legacyId, "Legacy Site"],
    ]);
    expect(after.map((p) => p.api_token)).toEqual(before.map((p) => p.api_token));
    expect(result.outputs.token.value).toBe(after[0].api_token);

    expect((await run.stack.preview()).changeSummary).toEqual({ same: 4 });
  });
});
