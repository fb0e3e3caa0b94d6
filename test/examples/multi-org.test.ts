/**
 * examples/multi-org end to end: the real Pulumi engine runs the example against
 * posthog-local. Two organizations are created (free plan, one project each), each
 * adopting its "Default project"; destroy deletes both organizations.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api, credentialsConfig, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "..", "examples", "multi-org");

interface RegionOutputs {
  organizationId: string;
  slug: string;
  projectId: string;
  token: string;
}

describe("examples/multi-org", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let regions: Record<string, RegionOutputs>;
  let destroyed = false;

  const key = () => emulator.admin.personalApiKey;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    run = await openOfflineStack({
      workDir: program,
      stackName: `multi-org-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
      },
    });
  });

  afterAll(() => tearDown(run, emulator, { destroy: !destroyed }));

  test("up creates two organizations, each holding only its adopted default project", async () => {
    const before = await api(emulator.url, key(), "GET", "/api/organizations/");
    expect(before.body.count).toBe(1);

    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    // Stack, two organizations, two projects, two tokens.
    expect(result.summary.resourceChanges).toEqual({ create: 7 });
    regions = result.outputs.organizations.value as Record<string, RegionOutputs>;
    // The tokens inside the map are secrets: masked unless asked for with --show-secrets.
    const masked = await run.cli(["stack", "output", "organizations", "--json"]);
    expect(masked.code).toBe(0);
    const maskedRegions = JSON.parse(masked.stdout) as Record<string, RegionOutputs>;
    expect(maskedRegions.eu.token).toBe("[secret]");
    expect(maskedRegions.us.token).toBe("[secret]");
    expect(maskedRegions.eu.slug).toBe("acme-eu");
    expect(Object.keys(regions).sort()).toEqual(["eu", "us"]);
    expect(regions.eu.organizationId).not.toBe(regions.us.organizationId);

    for (const [region, out] of Object.entries(regions)) {
      const label = region.toUpperCase();
      const org = await api(emulator.url, key(), "GET", `/api/organizations/${out.organizationId}/`);
      expect(org.status).toBe(200);
      expect(org.body.name).toBe(`Acme ${label}`);
      expect(org.body.slug).toBe(`acme-${region}`);
      expect(out.slug).toBe(`acme-${region}`);
      expect(org.body.members_can_invite).toBe(true);
      expect(org.body.membership_level).toBe(15);
      // Created through the API: the free plan, one project, which is the renamed default project.
      expect(org.body.available_product_features).toEqual([]);
      expect(org.body.projects).toEqual([
        { id: Number(out.projectId), organization_id: out.organizationId, name: `Production ${label}` },
      ]);

      const listed = await api(
        emulator.url,
        key(),
        "GET",
        `/api/organizations/${out.organizationId}/projects/`,
      );
      expect(listed.body.count).toBe(1);
      const [project] = listed.body.results as Array<{ id: number; name: string; api_token: string }>;
      expect(String(project.id)).toBe(String(out.projectId));
      expect(project.name).toBe(`Production ${label}`);
      expect(out.token).toBe(project.api_token);
      expect(out.token).toMatch(/^phc_/);
    }
    const after = await api(emulator.url, key(), "GET", "/api/organizations/");
    expect(after.body.count).toBe(3);
  });

  test("a second preview reports only `same`", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 7 });
  });

  test("destroy deletes both organizations", async () => {
    const result = await run.stack.destroy();
    destroyed = true;
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges?.delete).toBe(7);
    for (const out of Object.values(regions)) {
      expect(
        (await api(emulator.url, key(), "GET", `/api/organizations/${out.organizationId}/`)).status,
      ).toBe(404);
    }
    const remaining = await api(emulator.url, key(), "GET", "/api/organizations/");
    expect((remaining.body.results as Array<{ id: string }>).map((o) => o.id)).toEqual([
      emulator.admin.organizationId,
    ]);
  });
});
