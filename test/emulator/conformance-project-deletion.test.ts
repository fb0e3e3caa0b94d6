import { openDatabase } from "../../emulator/db/database";
import { adminOf, emulatorOnly, sessionTest, startTarget, type Target } from "./support/target";
import { call, errorBody, KeyClient, SESSION_ONLY_REFUSAL, uniqueName } from "./support/http";
import type { Organization, Page, Project } from "./support/shapes";

// Issue 9, parts 2 and 3: deleting a project as PostHog does (pending for 48 hours once it has
// ingested events), and PostHog's current messages, formats and rules. Tests that need powers
// PostHog does not hand out (making a project ingest at once, members, billing) are emulatorOnly.

const BASE57 = "[2-9A-HJ-NP-Za-km-z]";
const ALREADY_DELETING = "This project is already being deleted.";
const LAST_SUBSCRIBED =
  "Cannot delete the last project in an organization with an active subscription. Please cancel your subscription first in the billing page.";

let target: Target;
let owner: KeyClient;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  owner = target.owner;
  org = target.organizationId;
});
afterAll(() => target.close());

async function createProject(organizationId: string, body: { name?: string }): Promise<Project> {
  const res = await owner.post(`/api/organizations/${organizationId}/projects/`, body);
  expect(res.status).toBe(201);
  const project = res.json<Project>();
  target.track("project", project.id);
  return project;
}

/** Sends one event with the project's token, so the project has ingested events. */
async function ingest(project: Project): Promise<void> {
  const res = await call(target.url, "POST", "/i/v0/e/", {
    body: { event: "deletion test", distinct_id: "d1", properties: { token: project.api_token } },
  });
  expect(res.status).toBe(200);
}

const detailPath = (project: Project) => `/api/organizations/${project.organization}/projects/${project.id}/`;

describe("a project that ingested events is pending deletion for 48 hours", () => {
  emulatorOnly(
    "204, then readable with is_pending_deletion; still listed (without the field); a second delete is 400",
    async () => {
      const project = await createProject(org, { name: uniqueName("Doomed") });
      await ingest(project);
      expect((await owner.delete(detailPath(project))).status).toBe(204);
      const read = await owner.get(detailPath(project));
      expect(read.status).toBe(200);
      expect(read.json<Project>()).toMatchObject({ id: project.id, is_pending_deletion: true });
      const list = (await owner.get(`/api/organizations/${org}/projects/?limit=1000`)).json<Page<Project>>();
      const listed = list.results.find((p) => p.id === project.id);
      expect(listed).toBeDefined();
      expect(listed).not.toHaveProperty("is_pending_deletion");
      const second = await owner.delete(detailPath(project));
      expect(second.status).toBe(400);
      expect(second.json()).toEqual(errorBody("validation_error", "invalid_input", ALREADY_DELETING));
    },
  );

  emulatorOnly("a pending project holds its name: create and rename onto it are 409", async () => {
    const name = uniqueName("Held");
    const project = await createProject(org, { name });
    await ingest(project);
    await owner.delete(detailPath(project));
    const conflict = errorBody(
      "server_error",
      "conflict",
      `There is already a project called "${name.toUpperCase()}" in this organization. Choose a different name.`,
    );
    const create = await owner.post(`/api/organizations/${org}/projects/`, {
      name: ` ${name.toUpperCase()} `,
    });
    expect(create.status).toBe(409);
    expect(create.json()).toEqual(conflict);
    const other = await createProject(org, { name: uniqueName("Other") });
    const rename = await owner.patch(detailPath(other), { name: name.toUpperCase() });
    expect(rename.status).toBe(409);
    expect(rename.json()).toEqual(conflict);
  });

  emulatorOnly(
    "48 hours later (the admin API's complete-deletion) it is gone and its name is free",
    async () => {
      const name = uniqueName("Finished");
      const project = await createProject(org, { name });
      await ingest(project);
      await owner.delete(detailPath(project));
      await adminOf(target).completeDeletion(project.id);
      expect((await owner.get(detailPath(project))).status).toBe(404);
      expect((await createProject(org, { name })).id).not.toBe(project.id);
    },
  );

  emulatorOnly("a pending project still counts toward the plan", async () => {
    const free = (await owner.post("/api/organizations/", { name: uniqueName("Free") })).json<Organization>();
    target.track("organization", free.id);
    const [only] = free.projects;
    const project = (await owner.get(`/api/projects/${only.id}/`)).json<Project>();
    await ingest(project);
    expect((await owner.delete(detailPath(project))).status).toBe(204);
    const refused = await owner.post(`/api/organizations/${free.id}/projects/`, { name: "Replacement" });
    expect(refused.status).toBe(403);
  });

  emulatorOnly(
    "cancel-deletion (ADMIN) makes it live again with its name and token; a member is refused",
    async () => {
      const project = await createProject(org, { name: uniqueName("Saved") });
      await ingest(project);
      await owner.delete(detailPath(project));
      const member = await adminOf(target).memberWithKey(org, 1);
      const byMember = await member.client.post(`/api/projects/${project.id}/cancel-deletion/`, {});
      expect(byMember.status).toBe(403);
      const res = await owner.post(`/api/projects/${project.id}/cancel-deletion/`, {});
      expect(res.status).toBe(200);
      const read = (await owner.get(detailPath(project))).json<Project>();
      expect(read).toMatchObject({
        name: project.name,
        api_token: project.api_token,
        is_pending_deletion: false,
      });
      const flags = await call(target.url, "POST", "/flags/?v=2", {
        body: { token: project.api_token, distinct_id: "x" },
      });
      expect(flags.status).toBe(200);
    },
  );

  emulatorOnly(
    "the last project of an organization with an active subscription cannot be deleted",
    async () => {
      const admin = adminOf(target);
      const paid = (
        await owner.post("/api/organizations/", { name: uniqueName("Paid") })
      ).json<Organization>();
      await admin.setPlan(paid.id, "scale");
      await admin.setSubscription(paid.id, true);
      const second = await createProject(paid.id, { name: "Second" });
      expect((await owner.delete(detailPath(second))).status).toBe(204);
      const res = await owner.delete(`/api/organizations/${paid.id}/projects/${paid.projects[0].id}/`);
      expect(res.status).toBe(400);
      expect(res.json()).toEqual(errorBody("validation_error", "invalid_input", LAST_SUBSCRIBED));
      await admin.setSubscription(paid.id, false);
      expect(
        (await owner.delete(`/api/organizations/${paid.id}/projects/${paid.projects[0].id}/`)).status,
      ).toBe(204);
    },
  );
});

describe("current messages, formats and rules", () => {
  test("tokens: phc_ + 44 characters of base57, never - or _", async () => {
    const project = await createProject(org, { name: uniqueName("Formats") });
    expect(project.api_token).toMatch(new RegExp(`^phc_${BASE57}{44}$`));
  });

  emulatorOnly("personal API keys: phx_ + 48 characters of base57", async () => {
    const key = await adminOf(target).createKey(target.ownerEmail as string, ["*"]);
    expect(key).toMatch(new RegExp(`^phx_${BASE57}{48}$`));
  });

  test("a project created without a name is the next free 'Default project N', not a 409", async () => {
    const first = await createProject(org, {});
    const second = await createProject(org, {});
    expect(first.name).toMatch(/^Default project( \d+)?$/);
    expect(second.name).toMatch(/^Default project \d+$/);
    expect(second.name).not.toBe(first.name);
  });

  emulatorOnly("the hard cap of 2000 has its own message, on create only", async () => {
    const admin = adminOf(target);
    const capped = (
      await owner.post("/api/organizations/", { name: uniqueName("Capped") })
    ).json<Organization>();
    await admin.setPlan(capped.id, "scale");
    // Filling an organization through the API would take minutes: write the rows directly.
    const db = openDatabase((target.emulator as { dbPath: string }).dbPath);
    try {
      const insert = db.prepare(
        "INSERT INTO projects (uuid, organization_id, name, api_token, created_at, updated_at) VALUES (?, ?, ?, ?, '', '')",
      );
      db.transaction(() => {
        for (let i = 2; i <= 2000; i++)
          insert.run(`cap-${i}-${capped.id}`, capped.id, `P${i}`, `phc_cap${i}${capped.id}`);
      })();
    } finally {
      db.close();
    }
    const res = await owner.post(`/api/organizations/${capped.id}/projects/`, { name: "2001st" });
    expect(res.status).toBe(403);
    expect(res.json<{ detail: string }>().detail).toBe(
      "You have reached the maximum limit of 2000 projects per organization. Contact support if you'd like access to more projects.",
    );
    const rename = await owner.patch(`/api/organizations/${capped.id}/projects/${capped.projects[0].id}/`, {
      name: "Still renamable",
    });
    expect(rename.status).toBe(200);
  });

  test("session-only actions refuse personal API keys with PostHog's capitalised 403", async () => {
    const project = await createProject(org, { name: uniqueName("Key refused") });
    const res = await owner.patch(`/api/organizations/${org}/projects/${project.id}/reset_token/`, {});
    expect(res.status).toBe(403);
    expect(res.json()).toEqual(SESSION_ONLY_REFUSAL);
  });

  emulatorOnly("owner transfer by a non-owner has PostHog's message", async () => {
    const admin = adminOf(target);
    const adminMember = await admin.memberWithKey(org, 8);
    const member = await admin.memberWithKey(org, 1);
    const res = await adminMember.client.patch(`/api/organizations/${org}/members/${member.uuid}/`, {
      level: 15,
    });
    expect(res.status).toBe(403);
    expect(res.json<{ detail: string }>().detail).toBe(
      "You can only make another member owner if you're this organization's owner.",
    );
  });
});

describe("change_organization with the product page's rules switched on", () => {
  let strict: Target;
  beforeAll(async () => {
    strict = await startTarget({ enforceProductPageMoveRules: true });
  });
  afterAll(() => strict.close());

  const invalid = (detail: string) => errorBody("validation_error", "invalid_input", detail);

  async function session(t: Target) {
    const s = t.session();
    expect((await s.login(t.ownerEmail as string, t.ownerPassword as string)).status).toBe(200);
    return s;
  }
  async function organization(t: Target, plan: "free" | "scale"): Promise<Organization> {
    const created = (
      await t.owner.post("/api/organizations/", { name: uniqueName("Strict") })
    ).json<Organization>();
    if (plan === "scale") await adminOf(t).setPlan(created.id, "scale");
    return created;
  }
  const movePath = (organizationId: string, projectId: number) =>
    `/api/organizations/${organizationId}/projects/${projectId}/change_organization/`;

  emulatorOnly("the source must keep at least two projects", async () => {
    const source = await organization(strict, "scale");
    const destination = await organization(strict, "scale");
    const res = await (
      await session(strict)
    ).request("POST", movePath(source.id, source.projects[0].id), { organization_id: destination.id });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual(
      invalid("The originating organization must have at least two projects before you can move one."),
    );
  });

  emulatorOnly("a free target that already has a project refuses another", async () => {
    const project = (
      await strict.owner.post(`/api/organizations/${strict.organizationId}/projects/`, {
        name: uniqueName("M"),
      })
    ).json<Project>();
    const free = await organization(strict, "free");
    const res = await (
      await session(strict)
    ).request("POST", movePath(strict.organizationId, project.id), { organization_id: free.id });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual(
      invalid(
        "The target organization's plan allows only one project. Upgrade its plan before moving a project into it.",
      ),
    );
  });

  sessionTest("a move into the same organization is still not refused", async () => {
    const project = (
      await strict.owner.post(`/api/organizations/${strict.organizationId}/projects/`, {
        name: uniqueName("S"),
      })
    ).json<Project>();
    const res = await (
      await session(strict)
    ).request("POST", movePath(strict.organizationId, project.id), {
      organization_id: strict.organizationId,
    });
    expect(res.status).toBe(200);
  });
});
