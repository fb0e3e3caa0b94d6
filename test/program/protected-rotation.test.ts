/**
 * Production's token is protected with its project (deleting a token revokes it), so
 * rotating it is a deliberate act: the preview refuses while protected, and lifting the
 * protection in the same update as the new rotation value rotates it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { repoRoot } from "../../scripts/lib/paths";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api } from "../helpers/engine";

const root = repoRoot();
const stackName = `protected-rotation-${process.pid}`;

describe("rotating the token of a protected Production project", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;

  const organizations = (protectProduction: boolean, rotation: string) =>
    JSON.stringify({
      main: {
        existingId: emulator.admin.organizationId,
        standardLayout: { protectProduction, tokenRotation: { production: rotation } },
      },
    });

  const productionToken = async () =>
    (
      await api(
        emulator.url,
        emulator.admin.personalApiKey,
        "GET",
        `/api/organizations/${emulator.admin.organizationId}/projects/${emulator.admin.defaultProjectId}/`,
      )
    ).body.api_token;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    run = await openOfflineStack({
      workDir: root,
      stackName,
      env: {
        POSTHOG_HOST: emulator.url,
        POSTHOG_API_KEY: emulator.admin.personalApiKey,
        POSTHOG_EMAIL: emulator.admin.email,
        POSTHOG_PASSWORD: emulator.admin.password,
      },
      config: {
        "posthog-layout:organizations": { value: organizations(true, "2026-11") },
        "posthog-layout:projects": { value: "{}" },
      },
    });
    await run.stack.up();
  });

  afterAll(async () => {
    try {
      await run?.stack.setConfig("posthog-layout:organizations", { value: organizations(false, "2026-12") });
      await run?.stack.up();
      await run?.stack.destroy();
      await run?.dispose();
    } finally {
      await emulator?.close();
      fs.rmSync(path.join(root, `Pulumi.${stackName}.yaml`), { force: true });
    }
  });

  test("a new rotation value alone is refused at preview, and nothing changes", async () => {
    const before = await productionToken();
    await run.stack.setConfig("posthog-layout:organizations", { value: organizations(true, "2026-12") });
    const preview = await run.cli(["preview"]);
    expect(preview.code).not.toBe(0);
    expect(preview.stdout + preview.stderr).toMatch(
      /unable to replace resource "[^"]*::main-production-token"\s+as it is currently marked for protection/,
    );
    expect(await productionToken()).toBe(before);
  });

  test("lifting the protection with the new rotation value rotates the token in one update", async () => {
    const before = await productionToken();
    await run.stack.setConfig("posthog-layout:organizations", { value: organizations(false, "2026-12") });
    const result = await run.stack.up();
    expect(result.summary.resourceChanges?.replace).toBe(1);
    const after = await productionToken();
    expect(after).not.toBe(before);
    const outputs = result.outputs.projects.value as Record<string, { token: string }>;
    expect(outputs["main/production"].token).toBe(after);
  });
});
