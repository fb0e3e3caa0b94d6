/**
 * `pulumi destroy` then `pulumi up` of the same stack (common for staging) with the real engine,
 * when the projects had ingested events: PostHog keeps them pending deletion for 48 hours,
 * holding their names. The preview of the second `up` must fail naming each project, when its
 * name frees, and the way out; following it (existingProjectId) brings the same projects back.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api, captureWithPostHogNode, credentialsConfig, ingestedEvents, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "fixtures", "pending-deletion-e2e");

describe("destroy, then up again, after the projects ingested events", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  const ids: Record<string, string> = {};

  const key = () => emulator.admin.personalApiKey;
  const projectPath = (id: string) => `/api/organizations/${emulator.admin.organizationId}/projects/${id}/`;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    run = await openOfflineStack({
      workDir: program,
      stackName: `pending-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        organizationId: { value: emulator.admin.organizationId },
      },
    });
  });

  afterAll(() => tearDown(run, emulator));

  test("up creates the layout, and both projects ingest events (posthog-node)", async () => {
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ create: 5 });
    ids.Web = String(result.outputs.webId.value);
    ids.Mobile = String(result.outputs.mobileId.value);
    await captureWithPostHogNode(emulator.url, String(result.outputs.webToken.value), 2);
    await captureWithPostHogNode(emulator.url, String(result.outputs.mobileToken.value), 2);
    expect(await ingestedEvents(emulator.url, ids.Web)).toBe(2);
    expect(await ingestedEvents(emulator.url, ids.Mobile)).toBe(2);
  });

  test("destroy succeeds; PostHog keeps both projects pending deletion", async () => {
    const result = await run.stack.destroy();
    expect(result.summary.result).toBe("succeeded");
    for (const id of Object.values(ids)) {
      const project = await api(emulator.url, key(), "GET", projectPath(id));
      expect(project.status).toBe(200);
      expect(project.body.is_pending_deletion).toBe(true);
    }
  });

  test("the next preview fails naming the project that holds the name, when it frees, and existingProjectId", async () => {
    let message = "";
    await run.stack.preview().catch((err: unknown) => {
      message = String((err as Error).message);
    });
    expect(message).toContain("has a problem");
    // The engine stops at the first check failure, and the projects are checked concurrently:
    // one of them is named, with its own id.
    const named = Object.entries(ids).filter(
      ([name, id]) =>
        message.includes(`Project "${name}" (id ${id})`) && message.includes(`existingProjectId: "${id}"`),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(message).toContain("is being deleted");
    expect(message).toContain("48 hours");
    expect(message).toContain("cancels its deletion");
    // Nothing was created or adopted by the failed preview.
    for (const id of Object.values(ids)) {
      expect((await api(emulator.url, key(), "GET", projectPath(id))).body.is_pending_deletion).toBe(true);
    }
  });

  test("following the message brings the same projects back, live, with their data", async () => {
    await run.stack.setConfig("existingProjectIds", { value: JSON.stringify(ids) });
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 5 });
    expect(String(result.outputs.webId.value)).toBe(ids.Web);
    expect(String(result.outputs.mobileId.value)).toBe(ids.Mobile);
    for (const [name, id] of Object.entries(ids)) {
      const project = await api(emulator.url, key(), "GET", projectPath(id));
      expect(project.body).toMatchObject({ name, is_pending_deletion: false });
      expect(await ingestedEvents(emulator.url, id)).toBe(2);
    }
    const web = await api(emulator.url, key(), "GET", projectPath(ids.Web));
    expect(result.outputs.webToken.value).toBe(web.body.api_token);
  });
});
