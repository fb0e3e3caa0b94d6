/**
 * The PostHog client against the emulator over real HTTP: retries, error messages,
 * pagination, session login (with and without TOTP) and recovery from lost responses.
 */
import { randomBytes } from "node:crypto";
import { authenticator } from "otplib";
import { z } from "zod";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { apiPath, PostHogApiError, ResponseShapeError } from "../../provider/client";
import { hasCsrfCookie } from "../../provider/client/testing";
import {
  addMember,
  createKey,
  createUser,
  FAST_RETRY,
  faultsLeft,
  ownerClient,
  setFaults,
  setPlan,
  startRewritingProxy,
  unique,
} from "./support";

let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
});

afterAll(async () => {
  await emu.close();
});

afterEach(async () => {
  await setFaults(emu, {});
});

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
}

/** The delay the client logged before a retry (it honours `Retry-After` in it). */
function waited(line: string): number {
  return Number(/waited (\d+) ms/.exec(line)?.[1]);
}

describe("retries", () => {
  test("a GET answered 503 is retried after Retry-After and then succeeds", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    await setFaults(emu, {
      errorRate: 1,
      errorStatus: 503,
      count: 1,
      paths: "^/api/organizations/[^/]+/?$",
    });
    const org = await client.organizations.get(emu.admin.organizationId);
    expect(org.id).toBe(emu.admin.organizationId);
    expect(await faultsLeft(emu)).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/retrying GET \/api\/organizations\/.* after 503 \(retry 1 of 4/);
    expect(waited(lines[0])).toBeGreaterThanOrEqual(1000);
  });

  test("429 waits for Retry-After, also for a POST (nothing was done)", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    await setFaults(emu, {
      errorRate: 1,
      errorStatus: 429,
      count: 1,
      paths: "^/api/organizations/[^/]+/projects/?$",
    });
    const name = unique("throttled");
    const project = await client.projects.create(emu.admin.organizationId, { name });
    expect(project.name).toBe(name);
    expect(await faultsLeft(emu)).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/retrying POST .* after 429/);
    expect(waited(lines[0])).toBeGreaterThanOrEqual(1000);
    expect(await client.projects.findByName(emu.admin.organizationId, name)).toHaveLength(1);
  });

  test("gives up after the retry count, with the status, detail and hint", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, {
      retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50, maxTotalMs: 20_000 },
      log: (l) => lines.push(l),
    });
    await setFaults(emu, { errorRate: 1, errorStatus: 502, count: 10, paths: "^/api/organizations/?$" });
    const err = await failure(() => client.organizations.list());
    expect(err).toBeInstanceOf(PostHogApiError);
    expect(await faultsLeft(emu)).toBe(7); // 3 attempts: the first and 2 retries
    expect(lines).toHaveLength(2);
    expect((err as PostHogApiError).status).toBe(502);
    expect(err.message).toMatch(/^Could not list organizations: GET \/api\/organizations\/ returned 502/);
    expect(err.message).toContain("Hint: PostHog had a server error");
  });

  test("gives up when the next Retry-After would not fit the time budget", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, {
      retry: { retries: 10, baseDelayMs: 10, maxDelayMs: 50, maxTotalMs: 500 },
      log: (l) => lines.push(l),
    });
    await setFaults(emu, { errorRate: 1, errorStatus: 503, count: 10, paths: "^/api/organizations/?$" });
    const err = await failure(() => client.organizations.list());
    expect((err as PostHogApiError).status).toBe(503);
    // Retry-After (1 s) is longer than the whole 0.5 s budget, however fast the first answer
    // came: the client gives up at once instead of sleeping past its budget.
    expect(lines).toHaveLength(0);
    expect(await faultsLeft(emu)).toBe(9);
  });

  test("a POST answered 500 is not repeated blindly: nothing was created, so it is sent again once it is safe", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    const name = unique("server error");
    await setFaults(emu, {
      errorRate: 1,
      errorStatus: 500,
      count: 1,
      paths: "^/api/organizations/[^/]+/projects/?$",
    });
    const project = await client.projects.create(emu.admin.organizationId, { name });
    expect(project.name).toBe(name);
    expect(await faultsLeft(emu)).toBe(0);
    expect(await client.projects.findByName(emu.admin.organizationId, name)).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/POST .* failed ambiguously \(500\); nothing was done: trying again/),
    );
    expect(lines).not.toContainEqual(expect.stringMatching(/retrying POST/));
  });
});

describe("PATCH after an ambiguous failure", () => {
  test("a plain project update is retried after a 503", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    const project = await client.projects.create(emu.admin.organizationId, { name: unique("Patched") });
    const path = `^/api/organizations/[^/]+/projects/${project.id}/?$`;
    await setFaults(emu, { errorRate: 1, errorStatus: 503, count: 1, paths: path });
    const updated = await client.projects.update(emu.admin.organizationId, project.id, {
      timezone: "Europe/Paris",
    });
    expect(updated.timezone).toBe("Europe/Paris");
    expect(await faultsLeft(emu)).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/retrying PATCH .*projects.* after 503 \(retry 1 of 4/)]);
  });

  test("a plain organization update whose response is lost is sent again", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    const org = await client.organizations.create({ name: unique("Patched org") });
    const renamed = unique("Renamed org");
    await setFaults(emu, { dropResponseAfterCommit: 1, count: 1, paths: `^/api/organizations/${org.id}/?$` });
    const updated = await client.organizations.update(org.id, { name: renamed });
    expect(updated.name).toBe(renamed);
    // The first PATCH was committed and lost its answer; the one retry was answered.
    expect(await faultsLeft(emu)).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/retrying PATCH .*organizations.* after ECONNRESET/)]);
  });

  test("a PATCH is not idempotent unless it says so: a 503 is not retried by the HTTP core", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    const org = await client.organizations.create({ name: unique("Unmarked PATCH") });
    await setFaults(emu, {
      errorRate: 1,
      errorStatus: 503,
      count: 2,
      paths: `^/api/organizations/${org.id}/?$`,
    });
    const err = await failure(() =>
      client.http.request({
        op: { action: "update", resource: "an organization" },
        method: "PATCH",
        path: apiPath("organizations", org.id),
        body: { name: unique("Never sent twice") },
        schema: z.unknown(),
      }),
    );
    expect((err as PostHogApiError).status).toBe(503);
    expect((err as PostHogApiError).ambiguous).toBe(true);
    expect(await faultsLeft(emu)).toBe(1); // one request seen
    expect(lines).toEqual([]);
  });

  test("a reset_token answered 503 is not repeated blindly: the token is read back first", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l), sessionOnlyActions: true });
    const project = await client.projects.create(emu.admin.organizationId, { name: unique("503 rotation") });
    await setFaults(emu, { errorRate: 1, errorStatus: 503, count: 1, paths: "/reset_token/?$" });
    const rotated = await client.projects.resetToken(emu.admin.organizationId, project.id);
    expect(rotated.api_token).not.toBe(project.api_token);
    expect(await faultsLeft(emu)).toBe(0);
    expect(lines).toEqual([
      expect.stringMatching(
        /PATCH .*reset_token.* failed ambiguously \(503\); nothing was done: trying again/,
      ),
    ]);
  });
});

describe("error messages", () => {
  test("a missing scope names the operation, request, status, detail and the scope to add, and never the key", async () => {
    const key = await createKey(emu, emu.admin.email, ["project:read", "organization:read"]);
    const client = ownerClient(emu, { apiKey: key });
    const err = await failure(() => client.projects.create(emu.admin.organizationId, { name: "Nope" }));
    expect(err).toBeInstanceOf(PostHogApiError);
    const e = err as PostHogApiError;
    expect(e.status).toBe(403);
    expect(e.message).toContain(
      `Could not create Project "Nope" in Organization ${emu.admin.organizationId}`,
    );
    expect(e.message).toContain(`POST /api/organizations/${emu.admin.organizationId}/projects/ returned 403`);
    expect(e.message).toContain("API key missing required scope 'project:write'");
    expect(e.message).toContain("Hint: add the scope 'project:write' to the personal API key");
    expect(e.message).not.toContain(key);
    expect(JSON.stringify(e)).not.toContain(key);
  });

  test("an unknown key: 401 with the hint to check posthog:apiKey, and the key is not echoed", async () => {
    const bogus = `phx_${randomBytes(20).toString("hex")}`;
    const client = ownerClient(emu, { apiKey: bogus });
    const err = await failure(() => client.organizations.list());
    expect((err as PostHogApiError).status).toBe(401);
    expect(err.message).toContain("authentication_failed");
    expect(err.message).toContain("Hint: check posthog:apiKey");
    expect(err.message).not.toContain(bogus);
  });

  test("a validation error names the field (attr)", async () => {
    const client = ownerClient(emu);
    const err = await failure(() =>
      client.projects.create(emu.admin.organizationId, { name: "x".repeat(201) }),
    );
    const e = err as PostHogApiError;
    expect(e.status).toBe(400);
    expect(e.attr).toBe("name");
    expect(e.message).toContain("(field: name)");
  });

  test("a duplicate name: 409 with PostHog's words and the adoption hint", async () => {
    const client = ownerClient(emu);
    const name = unique("Dup");
    await client.projects.create(emu.admin.organizationId, { name });
    const err = await failure(() =>
      client.projects.create(emu.admin.organizationId, { name: name.toUpperCase() }),
    );
    expect((err as PostHogApiError).status).toBe(409);
    expect(err.message).toContain(`There is already a project called`);
    expect(err.message).toContain("existingProjectId");
  });

  test("the plan limit: 403 with PostHog's words and the upgrade hint", async () => {
    const client = ownerClient(emu);
    const org = await client.organizations.create({ name: unique("Free org") });
    const err = await failure(() => client.projects.create(org.id, { name: "Second" }));
    expect((err as PostHogApiError).status).toBe(403);
    expect(err.message).toContain(
      "You have reached the maximum limit of allowed projects for your current plan.",
    );
    expect(err.message).toContain("Hint: upgrade the organization's plan");
  });

  test("not an admin: the level hint", async () => {
    const member = await createUser(emu, `member-${Date.now()}@example.com`);
    await addMember(emu, emu.admin.organizationId, member.email, 1);
    const key = await createKey(emu, member.email);
    const client = ownerClient(emu, { apiKey: key });
    const err = await failure(() =>
      client.projects.create(emu.admin.organizationId, { name: "By a member" }),
    );
    expect(err.message).toContain("You need to be an organization admin or above to create new projects.");
    expect(err.message).toContain("Hint: ask an owner of the organization to make you an admin");
  });

  test("deleting an organization needs OWNER: the message names the organization and the fix", async () => {
    const owner = ownerClient(emu);
    const org = await owner.organizations.create({ name: unique("Owned") });
    const adminUser = await createUser(emu, `admin-${Date.now()}@example.com`);
    await addMember(emu, org.id, adminUser.email, 8);
    const client = ownerClient(emu, { apiKey: await createKey(emu, adminUser.email) });
    const err = await failure(() => client.organizations.delete(org.id, org.name));
    expect(err.message).toContain(`Could not delete Organization "${org.name}" (${org.id})`);
    expect(err.message).toContain("Your organization access level is insufficient.");
    expect(err.message).toContain("needs the OWNER level");
  });

  test("not found: 404 with the visibility hint", async () => {
    const err = await failure(() => ownerClient(emu).projects.get(emu.admin.organizationId, 987654));
    expect((err as PostHogApiError).status).toBe(404);
    expect((err as PostHogApiError).isGone).toBe(true);
    expect(err.message).toContain("Could not read Project 987654");
    expect(err.message).toContain("Hint: it does not exist, or the credentials cannot see it");
  });

  test("a response of the wrong shape is a ResponseShapeError, not an HTTP error", async () => {
    const client = ownerClient(emu);
    const err = await failure(() =>
      client.http.request({
        op: { action: "read", resource: "a project" },
        method: "GET",
        path: apiPath("organizations", emu.admin.organizationId),
        schema: z.object({ id: z.number(), api_token: z.string() }),
      }),
    );
    expect(err).toBeInstanceOf(ResponseShapeError);
    expect(err).not.toBeInstanceOf(PostHogApiError);
    expect((err as ResponseShapeError).problems.join(" ")).toMatch(/id: .*expected number/);
  });

  test("an unreachable host is named in the message", async () => {
    const client = ownerClient(emu, { host: "http://127.0.0.1:9", retry: { ...FAST_RETRY, retries: 1 } });
    const err = await failure(() => client.organizations.list());
    expect(err.message).toContain(
      "failed without a response (ECONNREFUSED; is posthog:host http://127.0.0.1:9 right?)",
    );
  });
});

describe("pagination", () => {
  test("lists every project across pages of 100 by following next", async () => {
    const client = ownerClient(emu);
    const org = await client.organizations.create({ name: unique("Many") });
    await setPlan(emu, org.id, "scale");
    for (let i = 0; i < 104; i++) await client.projects.create(org.id, { name: `p${i}` });
    const projects = await client.projects.list(org.id);
    expect(projects).toHaveLength(105); // 104 + the default project
    expect(new Set(projects.map((p) => p.id)).size).toBe(105);
    expect(projects.map((p) => p.name)).toContain("p103");
  });

  test("a next link on another origin is followed on the configured host, never sending the key there", async () => {
    const client0 = ownerClient(emu);
    const org = await client0.organizations.create({ name: unique("Proxied") });
    await setPlan(emu, org.id, "scale");
    for (let i = 0; i < 101; i++) await client0.projects.create(org.id, { name: `q${i}` });
    const elsewhere: string[] = [];
    const spy = await startRewritingProxy(emu.url, (_m, path) => {
      elsewhere.push(path);
      return {};
    });
    // A proxy that builds next links for another host, as a misconfigured one does.
    const proxy = await startRewritingProxy(emu.url, (_m, _path, _status, body) => {
      const page = body as { next?: string | null };
      if (page && typeof page.next === "string") page.next = page.next.replace(emu.url, spy.url);
      return body;
    });
    try {
      const client = ownerClient(emu, { host: proxy.url });
      const projects = await client.projects.list(org.id);
      expect(projects).toHaveLength(102);
      expect(elsewhere).toEqual([]);
    } finally {
      await proxy.close();
      await spy.close();
    }
  });
});

describe("a response the client does not understand", () => {
  test("after a committed create, the project is found instead of created twice", async () => {
    const name = unique("Odd answer");
    // The create goes through, but its answer is not a project.
    const proxy = await startRewritingProxy(emu.url, (method, path, status, body) =>
      method === "POST" && /\/projects\/?$/.test(path) && status === 201 ? { unexpected: true } : body,
    );
    try {
      const client = ownerClient(emu, { host: proxy.url });
      const project = await client.projects.create(emu.admin.organizationId, { name });
      expect(project.name).toBe(name);
      const matches = (await ownerClient(emu).projects.list(emu.admin.organizationId)).filter(
        (p) => p.name === name,
      );
      expect(matches.map((p) => p.id)).toEqual([project.id]);
    } finally {
      await proxy.close();
    }
  });
});

describe("session login", () => {
  test("the key is refused on reset_token, so the client logs in with email and password", async () => {
    const client = ownerClient(emu);
    const project = await client.projects.create(emu.admin.organizationId, { name: unique("Rotate") });
    const rotated = await client.projects.resetToken(emu.admin.organizationId, project.id, project.name);
    expect(rotated.api_token).not.toBe(project.api_token);
    expect(rotated.api_token).toMatch(/^phc_/);
    expect(await hasCsrfCookie(client.http)).toBe(true);
  });

  test("without email and password the refusal says to set them", async () => {
    const client = ownerClient(emu, { email: undefined, password: undefined });
    const project = await client.projects.create(emu.admin.organizationId, { name: unique("No session") });
    const err = await failure(() =>
      client.projects.resetToken(emu.admin.organizationId, project.id, project.name),
    );
    expect(err.message).toContain("This action does not support Personal API Key access");
    expect(err.message).toContain("set posthog:email and posthog:password");
    const after = await client.projects.get(emu.admin.organizationId, project.id);
    expect(after.api_token).toBe(project.api_token);
  });

  test("a two-factor account logs in with a TOTP code from the seed", async () => {
    const seed = authenticator.generateSecret();
    const user = await createUser(emu, `totp-${Date.now()}@example.com`, seed);
    await addMember(emu, emu.admin.organizationId, user.email, 8);
    const key = await createKey(emu, user.email);
    const project = await ownerClient(emu).projects.create(emu.admin.organizationId, { name: unique("2FA") });

    const withoutSeed = ownerClient(emu, { apiKey: key, ...user });
    const err = await failure(() => withoutSeed.projects.resetToken(emu.admin.organizationId, project.id));
    expect((err as PostHogApiError).code).toBe("2fa_required");
    expect(err.message).toContain("set posthog:totpSecret");

    const client = ownerClient(emu, { apiKey: key, ...user, totpSecret: seed });
    const rotated = await client.projects.resetToken(emu.admin.organizationId, project.id);
    expect(rotated.api_token).not.toBe(project.api_token);
  });

  test("concurrent session-only actions share one two-factor login (a TOTP code works once)", async () => {
    const seed = authenticator.generateSecret();
    const user = await createUser(emu, `totp-many-${Date.now()}@example.com`, seed);
    await addMember(emu, emu.admin.organizationId, user.email, 8);
    const owner = ownerClient(emu);
    const projects = await Promise.all(
      [1, 2, 3].map((i) =>
        owner.projects.create(emu.admin.organizationId, { name: unique(`Parallel ${i}`) }),
      ),
    );
    const client = ownerClient(emu, { apiKey: await createKey(emu, user.email), ...user, totpSecret: seed });
    const rotated = await Promise.all(
      projects.map((p) => client.projects.resetToken(emu.admin.organizationId, p.id, p.name)),
    );
    rotated.forEach((r, i) => expect(r.api_token).not.toBe(projects[i].api_token));
  });

  test("a wrong TOTP seed is reported without the seed", async () => {
    const seed = authenticator.generateSecret();
    const user = await createUser(emu, `totp-bad-${Date.now()}@example.com`, seed);
    await addMember(emu, emu.admin.organizationId, user.email, 8);
    const project = await ownerClient(emu).projects.create(emu.admin.organizationId, {
      name: unique("Bad 2FA"),
    });
    const wrong = authenticator.generateSecret();
    const client = ownerClient(emu, { apiKey: await createKey(emu, user.email), ...user, totpSecret: wrong });
    const err = await failure(() => client.projects.resetToken(emu.admin.organizationId, project.id));
    expect((err as PostHogApiError).code).toBe("2fa_invalid");
    expect(err.message).toContain("check posthog:totpSecret");
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(user.password);
  });

  test("sessionOnlyActions goes straight to the session (a read-only key would be refused otherwise)", async () => {
    const lenient = await startTestEmulator({ allowPersonalKeysOnSessionActions: true, rateLimit: false });
    try {
      const readOnly = await createKey(lenient, lenient.admin.email, ["project:read", "organization:read"]);
      const project = await ownerClient(lenient).projects.create(lenient.admin.organizationId, { name: "S" });
      const viaKey = ownerClient(lenient, { apiKey: readOnly });
      const err = await failure(() => viaKey.projects.resetToken(lenient.admin.organizationId, project.id));
      expect(err.message).toContain("missing required scope 'project:write'");
      const viaSession = ownerClient(lenient, { apiKey: readOnly, sessionOnlyActions: true });
      const rotated = await viaSession.projects.resetToken(lenient.admin.organizationId, project.id);
      expect(rotated.api_token).not.toBe(project.api_token);
    } finally {
      await lenient.close();
    }
  });

  test("a wrong password is reported with the hint, without the password", async () => {
    const client = ownerClient(emu, { password: "definitely-wrong-password" });
    const project = await client.projects.create(emu.admin.organizationId, { name: unique("Wrong pw") });
    const err = await failure(() => client.projects.resetToken(emu.admin.organizationId, project.id));
    expect(err.message).toContain("Invalid email or password.");
    expect(err.message).toContain("check posthog:email and posthog:password");
    expect(err.message).not.toContain("definitely-wrong-password");
  });
});

describe("recovery from lost responses", () => {
  test("a project create whose response is lost is found by name, not created twice", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    const name = unique("Lost create");
    await setFaults(emu, {
      dropResponseAfterCommit: 1,
      count: 2,
      paths: "^/api/organizations/[^/]+/projects/?$",
    });
    const project = await client.projects.create(emu.admin.organizationId, { name });
    // Of two lost answers allowed, one was used: the action was sent once.
    expect(await faultsLeft(emu)).toBe(1);
    expect(project.name).toBe(name);
    const matches = await client.projects.findByName(emu.admin.organizationId, name);
    expect(matches.map((p) => p.id)).toEqual([project.id]);
    expect(lines).toEqual([
      expect.stringMatching(/POST .* failed ambiguously \(ECONNRESET\); the earlier attempt had succeeded/),
    ]);
  });

  test("an organization create whose response is lost is adopted from the snapshot difference", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    const name = unique("Lost org");
    await setFaults(emu, { dropResponseAfterCommit: 1, count: 2, paths: "^/api/organizations/?$" });
    const org = await client.organizations.create({ name });
    // Of two lost answers allowed, one was used: the action was sent once.
    expect(await faultsLeft(emu)).toBe(1);
    expect(org.name).toBe(name);
    const same = (await client.organizations.list()).filter((o) => o.name === name);
    expect(same.map((o) => o.id)).toEqual([org.id]);
    expect(lines).toEqual([expect.stringMatching(/failed ambiguously.*the earlier attempt had succeeded/)]);
  });

  test("a reset_token whose response is lost is not repeated: the new token is read back", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    const project = await client.projects.create(emu.admin.organizationId, { name: unique("Lost rotation") });
    await setFaults(emu, { dropResponseAfterCommit: 1, count: 2, paths: "/reset_token/?$" });
    const rotated = await client.projects.resetToken(emu.admin.organizationId, project.id);
    // Of two lost answers allowed, one was used: the action was sent once.
    expect(await faultsLeft(emu)).toBe(1);
    const live = await client.projects.get(emu.admin.organizationId, project.id);
    expect(rotated.api_token).not.toBe(project.api_token);
    expect(live.api_token).toBe(rotated.api_token);
    expect(lines).toEqual([expect.stringMatching(/PATCH .*reset_token.* failed ambiguously.*had succeeded/)]);
  });

  test("a change_organization whose response is lost is confirmed in the target organization", async () => {
    const lines: string[] = [];
    const client = ownerClient(emu, { log: (l) => lines.push(l) });
    const target = await client.organizations.create({ name: unique("Target") });
    await setPlan(emu, target.id, "scale");
    const project = await client.projects.create(emu.admin.organizationId, { name: unique("Lost move") });
    await setFaults(emu, { dropResponseAfterCommit: 1, count: 2, paths: "/change_organization/?$" });
    const moved = await client.projects.changeOrganization(emu.admin.organizationId, project.id, target.id);
    // Of two lost answers allowed, one was used: the action was sent once.
    expect(await faultsLeft(emu)).toBe(1);
    expect(moved.organization).toBe(target.id);
    expect(moved.id).toBe(project.id);
    expect(moved.api_token).toBe(project.api_token);
    expect(lines).toEqual([
      expect.stringMatching(/POST .*change_organization.* failed ambiguously.*had succeeded/),
    ]);
  });
});
