import { adminOf, emulatorOnly, startTarget, type Target } from "./support/target";
import { KeyClient, errorBody, uniqueName } from "./support/http";
import type { Member, Organization, Page } from "./support/shapes";

const INSUFFICIENT = errorBody(
  "authentication_error",
  "permission_denied",
  "Your organization access level is insufficient.",
);
const NOT_FOUND = errorBody("invalid_request", "not_found", "Not found.");

let target: Target;
let owner: KeyClient;

beforeAll(async () => {
  target = await startTarget();
  owner = target.owner;
});
afterAll(() => target.close());

async function createOrganization(name = uniqueName("Org")): Promise<Organization> {
  const res = await owner.post("/api/organizations/", { name });
  expect(res.status).toBe(201);
  const organization = res.json<Organization>();
  target.track("organization", organization.id);
  return organization;
}

describe("organizations", () => {
  test("create is 201: the caller is OWNER, a 'Default project' comes with it, the plan is free", async () => {
    const name = uniqueName("Acme Analytics");
    const organization = await createOrganization(name);
    expect(organization).toMatchObject({ name, membership_level: 15 });
    expect(organization.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(organization.slug).toMatch(/^acme-analytics/);
    expect(organization.projects).toHaveLength(1);
    expect(organization.projects[0]).toMatchObject({
      name: "Default project",
      organization_id: organization.id,
    });
    expect(organization.available_product_features.map((f) => f.key)).not.toContain("organizations_projects");
  });

  test("duplicate names are allowed and get distinct slugs", async () => {
    const name = uniqueName("Twin");
    const a = await createOrganization(name);
    const b = await createOrganization(name);
    expect(a.id).not.toBe(b.id);
    expect(b.slug).not.toBe(a.slug);
    expect(b.slug.startsWith(a.slug.slice(0, 43))).toBe(true);
    expect(b.slug).toMatch(/-[a-z]{4}$/);
  });

  test("name is required and at most 64 characters", async () => {
    const missing = await owner.post("/api/organizations/", {});
    expect(missing.status).toBe(400);
    expect(missing.json()).toEqual(
      errorBody("validation_error", "required", "This field is required.", "name"),
    );
    const long = await owner.post("/api/organizations/", { name: "o".repeat(65) });
    expect(long.status).toBe(400);
    expect(long.json()).toEqual(
      errorBody(
        "validation_error",
        "max_length",
        "Ensure this field has no more than 64 characters.",
        "name",
      ),
    );
  });

  test("list, retrieve and PATCH show the caller's membership_level", async () => {
    const organization = await createOrganization();
    const list = (await owner.get("/api/organizations/")).json<Page<Organization>>();
    expect(list.results.find((o) => o.id === organization.id)?.membership_level).toBe(15);
    const patched = await owner.patch(`/api/organizations/${organization.id}/`, {
      name: "Renamed org",
      slug: "ignored",
    });
    expect(patched.status).toBe(200);
    expect(patched.json<Organization>()).toMatchObject({
      name: "Renamed org",
      slug: organization.slug,
      membership_level: 15,
    });
    const read = await owner.get(`/api/organizations/${organization.id}/`);
    expect(read.json<Organization>().name).toBe("Renamed org");
  });

  test("available_product_features cannot be set through the API", async () => {
    const organization = await createOrganization();
    await owner.patch(`/api/organizations/${organization.id}/`, {
      available_product_features: [{ key: "organizations_projects", name: "Projects" }],
    });
    const read = (await owner.get(`/api/organizations/${organization.id}/`)).json<Organization>();
    expect(read.available_product_features.map((f) => f.key)).not.toContain("organizations_projects");
  });

  test("delete is 204 for the owner, then 404, and a second delete is 404", async () => {
    const organization = await createOrganization();
    expect((await owner.delete(`/api/organizations/${organization.id}/`)).status).toBe(204);
    const read = await owner.get(`/api/organizations/${organization.id}/`);
    expect(read.status).toBe(404);
    expect(read.json()).toEqual(NOT_FOUND);
    expect((await owner.delete(`/api/organizations/${organization.id}/`)).status).toBe(404);
  });

  test("@current names the caller's current organization, and its current project", async () => {
    const me = (await owner.get("/api/users/@me/")).json<{
      organization: { id: string };
      team: { id: number };
    }>();
    const org = await owner.get("/api/organizations/@current/");
    expect(org.status).toBe(200);
    expect(org.json<Organization>().id).toBe(me.organization.id);
    const project = await owner.get("/api/projects/@current/");
    expect(project.status).toBe(200);
    expect(project.json<{ id: number }>().id).toBe(me.team.id);
  });

  test("an unknown or malformed organization is 404", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "nope"]) {
      const res = await owner.get(`/api/organizations/${id}/`);
      expect(res.status).toBe(404);
      expect(res.json()).toEqual(NOT_FOUND);
    }
  });

  emulatorOnly(
    "a member cannot PATCH (403), an admin cannot DELETE (403), a non-member gets 404",
    async () => {
      const admin = adminOf(target);
      const organization = await createOrganization();
      const member = await admin.memberWithKey(organization.id, 1);
      const orgAdmin = await admin.memberWithKey(organization.id, 8);
      const path = `/api/organizations/${organization.id}/`;
      expect((await member.client.get(path)).json<Organization>().membership_level).toBe(1);
      const memberPatch = await member.client.patch(path, { name: "Nope" });
      expect(memberPatch.status).toBe(403);
      expect(memberPatch.json()).toEqual(INSUFFICIENT);
      expect((await orgAdmin.client.patch(path, { name: "Admins may" })).status).toBe(200);
      const adminDelete = await orgAdmin.client.delete(path);
      expect(adminDelete.status).toBe(403);
      expect(adminDelete.json()).toEqual(INSUFFICIENT);

      const email = `outsider-${Date.now()}@example.com`;
      await admin.createUser(email, "outsider-password");
      const outsider = new KeyClient(target.url, await admin.createKey(email, ["*"]));
      for (const res of [
        await outsider.get(path),
        await outsider.patch(path, { name: "x" }),
        await outsider.delete(path),
      ]) {
        expect(res.status).toBe(404);
        expect(res.json()).toEqual(NOT_FOUND);
      }
      const list = (await outsider.get("/api/organizations/")).json<Page<Organization>>();
      expect(list.results.map((o) => o.id)).not.toContain(organization.id);
    },
  );
});

describe("members", () => {
  test("the list shows the owner with level 15", async () => {
    const organization = await createOrganization();
    const res = await owner.get(`/api/organizations/${organization.id}/members/`);
    expect(res.status).toBe(200);
    const page = res.json<Page<Member>>();
    expect(page.count).toBe(1);
    expect(page.results[0].level).toBe(15);
    expect(page.results[0].user.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  emulatorOnly("an admin changes a member's level; level must be a valid choice", async () => {
    const admin = adminOf(target);
    const organization = await createOrganization();
    const member = await admin.memberWithKey(organization.id, 1);
    const path = `/api/organizations/${organization.id}/members/${member.uuid}/`;
    const promoted = await owner.patch(path, { level: 8 });
    expect(promoted.status).toBe(200);
    expect(promoted.json<Member>()).toMatchObject({
      level: 8,
      user: { uuid: member.uuid, email: member.email },
    });
    const invalid = await owner.patch(path, { level: 7 });
    expect(invalid.status).toBe(400);
    expect(invalid.json()).toEqual(
      errorBody("validation_error", "invalid_choice", '"7" is not a valid choice.', "level"),
    );
  });

  emulatorOnly("PostHog's level rules hold, each with its message", async () => {
    const admin = adminOf(target);
    const organization = await createOrganization();
    const base = `/api/organizations/${organization.id}/members`;
    const m1 = await admin.memberWithKey(organization.id, 1);
    const m2 = await admin.memberWithKey(organization.id, 1);
    const a1 = await admin.memberWithKey(organization.id, 8);
    const ownerUuid = (await owner.get(`${base}/`)).json<Page<Member>>().results.find((m) => m.level === 15)
      ?.user.uuid as string;
    const detail = async (client: KeyClient, uuid: string, level: number) =>
      (await client.patch(`${base}/${uuid}/`, { level })).json<{ detail: string }>().detail;

    expect(await detail(a1.client, a1.uuid, 1)).toBe("You can't change your own access level.");
    expect(await detail(a1.client, m1.uuid, 15)).toBe(
      "You can only make another member owner if you're this organization's owner.",
    );
    expect(await detail(m1.client, m2.uuid, 1)).toBe("You can only edit others if you are an admin.");
    expect(await detail(a1.client, ownerUuid, 8)).toBe(
      "You can only edit others with level lower or equal to you.",
    );
    const res = await m1.client.patch(`${base}/${m2.uuid}/`, { level: 8 });
    expect(res.status).toBe(403);
    expect(res.json<{ detail: string }>().detail).toBe(
      "You can only change access level of others to lower or equal to your current one.",
    );
  });

  emulatorOnly("passing on ownership makes the old owner an admin", async () => {
    const admin = adminOf(target);
    const organization = await createOrganization();
    const heir = await admin.memberWithKey(organization.id, 8);
    const res = await owner.patch(`/api/organizations/${organization.id}/members/${heir.uuid}/`, {
      level: 15,
    });
    expect(res.status).toBe(200);
    const levels = (await owner.get(`/api/organizations/${organization.id}/members/`)).json<Page<Member>>()
      .results;
    expect(levels.filter((m) => m.level === 15).map((m) => m.user.uuid)).toEqual([heir.uuid]);
    expect(
      (await owner.get(`/api/organizations/${organization.id}/`)).json<Organization>().membership_level,
    ).toBe(8);
  });

  emulatorOnly(
    "removing a member is 204 and the member loses access; the owner cannot be removed",
    async () => {
      const admin = adminOf(target);
      const organization = await createOrganization();
      const member = await admin.memberWithKey(organization.id, 1);
      const path = `/api/organizations/${organization.id}/members/${member.uuid}/`;
      expect((await member.client.get(`/api/organizations/${organization.id}/`)).status).toBe(200);
      expect((await owner.delete(path)).status).toBe(204);
      expect((await member.client.get(`/api/organizations/${organization.id}/`)).status).toBe(404);
      expect((await owner.delete(path)).status).toBe(404);
      const ownerUuid = (await owner.get(`/api/organizations/${organization.id}/members/`)).json<
        Page<Member>
      >().results[0].user.uuid;
      const ownerRemoval = await owner.delete(`/api/organizations/${organization.id}/members/${ownerUuid}/`);
      expect(ownerRemoval.status).toBe(403);
    },
  );

  emulatorOnly("a member may leave on their own", async () => {
    const admin = adminOf(target);
    const organization = await createOrganization();
    const member = await admin.memberWithKey(organization.id, 1);
    const res = await member.client.delete(`/api/organizations/${organization.id}/members/${member.uuid}/`);
    expect(res.status).toBe(204);
  });
});
