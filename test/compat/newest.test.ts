/**
 * The versions new users run: a program folder that installs the packed pulumi-posthog with
 * the newest @pulumi/pulumi and the TypeScript the README names, run by the CLI of the same
 * release on Node 22 (from the npm registry's `node` package), against posthog-local:
 * create, move, rotation, refresh and destroy. The other end-to-end tests cover Node 20
 * with @pulumi/pulumi 3.248.
 *
 * The first run installs Node 22 and builds the CLI (many minutes on two cores); both are
 * cached, so later runs only reinstall a changed tarball.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  NODE_VERSION,
  NEWEST_SDK_VERSION,
  TYPESCRIPT_SPEC,
  ensureNode,
  prepareProgram,
} from "../../scripts/compat";
import { Engine, ensureEngine, NEWEST_PULUMI_VERSION } from "../../scripts/engine";
import { repoRoot } from "../../scripts/lib/paths";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import {
  api,
  createScaleOrganization,
  credentialsConfig,
  stepRecorder,
  stepsFor,
  tearDown,
} from "../helpers/engine";

const log = (line: string) => process.stderr.write(`${line}\n`);

describe(`Node ${NODE_VERSION}, @pulumi/pulumi ${NEWEST_SDK_VERSION} and the CLI ${NEWEST_PULUMI_VERSION}`, () => {
  let emulator: TestEmulator;
  let engine: Engine;
  let run: OfflineStack;
  let sourceOrganizationId: string;
  let targetOrganizationId: string;
  let managedOrganizationId: string;
  let projectId: string;
  let firstToken: string;

  const key = () => emulator.admin.personalApiKey;
  const getProject = (organizationId: string) =>
    api(emulator.url, key(), "GET", `/api/organizations/${organizationId}/projects/${projectId}/`);

  beforeAll(async () => {
    const nodeBinDir = await ensureNode(log);
    engine = await ensureEngine(log, NEWEST_PULUMI_VERSION);
    const program = await prepareProgram(nodeBinDir, log);

    emulator = await startTestEmulator();
    sourceOrganizationId = emulator.admin.organizationId;
    targetOrganizationId = await createScaleOrganization(emulator.url, key(), "Move target");
    // openOfflineStack takes its engine from here; this worker runs only this file.
    process.env.PULUMI_POSTHOG_ENGINE_DIR = engine.root;
    run = await openOfflineStack({
      workDir: program,
      stackName: `compat-${process.pid}`,
      // Node 22 first after the engine: the language host and the dynamic provider plugin run `node`.
      env: { PATH: [engine.binDir, nodeBinDir, process.env.PATH ?? ""].join(path.delimiter) },
      config: {
        ...credentialsConfig(emulator),
        organizationName: { value: "Compat Org" },
        projectOrganizationId: { value: sourceOrganizationId },
        projectName: { value: "Compat App" },
        rotation: { value: "first" },
      },
    });
    // Installing Node, building the CLI and installing the program the first time take many minutes.
  }, 3_600_000);

  // The last test destroys the stack; tearDown only removes it.
  afterAll(() => tearDown(run, emulator, { destroy: false }));

  test("the README's install line names the TypeScript this run installs", () => {
    const readme = fs.readFileSync(path.join(repoRoot(), "README.md"), "utf8");
    expect(readme).toContain(`npm install pulumi-posthog @pulumi/pulumi ${TYPESCRIPT_SPEC}`);
  });

  test("up creates the organization, the project and its token, on the newest versions", async () => {
    const cliVersion = execFileSync(path.join(engine.binDir, "pulumi"), ["version"], { encoding: "utf8" });
    expect(cliVersion.trim()).toBe(NEWEST_PULUMI_VERSION);

    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 4 });
    expect(result.outputs.nodeVersion.value).toBe(`v${NODE_VERSION}`);
    expect(result.outputs.sdkVersion.value).toBe(NEWEST_SDK_VERSION);

    managedOrganizationId = String(result.outputs.organizationId.value);
    projectId = String(result.outputs.projectId.value);
    const project = await getProject(sourceOrganizationId);
    expect(project.status).toBe(200);
    expect(project.body.name).toBe("Compat App");
    expect(result.outputs.projectToken.secret).toBe(true);
    expect(result.outputs.projectToken.value).toBe(project.body.api_token);
    firstToken = String(project.body.api_token);
    expect(
      (await api(emulator.url, key(), "GET", `/api/organizations/${managedOrganizationId}/`)).status,
    ).toBe(200);
  });

  test("changing organizationId moves the project in place, keeping id and token", async () => {
    await run.stack.setConfig("projectOrganizationId", { value: targetOrganizationId });
    const recorder = stepRecorder();
    await run.stack.preview({ onEvent: recorder.onEvent });
    expect(stepsFor(recorder.steps, "app").map((s) => s.op)).toEqual(["update"]);

    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 3, update: 1 });
    expect(String(result.outputs.projectId.value)).toBe(projectId);
    const moved = await getProject(targetOrganizationId);
    expect(moved.status).toBe(200);
    expect(moved.body.organization).toBe(targetOrganizationId);
    expect(moved.body.api_token).toBe(firstToken);
  });

  test("changing keepers rotates the token", async () => {
    await run.stack.setConfig("rotation", { value: "second" });
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    const newToken = String(result.outputs.projectToken.value);
    expect(newToken).toMatch(/^phc_/);
    expect(newToken).not.toBe(firstToken);
    expect((await getProject(targetOrganizationId)).body.api_token).toBe(newToken);
  });

  test("refresh takes in a rename made outside Pulumi, and the next up undoes it", async () => {
    const renamed = await api(
      emulator.url,
      key(),
      "PATCH",
      `/api/organizations/${targetOrganizationId}/projects/${projectId}/`,
      { name: "Renamed outside" },
    );
    expect(renamed.status).toBe(200);

    const refreshed = await run.stack.refresh();
    expect(refreshed.summary.resourceChanges?.update).toBe(1);
    const state = await run.stack.exportStack();
    const app = (state.deployment.resources ?? []).find((r: { urn: string }) => r.urn.endsWith("::app"));
    expect(app?.outputs?.name).toBe("Renamed outside");

    const result = await run.stack.up();
    expect(result.summary.resourceChanges?.update).toBe(1);
    expect((await getProject(targetOrganizationId)).body.name).toBe("Compat App");
  });

  test("destroy leaves nothing of the stack on PostHog", async () => {
    const result = await run.stack.destroy();
    expect(result.summary.result).toBe("succeeded");
    expect(
      (await api(emulator.url, key(), "GET", `/api/organizations/${managedOrganizationId}/`)).status,
    ).toBe(404);
    const project = await getProject(targetOrganizationId);
    expect(project.status === 404 || project.body.is_pending_deletion === true).toBe(true);
    const state = await run.stack.exportStack();
    expect(state.deployment.resources ?? []).toHaveLength(0);
  });
});
