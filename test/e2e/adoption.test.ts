/**
 * Adopting is safer than deleting (issue 14, item 4) with the real engine against
 * posthog-local: a Project that adopts the organization's Default project, and the
 * ProjectToken of that project, are kept by `pulumi destroy` (the sdk defaults them to
 * `retainOnDelete`, as `pulumi import` protects what it imports), the destroy preview
 * says so, and the token still ingests afterwards. A program that opts out
 * (`retainOnDelete: false`) has destroy delete them as before.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import {
  api,
  captureWithPostHogNode,
  createScaleOrganization,
  credentialsConfig,
  ingestedEvents,
  tearDown,
} from "../helpers/engine";

const program = path.join(__dirname, "..", "fixtures", "adoption");

describe("adopted resources survive destroy unless the program opts out", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;

  const key = () => emulator.admin.personalApiKey;
  const project = (organizationId: string, id: string | number) =>
    api(emulator.url, key(), "GET", `/api/organizations/${organizationId}/projects/${id}/`);

  beforeAll(async () => {
    emulator = await startTestEmulator();
    run = await openOfflineStack({
      workDir: program,
      stackName: `adoption-${process.pid}`,
      config: { ...credentialsConfig(emulator), organizationId: { value: emulator.admin.organizationId } },
    });
  });

  afterAll(() => tearDown(run, emulator));

  test("up adopts the Default project and its current token", async () => {
    const before = await project(emulator.admin.organizationId, emulator.admin.defaultProjectId);
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(String(result.outputs.projectId.value)).toBe(String(emulator.admin.defaultProjectId));
    expect(result.outputs.projectToken.value).toBe(before.body.api_token);
    const state = await run.stack.exportStack();
    const retained = (state.deployment.resources as Array<{ urn: string; retainOnDelete?: boolean }>)
      .filter((resource) => resource.retainOnDelete === true)
      .map((resource) => resource.urn.split("::").pop());
    expect(retained.sort()).toEqual(["adopted", "adopted-token"]);
  });

  test("the destroy preview marks the project and the token [retain]", async () => {
    const preview = await run.cli(["destroy", "--preview-only", "--color", "never"]);
    expect(preview.code).toBe(0);
    const lines = preview.stdout.split("\n").filter((line) => line.includes("[retain]"));
    expect(lines).toHaveLength(2);
    expect(lines.join("\n")).toMatch(/posthog:Project\s+adopted\s+delete\[retain\]/);
    expect(lines.join("\n")).toMatch(/posthog:ProjectToken\s+adopted-token\s+delete\[retain\]/);
  });

  test("destroy forgets them: the project, its name and its token stay, and the token ingests", async () => {
    const token = String((await run.stack.outputs()).projectToken.value);
    const result = await run.stack.destroy();
    expect(result.summary.result).toBe("succeeded");
    // The project, the token and the stack itself.
    expect(result.summary.resourceChanges?.delete).toBe(3);
    expect((await run.stack.exportStack()).deployment.resources ?? []).toEqual([]);

    const kept = await project(emulator.admin.organizationId, emulator.admin.defaultProjectId);
    expect(kept.status).toBe(200);
    expect(kept.body.is_pending_deletion ?? false).toBe(false);
    expect(kept.body.name).toBe("Adopted Production");
    expect(kept.body.api_token).toBe(token);
    const before = await ingestedEvents(emulator.url, emulator.admin.defaultProjectId);
    await captureWithPostHogNode(emulator.url, token, 3);
    expect(await ingestedEvents(emulator.url, emulator.admin.defaultProjectId)).toBe(before + 3);
  });

  test("with retainOnDelete false (config deleteAdopted), destroy deletes the adopted project", async () => {
    const organizationId = await createScaleOrganization(emulator.url, key(), "Opted Out");
    await run.stack.setConfig("organizationId", { value: organizationId });
    await run.stack.setConfig("deleteAdopted", { value: "true" });
    const up = await run.stack.up();
    const projectId = String(up.outputs.projectId.value);
    expect((await project(organizationId, projectId)).status).toBe(200);

    const preview = await run.cli(["destroy", "--preview-only", "--color", "never"]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).not.toContain("[retain]");
    const result = await run.stack.destroy();
    expect(result.summary.resourceChanges?.delete).toBe(3);
    const gone = await project(organizationId, projectId);
    expect(gone.status === 404 || gone.body.is_pending_deletion === true).toBe(true);
  });
});
