/**
 * ProjectSettings end to end: the real Pulumi engine runs test/fixtures/settings-e2e against
 * posthog-local. Setting only the given settings, drift at refresh put back by the next `up`, a
 * plan-gated setting PostHog ignores reported by name in `pulumi up`'s own output, and removing
 * the resource leaving the values as they are.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { adminCall, api, createScaleOrganization, credentialsConfig, tearDown } from "../helpers/engine";
import { FALLBACK_PREFIX } from "../../provider/engine-log";

const program = path.join(__dirname, "..", "fixtures", "settings-e2e");

describe("ProjectSettings with the real engine", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let organizationId: string;
  let projectId: string;
  const key = () => emulator.admin.personalApiKey;
  const environment = async () =>
    (await api(emulator.url, key(), "GET", `/api/environments/${projectId}/`)).body as Record<
      string,
      unknown
    >;
  const setSettings = (settings: Record<string, unknown>) =>
    run.stack.setConfig("settings", { value: JSON.stringify(settings) });
  const base = { appUrls: ["http://localhost:3000"], sessionRecordingOptIn: false, heatmapsOptIn: true };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    organizationId = await createScaleOrganization(emulator.url, key(), "Settings e2e");
    run = await openOfflineStack({
      workDir: program,
      stackName: `settings-${process.pid}`,
      config: { ...credentialsConfig(emulator), organizationId: { value: organizationId } },
    });
  });
  afterAll(() => tearDown(run, emulator));

  test("up sets the given settings and leaves the others", async () => {
    await setSettings(base);
    const result = await run.stack.up();
    // The stack itself, the project and its settings.
    expect(result.summary.resourceChanges).toEqual({ create: 3 });
    projectId = String(result.outputs.projectId.value);
    expect(result.outputs.appUrls.value).toEqual(["http://localhost:3000"]);
    const live = await environment();
    expect(live.app_urls).toEqual(["http://localhost:3000"]);
    expect(live.session_recording_opt_in).toBe(false);
    expect(live.heatmaps_opt_in).toBe(true);
    expect(live.surveys_opt_in).toBeNull(); // not given: PostHog's default stays
  });

  test("a managed setting changed elsewhere shows at refresh, and the next up sets it back", async () => {
    await api(emulator.url, key(), "PATCH", `/api/environments/${projectId}/`, {
      heatmaps_opt_in: false,
      surveys_opt_in: true,
    });
    const refreshed = await run.stack.refresh();
    expect(refreshed.summary.result).toBe("succeeded");
    const preview = await run.stack.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
    expect(preview.stdout).toContain("heatmapsOptIn");

    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    const live = await environment();
    expect(live.heatmaps_opt_in).toBe(true);
    expect(live.surveys_opt_in).toBe(true); // unmanaged: the change made elsewhere stays
  });

  test("a plan-gated setting PostHog ignores is reported by name in up's output", async () => {
    await adminCall(emulator.url, "PUT", `/_admin/organizations/${organizationId}/plan`, { plan: "free" });
    await setSettings({ ...base, sessionRecordingMinimumDurationMilliseconds: 2000 });
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    // The engine's own warning (sent to its Log service), not the provider's stderr fallback.
    expect(result.stdout).toMatch(/warning: ProjectSettings of Project \d+: PostHog accepted but ignored/);
    expect(result.stdout).not.toContain(FALLBACK_PREFIX);
    expect(result.stdout).toContain("sessionRecordingMinimumDurationMilliseconds (asked 2000, kept null)");
    expect(result.stdout).not.toContain("ignored heatmapsOptIn");
    expect((await environment()).session_recording_minimum_duration_milliseconds).toBeNull();
  });

  test("removing the resource stops managing the settings and leaves their values", async () => {
    await run.stack.removeConfig("settings");
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 2, delete: 1 });
    const live = await environment();
    expect(live.app_urls).toEqual(["http://localhost:3000"]);
    expect(live.heatmaps_opt_in).toBe(true);
    expect(live.session_recording_opt_in).toBe(false);
  });
});
