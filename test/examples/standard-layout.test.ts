/**
 * examples/standard-layout end to end: the real Pulumi engine runs the example against
 * posthog-local. Three projects (Local Development, Staging, Production) in one
 * organization, Production being the organization's adopted "Default project", protected.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api, credentialsConfig, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "..", "examples", "standard-layout");

interface ListedProject {
  id: number;
  name: string;
  api_token: string;
  timezone: string;
}

describe("examples/standard-layout", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let organizationId: string;
  let outputs: Record<string, { value: unknown; secret: boolean }>;
  let destroyed = false;

  const key = () => emulator.admin.personalApiKey;
  const projectsOf = async (org: string): Promise<ListedProject[]> => {
    const listed = await api(emulator.url, key(), "GET", `/api/organizations/${org}/projects/`);
    expect(listed.status).toBe(200);
    return listed.body.results as ListedProject[];
  };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    organizationId = emulator.admin.organizationId;
    run = await openOfflineStack({
      workDir: program,
      stackName: `standard-layout-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        organizationId: { value: organizationId },
      },
    });
  });

  afterAll(async () => {
    try {
      // Production is protected: lift the protection so the stack can be destroyed.
      if (run && !destroyed) {
        await run.stack.setConfig("protectProduction", { value: "false" });
        await run.stack.up();
      }
    } finally {
      await tearDown(run, emulator, { destroy: !destroyed });
    }
  });

  test("the first preview plans three projects and three tokens, Production adopting and protected", async () => {
    const text = await run.cli(["preview", "--diff"]);
    expect(text.code).toBe(0);
    const creates = (type: string) =>
      text.stdout.split("\n").filter((line) => line.includes(`+ ${type}: (create)`)).length;
    expect(creates("pulumi-nodejs:dynamic/posthog:Project")).toBe(3);
    expect(creates("pulumi-nodejs:dynamic/posthog:ProjectToken")).toBe(3);
    expect(creates("posthog:index:StandardProjects")).toBe(1);
    // Only Local Development has settings by default (DEFAULT_ENVIRONMENT_SETTINGS).
    expect(creates("pulumi-nodejs:dynamic/posthog:ProjectSettings")).toBe(1);
    // Only Production and its token are protected (the CLI marks them with a lock), and it adopts the default project.
    const lines = text.stdout.split("\n");
    const locked = lines.flatMap((line, i) =>
      line.includes("(create) 🔒") ? [`${line.trim()} ${lines[i + 1].trim()}`] : [],
    );
    expect(locked).toHaveLength(2);
    expect(locked[0]).toMatch(
      /^\+ pulumi-nodejs:dynamic\/posthog:Project: \(create\) 🔒 \[urn=.*::acme-production\]$/,
    );
    expect(locked[1]).toMatch(
      /^\+ pulumi-nodejs:dynamic\/posthog:ProjectToken: \(create\) 🔒 \[urn=.*::acme-production-token\]$/,
    );
    const production = text.stdout.slice(text.stdout.indexOf("::acme-production]"));
    expect(production).toMatch(/^::acme-production\]\s+adoptDefaultProject: true\s+name\s+: "Production"/);
  });

  test("up creates Local Development and Staging and adopts the Default project as Production", async () => {
    const before = await projectsOf(organizationId);
    expect(before.map((p) => p.name)).toEqual(["Default project"]);

    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    // Stack, component, three projects, three tokens, Local Development's settings.
    expect(result.summary.resourceChanges).toEqual({ create: 9 });
    outputs = result.outputs;

    const projects = await projectsOf(organizationId);
    expect(projects.map((p) => p.name).sort()).toEqual(["Local Development", "Production", "Staging"]);
    expect(projects).toHaveLength(3);
    for (const project of projects) expect(project.timezone).toBe("Europe/Berlin");

    const byName = Object.fromEntries(projects.map((p) => [p.name, p]));
    const ids = outputs.projectIds.value as Record<string, string>;
    // Production is the organization's default project, renamed: same id.
    expect(String(ids.production)).toBe(String(emulator.admin.defaultProjectId));
    expect(byName["Production"].id).toBe(emulator.admin.defaultProjectId);
    expect(String(ids.staging)).toBe(String(byName["Staging"].id));
    expect(String(ids.localDevelopment)).toBe(String(byName["Local Development"].id));
    expect(new Set(Object.values(ids)).size).toBe(3);

    // Tokens are secret outputs and are the projects' current tokens (adopted, not rotated).
    expect(outputs.productionToken.secret).toBe(true);
    expect(outputs.stagingToken.secret).toBe(true);
    expect(outputs.productionToken.value).toBe(byName["Production"].api_token);
    expect(outputs.stagingToken.value).toBe(byName["Staging"].api_token);
    expect(outputs.productionToken.value).toMatch(/^phc_/);
  });

  test("a second preview reports only `same`", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 9 });
  });

  test("Production is protected: the state marks it, a destroy preview refuses, the project stays", async () => {
    const state = await run.stack.exportStack();
    const resources = state.deployment.resources as Array<{ urn: string; type: string; protect?: boolean }>;
    const protectedOf = (name: string) =>
      resources.find((r) => r.urn.endsWith(`::${name}`))?.protect === true;
    expect(protectedOf("acme-production")).toBe(true);
    expect(protectedOf("acme-production-token")).toBe(true);
    expect(protectedOf("acme-staging")).toBe(false);
    expect(protectedOf("acme-staging-token")).toBe(false);
    expect(protectedOf("acme-local-development")).toBe(false);

    const destroy = await run.cli(["destroy", "--preview-only"]);
    expect(destroy.code).not.toBe(0);
    expect(destroy.stdout).toMatch(/acme-production(-token)?" cannot be deleted\s+because it is protected/);

    const production = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${organizationId}/projects/${emulator.admin.defaultProjectId}/`,
    );
    expect(production.status).toBe(200);
    expect(production.body.name).toBe("Production");
    expect(production.body.is_pending_deletion).toBe(false);
  });

  test("a destroy without preview stops at Production and leaves its token working", async () => {
    // The Automation API destroys without a preview, so unprotected resources go first;
    // deleting a token revokes it, which is why Production's token is protected too.
    await expect(run.stack.destroy()).rejects.toThrow(/protected/);
    const production = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${organizationId}/projects/${emulator.admin.defaultProjectId}/`,
    );
    expect(production.status).toBe(200);
    expect(production.body.api_token).toBe(outputs.productionToken.value);
  });

  test("with protectProduction and retainAdopted false, destroy deletes all three projects", async () => {
    await run.stack.setConfig("protectProduction", { value: "false" });
    // Production is the adopted Default project: kept on destroy unless the program opts out.
    await run.stack.setConfig("retainAdopted", { value: "false" });
    await run.stack.up();
    const state = await run.stack.exportStack();
    const resources = state.deployment.resources as Array<{ urn: string; protect?: boolean }>;
    expect(resources.filter((r) => r.protect === true)).toEqual([]);

    const result = await run.stack.destroy();
    destroyed = true;
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges?.delete).toBe(9);
    expect(await projectsOf(organizationId)).toEqual([]);
    const production = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${organizationId}/projects/${emulator.admin.defaultProjectId}/`,
    );
    expect(production.status === 404 || production.body.is_pending_deletion === true).toBe(true);
  });
});
