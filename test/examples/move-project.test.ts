/**
 * examples/move-project end to end: the real Pulumi engine runs the example against
 * posthog-local. Changing `organizationId` moves the project in place (same id, same
 * token); moves PostHog would refuse fail at preview with the rule in the message.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import {
  api,
  createScaleOrganization,
  stepRecorder,
  stepsFor,
  credentialsConfig,
  adminCall,
  tearDown,
} from "../helpers/engine";

const program = path.join(__dirname, "..", "..", "examples", "move-project");

describe("examples/move-project", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let orgA: string;
  let orgB: string;
  let projectId: string;
  let token: string;

  const key = () => emulator.admin.personalApiKey;
  const projectIn = (org: string) =>
    api(emulator.url, key(), "GET", `/api/organizations/${org}/projects/${projectId}/`);
  const projectNames = async (org: string) => {
    const listed = await api(emulator.url, key(), "GET", `/api/organizations/${org}/projects/`);
    return (listed.body.results as Array<{ name: string }>).map((p) => p.name).sort();
  };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    orgA = emulator.admin.organizationId;
    orgB = await createScaleOrganization(emulator.url, key(), "Org B");
    run = await openOfflineStack({
      workDir: program,
      stackName: `move-project-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        organizationId: { value: orgA },
      },
    });
  });

  afterAll(() => tearDown(run, emulator));

  test("up creates the project and adopts its token in organization A", async () => {
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 3 });
    projectId = String(result.outputs.projectId.value);
    expect(result.outputs.organizationId.value).toBe(orgA);

    const project = await projectIn(orgA);
    expect(project.status).toBe(200);
    expect(project.body.name).toBe("Mobile App");
    expect(project.body.organization).toBe(orgA);
    expect(project.body.timezone).toBe("UTC");
    expect(result.outputs.projectToken.secret).toBe(true);
    expect(result.outputs.projectToken.value).toBe(project.body.api_token);
    token = String(project.body.api_token);
    expect(await projectNames(orgA)).toEqual(["Default project", "Mobile App"]);
  });

  test("a second preview reports only `same`", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 3 });
  });

  test("a new organizationId previews as an in-place update of organizationId, then moves the project", async () => {
    await run.stack.setConfig("organizationId", { value: orgB });
    const recorder = stepRecorder();
    const preview = await run.stack.preview({ onEvent: recorder.onEvent });
    const projectSteps = stepsFor(recorder.steps, "mobile-app");
    expect(projectSteps.map((s) => s.op)).toEqual(["update"]);
    expect(projectSteps[0].changedInputs).toEqual(["organizationId"]);
    expect(stepsFor(recorder.steps, "mobile-app-token").map((s) => s.op)).toEqual(["same"]);
    expect(preview.changeSummary).toEqual({ same: 2, update: 1 });

    const text = await run.cli(["preview", "--diff"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`~ organizationId: "${orgA}" => "${orgB}"`);
    expect(text.stdout).not.toContain("(replace)");
    expect(text.stdout).not.toContain(token);

    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(String(result.outputs.projectId.value)).toBe(projectId);
    expect(result.outputs.organizationId.value).toBe(orgB);
    expect(result.outputs.projectToken.value).toBe(token);

    const moved = await projectIn(orgB);
    expect(moved.status).toBe(200);
    expect(moved.body.organization).toBe(orgB);
    expect(moved.body.name).toBe("Mobile App");
    expect(moved.body.api_token).toBe(token);
    expect((await projectIn(orgA)).status).toBe(404);
    expect(await projectNames(orgA)).toEqual(["Default project"]);
    expect(await projectNames(orgB)).toEqual(["Default project", "Mobile App"]);

    expect((await run.stack.preview()).changeSummary).toEqual({ same: 3 });
  });

  test("a move into an organization where the caller is only a member fails the preview", async () => {
    // Another user owns organization C; the example's user is a plain member there.
    await adminCall(emulator.url, "POST", "/_admin/users", {
      email: "carol@example.com",
      password: "carol-password-123",
    });
    const carol = await adminCall(emulator.url, "POST", "/_admin/personal_api_keys", {
      email: "carol@example.com",
      scopes: ["*"],
    });
    const created = await api(emulator.url, String(carol.key), "POST", "/api/organizations/", {
      name: "Org C",
    });
    expect(created.status).toBe(201);
    const orgC = String(created.body.id);
    await adminCall(emulator.url, "PUT", `/_admin/organizations/${orgC}/plan`, { plan: "scale" });
    await adminCall(emulator.url, "POST", `/_admin/organizations/${orgC}/members`, {
      email: emulator.admin.email,
      level: 1,
    });

    await run.stack.setConfig("organizationId", { value: orgC });
    const text = await run.cli(["preview", "--diff"]);
    expect(text.code).not.toBe(0);
    expect(text.stderr).toContain(
      `Project resource 'mobile-app': property organizationId value {${orgC}} has a problem: ` +
        'You must be an admin of both the source and target organizations to move a project. (Your level: owner in "Org B", member in "Org C".)',
    );
    expect((await projectIn(orgB)).body.organization).toBe(orgB);
  });

  test("a move out of an organization left with one project fails the preview", async () => {
    // Organization B's own default project goes away: the example's project is B's only one.
    const defaults = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${orgB}/projects/?search=Default`,
    );
    const [defaultProject] = defaults.body.results as Array<{ id: number }>;
    expect(
      (await api(emulator.url, key(), "DELETE", `/api/organizations/${orgB}/projects/${defaultProject.id}/`))
        .status,
    ).toBe(204);

    await run.stack.setConfig("organizationId", { value: orgA });
    const text = await run.cli(["preview", "--diff"]);
    expect(text.code).not.toBe(0);
    expect(text.stderr).toContain(
      `Project resource 'mobile-app': property organizationId value {${orgA}} has a problem: ` +
        'The originating organization must have at least two projects before you can move one. (Organization "Org B" has 1.)',
    );
    // Nothing moved.
    expect((await projectIn(orgB)).body.organization).toBe(orgB);
    expect(await projectNames(orgA)).toEqual(["Default project"]);

    await run.stack.setConfig("organizationId", { value: orgB });
    expect((await run.stack.preview()).changeSummary).toEqual({ same: 3 });
  });
});
