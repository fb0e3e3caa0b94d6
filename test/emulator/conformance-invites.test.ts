import { adminOf, emulatorOnly, startTarget, type Target } from "./support/target";
import { call, errorBody, type KeyClient, uniqueName } from "./support/http";
import type { Member, Organization, Page } from "./support/shapes";

interface Invite {
  id: string;
  target_email: string;
  first_name: string;
  level: number;
  is_expired: boolean;
  emailing_attempt_made: boolean;
  created_by: { email: string } | null;
  message: string | null;
  private_project_access: unknown[];
}

const DENIED = (detail: string) => errorBody("authentication_error", "permission_denied", detail);

let target: Target;
let owner: KeyClient;
let organization: Organization;

beforeAll(async () => {
  target = await startTarget();
  owner = target.owner;
  const res = await owner.post("/api/organizations/", { name: uniqueName("Invites") });
  expect(res.status).toBe(201);
  organization = res.json<Organization>();
  target.track("organization", organization.id);
});
afterAll(() => target.close());

const invitesPath = () => `/api/organizations/${organization.id}/invites/`;
const address = () =>
  `invitee-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@Example.COM`;

async function invite(body: Record<string, unknown>, client = owner): Promise<Invite> {
  const res = await client.post(invitesPath(), { send_email: false, ...body });
  expect(res.status).toBe(201);
  return res.json<Invite>();
}

async function listInvites(): Promise<Invite[]> {
  const res = await owner.get(invitesPath());
  expect(res.status).toBe(200);
  return res.json<Page<Invite>>().results;
}

describe("invites", () => {
  test("create is 201 with PostHog's fields; the domain is lowercased, the local part kept", async () => {
    const email = address();
    const created = await invite({ target_email: email, first_name: "Ada", level: 8 });
    expect(created).toMatchObject({
      target_email: email.replace("@Example.COM", "@example.com"),
      first_name: "Ada",
      level: 8,
      is_expired: false,
      message: null,
    });
    expect(created.created_by?.email).toBeTruthy();
    expect(created).not.toHaveProperty("send_email");
    expect((await listInvites()).map((i) => i.id)).toContain(created.id);
  });

  test("a second invite to the same address replaces the first", async () => {
    const email = address();
    const first = await invite({ target_email: email, level: 1 });
    const second = await invite({ target_email: email, level: 8 });
    const mine = (await listInvites()).filter((i) => i.target_email === second.target_email);
    expect(mine.map((i) => i.id)).toEqual([second.id]);
    expect(mine[0].level).toBe(8);
    expect(second.id).not.toBe(first.id);
  });

  test("target_email is required and must be an address; level must be a choice", async () => {
    const missing = await owner.post(invitesPath(), { level: 1 });
    expect(missing.status).toBe(400);
    expect(missing.json()).toEqual(
      errorBody("validation_error", "required", "This field is required.", "target_email"),
    );
    const bad = await owner.post(invitesPath(), { target_email: "not-an-address" });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ attr: "target_email", detail: "Enter a valid email address." });
    const level = await owner.post(invitesPath(), { target_email: address(), level: 3 });
    expect(level.status).toBe(400);
    expect(level.json()).toMatchObject({ attr: "level", detail: '"3" is not a valid choice.' });
  });

  test("an existing member cannot be invited", async () => {
    const me = (await owner.get("/api/users/@me/")).json<{ email: string }>();
    const res = await owner.post(invitesPath(), { target_email: me.email });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      type: "validation_error",
      detail: "A user with this email address already belongs to the organization.",
    });
  });

  test("delete is 204, a second delete 404", async () => {
    const created = await invite({ target_email: address() });
    expect((await owner.delete(`${invitesPath()}${created.id}/`)).status).toBe(204);
    expect((await owner.delete(`${invitesPath()}${created.id}/`)).status).toBe(404);
    expect((await listInvites()).map((i) => i.id)).not.toContain(created.id);
  });

  emulatorOnly("nobody invites above their own level; members cannot cancel invites", async () => {
    const member = await adminOf(target).memberWithKey(organization.id, 1);
    const above = await member.client.post(invitesPath(), { target_email: address(), level: 8 });
    expect(above.status).toBe(403);
    expect(above.json()).toEqual(
      DENIED("You cannot invite a user with a higher permission level than your own."),
    );
    const own = await invite({ target_email: address(), level: 1 }, member.client);
    const cancel = await member.client.delete(`${invitesPath()}${own.id}/`);
    expect(cancel.status).toBe(403);
    expect(cancel.json()).toEqual(DENIED("Your organization access level is insufficient."));
  });

  emulatorOnly("with members_can_invite off, a member may not invite", async () => {
    const org = (
      await owner.post("/api/organizations/", { name: uniqueName("Closed") })
    ).json<Organization>();
    expect((await owner.patch(`/api/organizations/${org.id}/`, { members_can_invite: false })).status).toBe(
      200,
    );
    const member = await adminOf(target).memberWithKey(org.id, 1);
    const res = await member.client.post(`/api/organizations/${org.id}/invites/`, {
      target_email: address(),
    });
    expect(res.status).toBe(403);
    expect(res.json()).toEqual(DENIED("You do not have permission to perform this action."));
  });

  emulatorOnly("posthog-local refuses owner-level invites (one owner per organization)", async () => {
    const res = await owner.post(invitesPath(), { target_email: address(), level: 15 });
    expect(res.status).toBe(403);
  });

  emulatorOnly("accepting makes the membership at the invite's level and uses the invite up", async () => {
    const created = await invite({ target_email: address(), level: 8, first_name: "Grace" });
    const accepted = await call(target.url, "POST", `/_admin/invites/${created.id}/accept`, {
      body: { password: "accepted-password-1" },
    });
    expect(accepted.status).toBe(201);
    expect(accepted.json<Member>()).toMatchObject({
      level: 8,
      user: { email: created.target_email, first_name: "Grace" },
    });
    const members = (await owner.get(`/api/organizations/${organization.id}/members/`)).json<Page<Member>>();
    expect(members.results.map((m) => m.user.email)).toContain(created.target_email);
    expect((await listInvites()).map((i) => i.id)).not.toContain(created.id);
  });

  emulatorOnly(
    "past PostHog's 3-day window an invite is expired, cannot be accepted, and can be re-sent",
    async () => {
      const created = await invite({ target_email: address() });
      const expired = await call(target.url, "POST", `/_admin/invites/${created.id}/expire`, { body: {} });
      expect(expired.status).toBe(200);
      expect((await listInvites()).find((i) => i.id === created.id)?.is_expired).toBe(true);
      const accept = await call(target.url, "POST", `/_admin/invites/${created.id}/accept`, { body: {} });
      expect(accept.status).toBe(400);
      expect(accept.json()).toMatchObject({
        detail: "This invite has expired. Please ask your admin for a new one.",
      });
      const again = await invite({ target_email: created.target_email });
      expect(again.is_expired).toBe(false);
      expect((await listInvites()).filter((i) => i.target_email === created.target_email)).toHaveLength(1);
    },
  );

  emulatorOnly("a key without organization_member scopes is refused", async () => {
    const limited = await adminOf(target).memberWithKey(organization.id, 8, ["organization:read"]);
    const res = await limited.client.get(invitesPath());
    expect(res.status).toBe(403);
    expect(res.json()).toEqual(DENIED("API key missing required scope 'organization_member:read'"));
  });
});
