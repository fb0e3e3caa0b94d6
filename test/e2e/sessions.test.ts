/**
 * No session is left alive after a run (issue 10, item 3): an `up` that rotates a token logs in
 * (PostHog takes `reset_token` only in a session) and, when the engine shuts the provider down,
 * logs out, so posthog-local's live sessions are back to none.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { adminCall, api, credentialsConfig, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "fixtures", "login-e2e");

describe("sessions after a run with the real engine", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  const liveSessions = async () => (await adminCall(emulator.url, "GET", "/_admin/sessions")).count;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    run = await openOfflineStack({
      workDir: program,
      stackName: `sessions-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        projectOrganizationId: { value: emulator.admin.organizationId },
        projectName: { value: "Sessions App" },
        rotation: { value: "first" },
      },
    });
  });
  afterAll(() => tearDown(run, emulator));

  test("an up that rotates a token logs in for it and leaves no session alive", async () => {
    const created = await run.stack.up();
    expect(created.summary.resourceChanges).toEqual({ create: 3 });
    const projectId = String(created.outputs.projectId.value);
    const before = String(created.outputs.projectToken.value);

    await run.stack.setConfig("rotation", { value: "second" });
    const rotated = await run.stack.up();
    expect(rotated.summary.result).toBe("succeeded");
    const after = String(rotated.outputs.projectToken.value);
    // The rotation happened, so the provider did log in (posthog-local refuses reset_token to keys).
    expect(after).not.toBe(before);
    const project = await api(
      emulator.url,
      emulator.admin.personalApiKey,
      "GET",
      `/api/organizations/${emulator.admin.organizationId}/projects/${projectId}/`,
    );
    expect(project.body.api_token).toBe(after);

    expect(await liveSessions()).toBe(0);
  });
});
