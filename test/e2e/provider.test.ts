/**
 * The provider end to end: the real Pulumi engine runs test/fixtures/provider-e2e
 * against posthog-local, through create, no-op, rename, move, rotation, out-of-band
 * delete with refresh, and destroy.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import {
  api,
  captureWithPostHogNode,
  createScaleOrganization,
  ingestedEvents,
  stepRecorder,
  stepsFor,
  credentialsConfig,
  tearDown,
} from "../helpers/engine";

const program = path.join(__dirname, "..", "fixtures", "provider-e2e");

describe("Organization, Project and ProjectToken with the real engine", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let sourceOrganizationId: string;
  let targetOrganizationId: string;
  let projectId: string;
  let managedOrganizationId: string;
  const tokensSeen: string[] = [];

  const key = () => emulator.admin.personalApiKey;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    sourceOrganizationId = emulator.admin.organizationId;
    targetOrganizationId = await createScaleOrganization(emulator.url, key(), "Move target");
    run = await openOfflineStack({
      workDir: program,
      stackName: `e2e-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        organizationName: { value: "E2E Managed Org" },
        projectOrganizationId: { value: sourceOrganizationId },
        projectName: { value: "E2E App" },
        rotation: { value: "first" },
      },
    });
  });

  // The last test destroys the stack; tearDown only removes it.
  afterAll(() => tearDown(run, emulator, { destroy: false }));

  test("up creates the organization, the project and its token", async () => {
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 4 });

    managedOrganizationId = String(result.outputs.organizationId.value);
    projectId = String(result.outputs.projectId.value);
    expect(result.outputs.projectToken.secret).toBe(true);
    expect(result.outputs.organizationSlug.value).toBe("e2e-managed-org");

    const project = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${sourceOrganizationId}/projects/${projectId}/`,
    );
    expect(project.status).toBe(200);
    expect(project.body.name).toBe("E2E App");
    expect(project.body.timezone).toBe("Europe/Berlin");
    // Creating a ProjectToken adopts the current token: no rotation.
    expect(result.outputs.projectToken.value).toBe(project.body.api_token);
    tokensSeen.push(String(project.body.api_token));

    const org = await api(emulator.url, key(), "GET", `/api/organizations/${managedOrganizationId}/`);
    expect(org.status).toBe(200);
    expect(result.outputs.defaultProjectId.value).toBe((org.body.projects as Array<{ id: number }>)[0].id);
  });

  test("a second up reports no changes", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 4 });
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 4 });
  });

  test("a rename is an in-place update", async () => {
    await run.stack.setConfig("projectName", { value: "E2E App Renamed" });
    const recorder = stepRecorder();
    await run.stack.preview({ onEvent: recorder.onEvent });
    expect(stepsFor(recorder.steps, "app").map((s) => s.op)).toEqual(["update"]);
    expect(stepsFor(recorder.steps, "app")[0].changedInputs).toEqual(["name"]);

    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 3, update: 1 });
    const project = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${sourceOrganizationId}/projects/${projectId}/`,
    );
    expect(project.body.name).toBe("E2E App Renamed");
  });

  test("changing organizationId moves the project in place, keeping id and token", async () => {
    await run.stack.setConfig("projectOrganizationId", { value: targetOrganizationId });
    const recorder = stepRecorder();
    const preview = await run.stack.preview({ onEvent: recorder.onEvent });
    const appSteps = stepsFor(recorder.steps, "app");
    expect(appSteps.map((s) => s.op)).toEqual(["update"]);
    expect(appSteps[0].changedInputs).toEqual(["organizationId"]);
    expect(preview.changeSummary.replace ?? 0).toBe(0);
    expect(preview.changeSummary.create ?? 0).toBe(0);

    const result = await run.stack.up();
    expect(result.summary.resourceChanges?.update).toBe(1);
    expect(String(result.outputs.projectId.value)).toBe(projectId);
    expect(result.outputs.projectOrganizationId.value).toBe(targetOrganizationId);

    const moved = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${targetOrganizationId}/projects/${projectId}/`,
    );
    expect(moved.status).toBe(200);
    expect(moved.body.organization).toBe(targetOrganizationId);
    expect(moved.body.api_token).toBe(tokensSeen[0]);
    expect(result.outputs.projectToken.value).toBe(tokensSeen[0]);
  });

  test("changing keepers rotates the token: the old one stops ingesting, the new one works", async () => {
    await run.stack.setConfig("rotation", { value: "second" });
    const recorder = stepRecorder();
    await run.stack.preview({ onEvent: recorder.onEvent });
    const tokenOps = stepsFor(recorder.steps, "app-token").map((s) => s.op);
    // Delete-first replacement: the old token is revoked before the new one is adopted.
    expect(tokenOps).toEqual(expect.arrayContaining(["delete-replaced", "create-replacement"]));
    expect(tokenOps.indexOf("delete-replaced")).toBeLessThan(tokenOps.indexOf("create-replacement"));
    expect(stepsFor(recorder.steps, "app").map((s) => s.op)).toEqual(["same"]);

    const result = await run.stack.up();
    const newToken = String(result.outputs.projectToken.value);
    expect(newToken).toMatch(/^phc_/);
    expect(newToken).not.toBe(tokensSeen[0]);
    const project = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${targetOrganizationId}/projects/${projectId}/`,
    );
    expect(project.body.api_token).toBe(newToken);
    tokensSeen.push(newToken);

    const before = await ingestedEvents(emulator.url, projectId);
    await captureWithPostHogNode(emulator.url, tokensSeen[0], 3);
    expect(await ingestedEvents(emulator.url, projectId)).toBe(before);
    await captureWithPostHogNode(emulator.url, newToken, 3);
    expect(await ingestedEvents(emulator.url, projectId)).toBe(before + 3);
  });

  test("the exported state holds no API key, no session secret and no token in plaintext", async () => {
    // `pulumi stack export` without --show-secrets is the state as stored: secrets are ciphertext.
    const exported = await run.cli(["stack", "export"]);
    expect(exported.code).toBe(0);
    const state = exported.stdout;
    expect(state).toContain("pulumi-nodejs:dynamic/posthog:ProjectToken");
    expect(state).not.toContain(key());
    expect(state).not.toContain(emulator.admin.password);
    for (const token of tokensSeen) expect(state).not.toContain(token);
    // The serialized provider is the thin stub, the same few hundred bytes for every resource.
    const providers = [...state.matchAll(/"__provider":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    expect(providers.length).toBeGreaterThanOrEqual(3);
    for (const text of providers) expect(text.length).toBeLessThan(2048);
  });

  test("refresh drops a project deleted outside Pulumi, and its token", async () => {
    const deleted = await api(
      emulator.url,
      key(),
      "DELETE",
      `/api/organizations/${targetOrganizationId}/projects/${projectId}/`,
    );
    expect(deleted.status).toBe(204);

    const result = await run.stack.refresh();
    expect(result.summary.resourceChanges?.delete).toBe(2);
    const state = await run.stack.exportStack();
    const names = (state.deployment.resources ?? []).map((r: { urn: string }) => r.urn.split("::").pop());
    expect(names).not.toContain("app");
    expect(names).not.toContain("app-token");
    expect(names).toContain("managed-org");
  });

  test("destroy leaves nothing of the stack on PostHog", async () => {
    const result = await run.stack.destroy();
    expect(result.summary.result).toBe("succeeded");
    expect(
      (await api(emulator.url, key(), "GET", `/api/organizations/${managedOrganizationId}/`)).status,
    ).toBe(404);
    const project = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${targetOrganizationId}/projects/${projectId}/`,
    );
    expect(project.status === 404 || project.body.is_pending_deletion === true).toBe(true);
    const state = await run.stack.exportStack();
    expect(state.deployment.resources ?? []).toHaveLength(0);
  });
});
