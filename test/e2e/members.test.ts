/**
 * OrganizationMember end to end: the real Pulumi engine runs test/fixtures/members-e2e
 * against posthog-local. An invite, its acceptance (the admin route stands in for the
 * person clicking the link), refresh, level changes, expiry and re-invite, removal,
 * retain, and the refusals PostHog would make, at preview.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { adminCall, api, createScaleOrganization, credentialsConfig, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "fixtures", "members-e2e");

interface InviteBody {
  id: string;
  target_email: string;
  level: number;
  is_expired: boolean;
}
interface MemberBody {
  level: number;
  user: { email: string; uuid: string };
}

describe("OrganizationMember with the real engine", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let organizationId: string;
  const key = () => emulator.admin.personalApiKey;

  const setMembers = (members: Record<string, { level?: string; retainOnDelete?: boolean }>) =>
    run.stack.setConfig("members", { value: JSON.stringify(members) });
  const invites = async () =>
    ((await api(emulator.url, key(), "GET", `/api/organizations/${organizationId}/invites/`)).body
      .results as InviteBody[]) ?? [];
  const members = async () =>
    (await api(emulator.url, key(), "GET", `/api/organizations/${organizationId}/members/`)).body
      .results as MemberBody[];
  const statuses = async () => (await run.stack.outputs()).memberStatuses?.value as Record<string, string>;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    organizationId = emulator.admin.organizationId;
    run = await openOfflineStack({
      workDir: program,
      stackName: `members-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        organizationId: { value: organizationId },
        members: { value: "{}" },
      },
    });
  });
  afterAll(() => tearDown(run, emulator));

  test("a new address is invited: status invited, one invite at the declared level", async () => {
    await setMembers({ "ada@example.com": { level: "admin" } });
    const result = await run.stack.up();
    // The stack and the member.
    expect(result.summary.resourceChanges).toEqual({ create: 2 });
    expect(await statuses()).toEqual({ "ada@example.com": "invited" });
    const pending = (await invites()).filter((i) => i.target_email === "ada@example.com");
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ level: 8, is_expired: false });
  });

  test("after the person accepts, refresh shows member and nothing is left to change", async () => {
    const [pending] = await invites();
    await adminCall(emulator.url, "POST", `/_admin/invites/${pending.id}/accept`, {
      password: "ada-password-1",
    });
    await run.stack.refresh();
    expect(
      (await run.stack.exportStack()).deployment.resources.find((r: { type: string }) =>
        r.type.endsWith(":OrganizationMember"),
      )?.outputs.status,
    ).toBe("member");
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 2 });
  });

  test("a level change PATCHes the member", async () => {
    await setMembers({ "ada@example.com": { level: "member" } });
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
    expect((await members()).find((m) => m.user.email === "ada@example.com")?.level).toBe(1);
    expect(await statuses()).toEqual({ "ada@example.com": "member" });
  });

  test("an expired invite shows as expired on refresh, and the next up invites again", async () => {
    await setMembers({ "ada@example.com": { level: "member" }, "bob@example.com": {} });
    await run.stack.up();
    const first = (await invites()).find((i) => i.target_email === "bob@example.com") as InviteBody;
    await adminCall(emulator.url, "POST", `/_admin/invites/${first.id}/expire`, {});
    await run.stack.refresh();
    expect(
      (await run.stack.exportStack()).deployment.resources.find((r: { urn: string }) =>
        r.urn.endsWith("member-bob@example.com"),
      )?.outputs.status,
    ).toBe("expired");
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
    const again = (await invites()).filter((i) => i.target_email === "bob@example.com");
    expect(again).toHaveLength(1);
    expect(again[0].id).not.toBe(first.id);
    expect(again[0].is_expired).toBe(false);
    expect((await statuses())["bob@example.com"]).toBe("invited");
  });

  test("PostHog's refusals fail the preview with PostHog's words", async () => {
    await setMembers({ "ada@example.com": { level: "member" }, "carol@example.com": { level: "owner" } });
    await expect(run.stack.preview()).rejects.toThrow(/PostHog keeps one owner per organization/);
    await setMembers({ "ada@example.com": { level: "member" }, "owner@example.com": { level: "admin" } });
    await expect(run.stack.preview()).rejects.toThrow(/You can't change your own access level\./);
    // Back to what the stack holds, so the next tests start from a plan that passes.
    await setMembers({ "ada@example.com": { level: "member" }, "bob@example.com": {} });
  });

  test("lookups read the organization (current and by slug), a project with its token as a secret, and a member", async () => {
    await run.stack.setConfig("lookups", { value: "true" });
    try {
      const result = await run.stack.up();
      expect(result.summary.resourceChanges).not.toHaveProperty("create");
      const outputs = result.outputs;
      expect(outputs.currentOrganizationId.value).toBe(organizationId);
      expect(outputs.slugOrganizationId.value).toBe(organizationId);
      expect(outputs.ownerLevel.value).toBe("owner");
      expect(outputs.defaultProjectToken.secret).toBe(true);
      expect(outputs.defaultProjectId.secret).toBe(false);
      const project = await api(
        emulator.url,
        key(),
        "GET",
        `/api/organizations/${organizationId}/projects/${String(outputs.defaultProjectId.value)}/`,
      );
      expect(project.body.name).toBe("Default project");
      expect(outputs.defaultProjectToken.value).toBe(project.body.api_token);
      await run.stack.setConfig("lookups", { value: "false" });
    } finally {
      await run.stack.setConfig("lookups", { value: "false" });
    }
  });

  test("a move preview names who loses access, as a warning on the project", async () => {
    const sourceId = await createScaleOrganization(emulator.url, key(), "Move source");
    await adminCall(emulator.url, "POST", "/_admin/users", {
      email: "dave@example.com",
      password: "dave-password-1",
    });
    await adminCall(emulator.url, "POST", `/_admin/organizations/${sourceId}/members`, {
      email: "dave@example.com",
      level: 1,
    });
    // The members stay declared: the removal test below starts from ada as a member.
    await run.stack.setConfig("projectOrganizationId", { value: sourceId });
    await run.stack.up();
    await run.stack.setConfig("projectOrganizationId", { value: organizationId });
    let text = "";
    const preview = await run.stack.preview({ onOutput: (out) => (text += out) });
    expect(preview.changeSummary).toMatchObject({ update: 1 });
    expect(text).toContain(
      'Moving project "Moving app" from "Move source" to "Test organization": 1 member of "Move source" not in "Test organization" will lose access to it: dave@example.com.',
    );
    expect(text).not.toContain("owner@example.com will lose");
    await run.stack.removeConfig("projectOrganizationId");
    await run.stack.up();
  });

  test("removing: a retained member stays, an invite is cancelled, a member without retain is removed", async () => {
    await setMembers({ "ada@example.com": { level: "member", retainOnDelete: true }, "bob@example.com": {} });
    await run.stack.up();
    await setMembers({});
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toMatchObject({ delete: 2 });
    expect((await members()).map((m) => m.user.email)).toContain("ada@example.com");
    expect((await invites()).map((i) => i.target_email)).not.toContain("bob@example.com");

    await setMembers({ "ada@example.com": { level: "member" } });
    await run.stack.up();
    await setMembers({});
    await run.stack.up();
    expect((await members()).map((m) => m.user.email)).not.toContain("ada@example.com");
  });
});
