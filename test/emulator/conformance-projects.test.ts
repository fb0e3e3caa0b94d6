import { adminOf, emulatorOnly, sessionTest, startTarget, type Target } from "./support/target";
import { KeyClient, call, errorBody, SESSION_ONLY_REFUSAL, uniqueName } from "./support/http";
import type { Organization, Page, Project } from "./support/shapes";

const PLAN_LIMIT =
  "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects.";

let target: Target;
let owner: KeyClient;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  owner = target.owner;
  org = target.organizationId;
});
afterAll(() => target.close());

async function createProject(client: KeyClient, organizationId: string, name: string): Promise<Project> {
  const res = await client.post(`/api/organizations/${organizationId}/projects/`, { name });
  expect(res.status).toBe(201);
  const project = res.json<Project>();
  target.track("project", project.id);
  return project;
}

/** A new organization made through the public API: free plan, one "Default project". */
async function createFreeOrganization(client: KeyClient): Promise<Organization> {
  const res = await client.post("/api/organizations/", { name: uniqueName("Conformance org") });
  expect(res.status).toBe(201);
  const organization = res.json<Organization>();
  target.track("organization", organization.id);
  return organization;
}

describe("creating and reading projects", () => {
  test("create answers 201 with the full shape and a phc_ token", async () => {
    const name = uniqueName("Staging");
    const project = await createProject(owner, org, name);
    expect(project).toMatchObject({ name, organization: org, timezone: "UTC", is_pending_deletion: false });
    expect(project.api_token).toMatch(/^phc_/);
    expect(typeof project.id).toBe("number");
    expect(project.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("a project reads the same under the organization route and the root route, with or without trailing slash", async () => {
    const project = await createProject(owner, org, uniqueName("Readable"));
    for (const path of [
      `/api/organizations/${org}/projects/${project.id}/`,
      `/api/organizations/${org}/projects/${project.id}`,
      `/api/projects/${project.id}/`,
    ]) {
      const res = await owner.get(path);
      expect(res.status).toBe(200);
      expect(res.json<Project>()).toMatchObject({
        id: project.id,
        name: project.name,
        api_token: project.api_token,
      });
    }
  });

  test("names are trimmed like DRF's CharField", async () => {
    const name = uniqueName("Trimmed");
    const res = await owner.post(`/api/organizations/${org}/projects/`, { name: `   ${name}  ` });
    expect(res.status).toBe(201);
    target.track("project", res.json<Project>().id);
    expect(res.json<Project>().name).toBe(name);
  });

  test("a duplicate name in the same organization is 409, case-insensitive and trimmed", async () => {
    const name = uniqueName("Hedgebox");
    await createProject(owner, org, name);
    const res = await owner.post(`/api/organizations/${org}/projects/`, { name: `  ${name.toUpperCase()} ` });
    expect(res.status).toBe(409);
    expect(res.json()).toEqual(
      errorBody(
        "server_error",
        "conflict",
        `There is already a project called "${name.toUpperCase()}" in this organization. Choose a different name.`,
      ),
    );
  });

  test("renaming onto an existing name is 409 too, renaming to its own name is fine", async () => {
    const first = await createProject(owner, org, uniqueName("First"));
    const second = await createProject(owner, org, uniqueName("Second"));
    const clash = await owner.patch(`/api/organizations/${org}/projects/${second.id}/`, {
      name: first.name.toLowerCase(),
    });
    expect(clash.status).toBe(409);
    expect(clash.json()).toMatchObject({ type: "server_error", code: "conflict" });
    const same = await owner.patch(`/api/organizations/${org}/projects/${second.id}/`, { name: second.name });
    expect(same.status).toBe(200);
  });

  test("the same name in another organization is fine", async () => {
    const name = uniqueName("Shared name");
    await createProject(owner, org, name);
    const other = await createFreeOrganization(owner);
    const defaultProject = other.projects[0];
    const res = await owner.patch(`/api/organizations/${other.id}/projects/${defaultProject.id}/`, { name });
    expect(res.status).toBe(200);
    expect(res.json<Project>().name).toBe(name);
  });

  test("PATCH is partial: changing the timezone keeps the name", async () => {
    const project = await createProject(owner, org, uniqueName("Partial"));
    const res = await owner.patch(`/api/organizations/${org}/projects/${project.id}/`, {
      timezone: "Europe/Berlin",
    });
    expect(res.status).toBe(200);
    expect(res.json<Project>()).toMatchObject({
      name: project.name,
      timezone: "Europe/Berlin",
      api_token: project.api_token,
    });
  });

  test("validation errors are 400 validation_error naming the field", async () => {
    const base = `/api/organizations/${org}/projects/`;
    const badTimezone = await owner.post(base, { name: uniqueName("Tz"), timezone: "Mars/Olympus" });
    expect(badTimezone.status).toBe(400);
    expect(badTimezone.json()).toEqual(
      errorBody("validation_error", "invalid_choice", '"Mars/Olympus" is not a valid choice.', "timezone"),
    );
    const blank = await owner.post(base, { name: "   " });
    expect(blank.status).toBe(400);
    expect(blank.json()).toEqual(
      errorBody("validation_error", "blank", "This field may not be blank.", "name"),
    );
    const long = await owner.post(base, { name: "x".repeat(201) });
    expect(long.status).toBe(400);
    expect(long.json()).toEqual(
      errorBody(
        "validation_error",
        "max_length",
        "Ensure this field has no more than 200 characters.",
        "name",
      ),
    );
  });

  test("an unknown project id, a malformed id and another organization's path are all 404", async () => {
    const project = await createProject(owner, org, uniqueName("Elsewhere"));
    const other = await createFreeOrganization(owner);
    for (const path of [
      `/api/organizations/${org}/projects/999999999/`,
      `/api/organizations/${org}/projects/not-a-number/`,
      `/api/organizations/${other.id}/projects/${project.id}/`,
    ]) {
      const res = await owner.get(path);
      expect(res.status).toBe(404);
      expect(res.json()).toEqual(errorBody("invalid_request", "not_found", "Not found."));
    }
  });
});

describe("listing projects", () => {
  test("search filters on the name and limit/offset paginate with absolute next URLs", async () => {
    const tag = uniqueName("Paged").replace(/\s/g, "");
    for (let i = 0; i < 5; i++) await createProject(owner, org, `${tag} ${i}`);
    const first = await owner.get(
      `/api/organizations/${org}/projects/?search=${encodeURIComponent(tag)}&limit=2`,
    );
    expect(first.status).toBe(200);
    const page = first.json<Page<Project>>();
    expect(page.count).toBe(5);
    expect(page.results).toHaveLength(2);
    expect(page.previous).toBeNull();
    expect(page.next).toMatch(/^https?:\/\//);
    const seen = [...page.results.map((p) => p.name)];
    let next = page.next;
    for (let guard = 0; next && guard < 10; guard++) {
      const res = await owner.get(next);
      expect(res.status).toBe(200);
      const p = res.json<Page<Project>>();
      seen.push(...p.results.map((r) => r.name));
      expect(p.previous).not.toBeNull();
      next = p.next;
    }
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${tag} ${i}`));
  });

  test("search is case-insensitive", async () => {
    const name = uniqueName("CaseSearch");
    await createProject(owner, org, name);
    const res = await owner.get(
      `/api/organizations/${org}/projects/?search=${encodeURIComponent(name.toLowerCase())}`,
    );
    expect(res.json<Page<Project>>().results.map((p) => p.name)).toEqual([name]);
  });

  emulatorOnly("the root /api/projects/ lists and creates in the caller's current organization", async () => {
    const res = await owner.get("/api/projects/?limit=1000");
    expect(res.status).toBe(200);
    const page = res.json<Page<Project>>();
    expect(page.results.every((p) => p.organization === org)).toBe(true);
    const created = await owner.post("/api/projects/", { name: uniqueName("Root created") });
    expect(created.status).toBe(201);
    expect(created.json<Project>().organization).toBe(org);
  });
});

describe("the plan limit", () => {
  test("a free organization holds one project: a second is 403 with PostHog's message", async () => {
    const free = await createFreeOrganization(owner);
    expect(free.available_product_features.map((f) => f.key)).not.toContain("organizations_projects");
    expect(free.projects).toHaveLength(1);
    expect(free.projects[0].name).toBe("Default project");
    const res = await owner.post(`/api/organizations/${free.id}/projects/`, { name: uniqueName("Second") });
    expect(res.status).toBe(403);
    expect(res.json()).toEqual(errorBody("authentication_error", "permission_denied", PLAN_LIMIT));
  });

  test("PUT runs the plan check too, so PUT on a free organization's only project is refused; PATCH works", async () => {
    const free = await createFreeOrganization(owner);
    const only = free.projects[0];
    const put = await owner.put(`/api/organizations/${free.id}/projects/${only.id}/`, {
      name: "Renamed by PUT",
    });
    expect(put.status).toBe(403);
    expect(put.json()).toEqual(errorBody("authentication_error", "permission_denied", PLAN_LIMIT));
    const patch = await owner.patch(`/api/organizations/${free.id}/projects/${only.id}/`, {
      name: "Renamed by PATCH",
    });
    expect(patch.status).toBe(200);
  });

  emulatorOnly("upgrading the plan lifts the limit; a deleted project frees its slot", async () => {
    const free = await createFreeOrganization(owner);
    await adminOf(target).setPlan(free.id, "scale");
    const upgraded = await owner.get(`/api/organizations/${free.id}/`);
    expect(upgraded.json<Organization>().available_product_features.map((f) => f.key)).toContain(
      "organizations_projects",
    );
    const second = await createProject(owner, free.id, uniqueName("Second"));
    await adminOf(target).setPlan(free.id, "free");
    expect(
      (await owner.post(`/api/organizations/${free.id}/projects/`, { name: uniqueName("Third") })).status,
    ).toBe(403);
    expect((await owner.delete(`/api/organizations/${free.id}/projects/${second.id}/`)).status).toBe(204);
    expect(
      (await owner.delete(`/api/organizations/${free.id}/projects/${free.projects[0].id}/`)).status,
    ).toBe(204);
    expect(
      (await owner.post(`/api/organizations/${free.id}/projects/`, { name: uniqueName("Fresh") })).status,
    ).toBe(201);
  });
});

describe("deleting projects", () => {
  // Pending deletion (projects that ingested events) is covered in conformance-project-deletion.test.ts.
  test("a project that never ingested events is removed at once: 204, then 404, and its name is free", async () => {
    const name = uniqueName("Recycled");
    const project = await createProject(owner, org, name);
    const path = `/api/organizations/${org}/projects/${project.id}/`;
    expect((await owner.delete(path)).status).toBe(204);
    expect((await owner.get(path)).status).toBe(404);
    expect((await owner.delete(path)).status).toBe(404);
    const again = await createProject(owner, org, name);
    expect(again.id).not.toBe(project.id);
  });
});

describe("permissions on projects", () => {
  emulatorOnly("a member can read but not create (403), rename (403) or delete (403)", async () => {
    const member = await adminOf(target).memberWithKey(org, 1);
    const project = await createProject(owner, org, uniqueName("Guarded"));
    expect((await member.client.get(`/api/organizations/${org}/projects/${project.id}/`)).status).toBe(200);
    const create = await member.client.post(`/api/organizations/${org}/projects/`, {
      name: uniqueName("Nope"),
    });
    expect(create.status).toBe(403);
    expect(create.json()).toEqual(
      errorBody(
        "authentication_error",
        "permission_denied",
        "You need to be an organization admin or above to create new projects.",
      ),
    );
    const rename = await member.client.patch(`/api/organizations/${org}/projects/${project.id}/`, {
      timezone: "Asia/Tokyo",
      name: "x",
    });
    expect(rename.status).toBe(403);
    expect(rename.json<{ detail: string }>().detail).toBe(
      "Only project admins can modify these settings: name, timezone",
    );
    const describe = await member.client.patch(`/api/organizations/${org}/projects/${project.id}/`, {
      product_description: "members may change this",
    });
    expect(describe.status).toBe(200);
    const del = await member.client.delete(`/api/organizations/${org}/projects/${project.id}/`);
    expect(del.status).toBe(403);
    expect(del.json<{ detail: string }>().detail).toBe(
      "You don't have sufficient permissions in the project.",
    );
  });

  emulatorOnly("a non-member gets 404 for the organization's projects, not 403", async () => {
    const admin = adminOf(target);
    const email = `outsider-${Date.now()}@example.com`;
    await admin.createUser(email, "outsider-password");
    const outsider = new KeyClient(target.url, await admin.createKey(email, ["*"]));
    const project = await createProject(owner, org, uniqueName("Private"));
    for (const res of [
      await outsider.get(`/api/organizations/${org}/projects/`),
      await outsider.get(`/api/organizations/${org}/projects/${project.id}/`),
      await outsider.get(`/api/projects/${project.id}/`),
      await outsider.post(`/api/organizations/${org}/projects/`, { name: "x" }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json()).toEqual(errorBody("invalid_request", "not_found", "Not found."));
    }
  });
});

describe("reset_token", () => {
  test("refuses personal API keys with PostHog's 403", async () => {
    const project = await createProject(owner, org, uniqueName("Rotate by key"));
    const res = await owner.patch(`/api/organizations/${org}/projects/${project.id}/reset_token/`, {});
    expect(res.status).toBe(403);
    expect(res.json()).toEqual(SESSION_ONLY_REFUSAL);
  });

  sessionTest(
    "with a session it returns a new token at once; the old one stops answering flags",
    async () => {
      const project = await createProject(owner, org, uniqueName("Rotate by session"));
      const session = target.session();
      expect((await session.login(target.ownerEmail as string, target.ownerPassword as string)).status).toBe(
        200,
      );
      const res = await session.request(
        "PATCH",
        `/api/organizations/${org}/projects/${project.id}/reset_token/`,
        {},
      );
      expect(res.status).toBe(200);
      const rotated = res.json<Project>();
      expect(rotated.id).toBe(project.id);
      expect(rotated.api_token).toMatch(/^phc_/);
      expect(rotated.api_token).not.toBe(project.api_token);
      const flagsOld = await call(target.url, "POST", "/flags/?v=2", {
        body: { token: project.api_token, distinct_id: "d" },
      });
      expect(flagsOld.status).toBe(401);
      const flagsNew = await call(target.url, "POST", "/flags/?v=2", {
        body: { token: rotated.api_token, distinct_id: "d" },
      });
      expect(flagsNew.status).toBe(200);
    },
  );

  emulatorOnly("a member's session cannot reset (project admin needed)", async () => {
    const member = await adminOf(target).memberWithKey(org, 1);
    const project = await createProject(owner, org, uniqueName("Member rotate"));
    const session = target.session();
    await session.login(member.email, member.password);
    const res = await session.request(
      "PATCH",
      `/api/organizations/${org}/projects/${project.id}/reset_token/`,
      {},
    );
    expect(res.status).toBe(403);
    expect(res.json<{ detail: string }>().detail).toBe(
      "You don't have sufficient permissions in the project.",
    );
  });

  emulatorOnly("with allowPersonalKeysOnSessionActions a key with project:write may reset", async () => {
    const lenient = await startTarget({ allowPersonalKeysOnSessionActions: true });
    try {
      const project = (
        await lenient.owner.post(`/api/organizations/${lenient.organizationId}/projects/`, {
          name: "Lenient",
        })
      ).json<Project>();
      const res = await lenient.owner.patch(
        `/api/organizations/${lenient.organizationId}/projects/${project.id}/reset_token/`,
      );
      expect(res.status).toBe(200);
      expect(res.json<Project>().api_token).not.toBe(project.api_token);
      const readOnly = await adminOf(lenient).createKey(lenient.ownerEmail as string, ["project:read"]);
      const refused = await new KeyClient(lenient.url, readOnly).patch(
        `/api/organizations/${lenient.organizationId}/projects/${project.id}/reset_token/`,
      );
      expect(refused.status).toBe(403);
      expect(refused.json<{ detail: string }>().detail).toBe(
        "API key missing required scope 'project:write'",
      );
    } finally {
      await lenient.close();
    }
  });
});

describe("change_organization", () => {
  const MOVE = {
    notTargetMember:
      "You must be an admin or owner of both the source and target organizations to move a project.",
    notAdminOfBoth: "You must be an admin of both the source and target organizations to move a project.",
  };
  const invalid = (detail: string) => errorBody("validation_error", "invalid_input", detail);
  const movePath = (organizationId: string, projectId: number) =>
    `/api/organizations/${organizationId}/projects/${projectId}/change_organization/`;

  async function ownerSession() {
    const session = target.session();
    expect((await session.login(target.ownerEmail as string, target.ownerPassword as string)).status).toBe(
      200,
    );
    return session;
  }

  /** A second organization on the scale plan owned by the suite's owner. */
  async function scaleOrganization(): Promise<Organization> {
    const created = await createFreeOrganization(owner);
    await adminOf(target).setPlan(created.id, "scale");
    return created;
  }

  test("refuses personal API keys with PostHog's 403", async () => {
    const project = await createProject(owner, org, uniqueName("Move by key"));
    const res = await owner.post(movePath(org, project.id), { organization_id: org });
    expect(res.status).toBe(403);
    expect(res.json()).toEqual(SESSION_ONLY_REFUSAL);
  });

  sessionTest("rule 1: an unknown or malformed target is 400 'admin or owner of both'", async () => {
    const project = await createProject(owner, org, uniqueName("Move nowhere"));
    const session = await ownerSession();
    for (const organization_id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", undefined]) {
      const res = await session.request("POST", movePath(org, project.id), { organization_id });
      expect(res.status).toBe(400);
      expect(res.json()).toEqual(invalid(MOVE.notTargetMember));
    }
  });

  emulatorOnly(
    "rule 1: an organization the caller does not belong to is 400 'admin or owner of both'",
    async () => {
      const admin = adminOf(target);
      const email = `stranger-${Date.now()}@example.com`;
      await admin.createUser(email, "stranger-password");
      const strangerKey = await admin.createKey(email, ["*"]);
      const theirs = (
        await new KeyClient(target.url, strangerKey).post("/api/organizations/", { name: "Theirs" })
      ).json<Organization>();
      const project = await createProject(owner, org, uniqueName("Move to stranger"));
      const res = await (
        await ownerSession()
      ).request("POST", movePath(org, project.id), { organization_id: theirs.id });
      expect(res.status).toBe(400);
      expect(res.json()).toEqual(invalid(MOVE.notTargetMember));
    },
  );

  emulatorOnly("rule 2: below admin in the target or in the source is 400 'admin of both'", async () => {
    const admin = adminOf(target);
    const project = await createProject(owner, org, uniqueName("Move as member"));
    // The owner is only a member of the target.
    const email = `other-owner-${Date.now()}@example.com`;
    await admin.createUser(email, "other-owner-password");
    const otherOwner = new KeyClient(target.url, await admin.createKey(email, ["*"]));
    const targetOrg = (
      await otherOwner.post("/api/organizations/", { name: "Other owner's" })
    ).json<Organization>();
    await admin.setPlan(targetOrg.id, "scale");
    await admin.addMember(targetOrg.id, target.ownerEmail as string, 1);
    const asOwner = await (
      await ownerSession()
    ).request("POST", movePath(org, project.id), {
      organization_id: targetOrg.id,
    });
    expect(asOwner.status).toBe(400);
    expect(asOwner.json()).toEqual(invalid(MOVE.notAdminOfBoth));
    // A member of the source who administers the target.
    const member = await admin.memberWithKey(org, 1);
    await admin.addMember(targetOrg.id, member.email, 8);
    const session = target.session();
    await session.login(member.email, member.password);
    const asMember = await session.request("POST", movePath(org, project.id), {
      organization_id: targetOrg.id,
    });
    expect(asMember.status).toBe(400);
    expect(asMember.json()).toEqual(invalid(MOVE.notAdminOfBoth));
  });

  sessionTest(
    "a move into the organization the project is in is not refused (PostHog's code does not)",
    async () => {
      const project = await createProject(owner, org, uniqueName("Move in place"));
      const res = await (
        await ownerSession()
      ).request("POST", movePath(org, project.id), { organization_id: org });
      expect(res.status).toBe(200);
      expect(res.json<Project>()).toMatchObject({ id: project.id, organization: org });
    },
  );

  emulatorOnly(
    "the product page's rules are not checked by default (as in PostHog's code): a last project may leave, a free target may fill up",
    async () => {
      const source = await scaleOrganization();
      const free = await createFreeOrganization(owner);
      const res = await (
        await ownerSession()
      ).request("POST", movePath(source.id, source.projects[0].id), {
        organization_id: free.id,
      });
      expect(res.status).toBe(200);
      expect(res.json<Project>().organization).toBe(free.id);
    },
  );

  emulatorOnly(
    "a move keeps id and token, and members and keys of the old organization lose the project",
    async () => {
      const admin = adminOf(target);
      const source = await scaleOrganization();
      const destination = await scaleOrganization();
      const project = await createProject(owner, source.id, uniqueName("Mover"));
      const oldOnly = await admin.memberWithKey(source.id, 8);
      const both = await admin.memberWithKey(source.id, 1);
      await admin.addMember(destination.id, both.email, 1);
      const scopedToSource = await admin.createKey(target.ownerEmail as string, ["*"], {
        scoped_organizations: [source.id],
      });
      expect((await oldOnly.client.get(`/api/projects/${project.id}/`)).status).toBe(200);

      const res = await (
        await ownerSession()
      ).request("POST", movePath(source.id, project.id), {
        organization_id: destination.id,
      });
      expect(res.status).toBe(200);
      expect(res.json<Project>()).toMatchObject({
        id: project.id,
        api_token: project.api_token,
        organization: destination.id,
      });

      expect((await owner.get(`/api/organizations/${destination.id}/projects/${project.id}/`)).status).toBe(
        200,
      );
      expect((await owner.get(`/api/organizations/${source.id}/projects/${project.id}/`)).status).toBe(404);
      const sourceList = (await owner.get(`/api/organizations/${source.id}/projects/`)).json<Page<Project>>();
      expect(sourceList.results.map((p) => p.id)).not.toContain(project.id);
      const gone = await oldOnly.client.get(`/api/projects/${project.id}/`);
      expect(gone.status).toBe(404);
      expect((await both.client.get(`/api/projects/${project.id}/`)).status).toBe(200);
      const scoped = await new KeyClient(target.url, scopedToSource).get(`/api/projects/${project.id}/`);
      expect(scoped.status).toBe(403);
      expect(scoped.json<{ detail: string }>().detail).toBe(
        `API key does not have access to the requested organization: ID ${destination.id}.`,
      );
      // The token still delivers: it moved with the project.
      const flags = await call(target.url, "POST", "/flags/?v=2", {
        body: { token: project.api_token, distinct_id: "x" },
      });
      expect(flags.status).toBe(200);
    },
  );
});
