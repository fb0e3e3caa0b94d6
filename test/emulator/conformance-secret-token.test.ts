/**
 * The feature-flags secure API key (`phs_`): rotate_secret_token keeps the old key as the backup,
 * delete_secret_token_backup ends it, and the flag definitions endpoint that posthog-node calls
 * for local evaluation accepts exactly the primary and the backup of the token's project.
 */
import { adminOf, emulatorOnly, sessionTest, startTarget, type Target } from "./support/target";
import { KeyClient, SessionClient, call, SESSION_ONLY_REFUSAL, uniqueName } from "./support/http";
import type { Project } from "./support/shapes";

type SecretProject = Project & { secret_api_token: string | null; secret_api_token_backup: string | null };

let target: Target;
let owner: KeyClient;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  owner = target.owner;
  org = target.organizationId;
});
afterAll(() => target.close());

async function createProject(name: string): Promise<Project> {
  const res = await owner.post(`/api/organizations/${org}/projects/`, { name: uniqueName(name) });
  expect(res.status).toBe(201);
  const project = res.json<Project>();
  target.track("project", project.id);
  return project;
}

async function ownerSession(): Promise<SessionClient> {
  const session = target.session();
  expect((await session.login(target.ownerEmail as string, target.ownerPassword as string)).status).toBe(200);
  return session;
}

/** What posthog-node sends for local evaluation. */
const definitions = (projectToken: string, secret: string | null) =>
  call(target.url, "GET", `/flags/definitions?token=${encodeURIComponent(projectToken)}&send_cohorts`, {
    key: secret,
  });

describe("rotate_secret_token and delete_secret_token_backup", () => {
  for (const action of ["rotate_secret_token", "delete_secret_token_backup"]) {
    test(`${action} refuses personal API keys with PostHog's 403`, async () => {
      const project = await createProject("Secret by key");
      const res = await owner.patch(`/api/organizations/${org}/projects/${project.id}/${action}/`, {});
      expect(res.status).toBe(403);
      expect(res.json()).toEqual(SESSION_ONLY_REFUSAL);
    });
  }

  sessionTest("rotation keeps the old key as the backup until the backup is deleted", async () => {
    const project = await createProject("Secret rotation");
    const session = await ownerSession();
    const base = `/api/organizations/${org}/projects/${project.id}`;

    const first = await session.request("PATCH", `${base}/rotate_secret_token/`, {});
    expect(first.status).toBe(200);
    const one = first.json<SecretProject>();
    expect(one.id).toBe(project.id);
    expect(one.secret_api_token).toMatch(/^phs_/);
    const oldKey = one.secret_api_token as string;

    const second = await session.request("PATCH", `${base}/rotate_secret_token/`, {});
    const two = second.json<SecretProject>();
    expect(two.secret_api_token).toMatch(/^phs_/);
    expect(two.secret_api_token).not.toBe(oldKey);
    expect(two.secret_api_token_backup).toBe(oldKey);
    const newKey = two.secret_api_token as string;

    expect((await definitions(project.api_token, oldKey)).status).toBe(200);
    expect((await definitions(project.api_token, newKey)).status).toBe(200);

    const ended = await session.request("PATCH", `${base}/delete_secret_token_backup/`, {});
    expect(ended.status).toBe(200);
    expect(ended.json<SecretProject>()).toMatchObject({
      secret_api_token: newKey,
      secret_api_token_backup: null,
    });
    expect((await definitions(project.api_token, oldKey)).status).toBe(401);
    expect((await definitions(project.api_token, newKey)).status).toBe(200);

    // Deleting a backup that is not there changes nothing and still answers 200.
    const again = await session.request("PATCH", `${base}/delete_secret_token_backup/`, {});
    expect(again.status).toBe(200);
    expect(again.json<SecretProject>().secret_api_token).toBe(newKey);
  });

  sessionTest("a third rotation ends the key that was the backup", async () => {
    const project = await createProject("Secret third rotation");
    const session = await ownerSession();
    const base = `/api/projects/${project.id}`;
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await session.request("PATCH", `${base}/rotate_secret_token/`, {});
      expect(res.status).toBe(200);
      keys.push(res.json<SecretProject>().secret_api_token as string);
    }
    expect((await definitions(project.api_token, keys[0])).status).toBe(401);
    expect((await definitions(project.api_token, keys[1])).status).toBe(200);
    expect((await definitions(project.api_token, keys[2])).status).toBe(200);
  });

  emulatorOnly("a member's session cannot rotate (project admin needed)", async () => {
    const member = await adminOf(target).memberWithKey(org, 1);
    const project = await createProject("Secret member");
    const session = target.session();
    await session.login(member.email, member.password);
    const res = await session.request("PATCH", `/api/projects/${project.id}/rotate_secret_token/`, {});
    expect(res.status).toBe(403);
    expect(res.json<{ detail: string }>().detail).toBe(
      "You don't have sufficient permissions in the project.",
    );
  });

  test("the project read shows the secure key slots", async () => {
    const project = await createProject("Secret slots");
    const res = await owner.get(`/api/environments/${project.id}/`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ id: project.id, secret_api_token_backup: null });
    expect(res.json()).toHaveProperty("secret_api_token");
  });
});

describe("flag definitions for local evaluation", () => {
  test("without a key it is 401", async () => {
    const project = await createProject("Definitions without key");
    expect((await definitions(project.api_token, null)).status).toBe(401);
  });

  test("an unknown phs_ key is 401", async () => {
    const project = await createProject("Definitions unknown key");
    expect((await definitions(project.api_token, `phs_${"x".repeat(43)}`)).status).toBe(401);
  });

  sessionTest("the key answers with the flag list (empty here) that posthog-node reads", async () => {
    const project = await createProject("Definitions shape");
    const session = await ownerSession();
    const res = await session.request("PATCH", `/api/projects/${project.id}/rotate_secret_token/`, {});
    const key = res.json<SecretProject>().secret_api_token as string;
    const answer = await definitions(project.api_token, key);
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ flags: [], group_type_mapping: {} });
  });

  sessionTest("a key of one project does not read another project's definitions", async () => {
    const mine = await createProject("Definitions mine");
    const theirs = await createProject("Definitions theirs");
    const session = await ownerSession();
    const res = await session.request("PATCH", `/api/projects/${mine.id}/rotate_secret_token/`, {});
    const key = res.json<SecretProject>().secret_api_token as string;
    const answer = await definitions(theirs.api_token, key);
    expect([401, 403]).toContain(answer.status);
  });
});
