import { randomBytes } from "node:crypto";
import { authenticator } from "otplib";
import { adminOf, emulatorOnly, sessionTest, startTarget, type Target } from "./support/target";
import { KeyClient, call, errorBody, uniqueName } from "./support/http";
import type { Organization, Page, Project } from "./support/shapes";

let target: Target;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  org = target.organizationId;
});
afterAll(() => target.close());

describe("personal API keys", () => {
  test("no credentials is 401 not_authenticated", async () => {
    const res = await call(target.url, "GET", "/api/organizations/");
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(
      errorBody("authentication_error", "not_authenticated", "Authentication credentials were not provided."),
    );
  });

  test("an unknown key is 401 authentication_failed", async () => {
    const res = await call(target.url, "GET", "/api/organizations/", {
      key: `phx_${randomBytes(20).toString("hex")}`,
    });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(
      errorBody(
        "authentication_error",
        "authentication_failed",
        "Personal API key found in request Authorization header is invalid.",
      ),
    );
  });

  test("a valid key reaches the whoami with its organizations", async () => {
    const res = await target.owner.get("/api/users/@me/");
    expect(res.status).toBe(200);
    const me = res.json<{ email: string; organizations: { id: string }[]; organization: { id: string } }>();
    expect(me.organizations.map((o) => o.id)).toContain(org);
    if (target.ownerEmail) expect(me.email.toLowerCase()).toBe(target.ownerEmail.toLowerCase());
  });

  emulatorOnly("a missing scope is 403 naming the scope; write implies read", async () => {
    const admin = adminOf(target);
    const readOnly = new KeyClient(
      target.url,
      await admin.createKey(target.ownerEmail as string, ["project:read"]),
    );
    expect((await readOnly.get(`/api/organizations/${org}/projects/`)).status).toBe(200);
    const create = await readOnly.post(`/api/organizations/${org}/projects/`, { name: uniqueName("Scoped") });
    expect(create.status).toBe(403);
    expect(create.json()).toEqual(
      errorBody(
        "authentication_error",
        "permission_denied",
        "API key missing required scope 'project:write'",
      ),
    );
    const orgs = await readOnly.get("/api/organizations/");
    expect(orgs.status).toBe(403);
    expect(orgs.json<{ detail: string }>().detail).toBe("API key missing required scope 'organization:read'");
    const members = await readOnly.get(`/api/organizations/${org}/members/`);
    expect(members.json<{ detail: string }>().detail).toBe(
      "API key missing required scope 'organization_member:read'",
    );

    const writer = new KeyClient(
      target.url,
      await admin.createKey(target.ownerEmail as string, ["project:write", "organization:write"]),
    );
    expect((await writer.get(`/api/organizations/${org}/projects/`)).status).toBe(200);
    expect((await writer.get(`/api/organizations/${org}/`)).status).toBe(200);
    const created = await writer.post(`/api/organizations/${org}/projects/`, { name: uniqueName("Written") });
    expect(created.status).toBe(201);
  });

  emulatorOnly("scoped_organizations: other organizations are 403, lists are filtered silently", async () => {
    const admin = adminOf(target);
    const other = (
      await target.owner.post("/api/organizations/", { name: uniqueName("Other") })
    ).json<Organization>();
    const scoped = new KeyClient(
      target.url,
      await admin.createKey(target.ownerEmail as string, ["*"], { scoped_organizations: [org] }),
    );
    const list = (await scoped.get("/api/organizations/")).json<Page<Organization>>();
    expect(list.results.map((o) => o.id)).toEqual([org]);
    for (const path of [`/api/organizations/${other.id}/`, `/api/organizations/${other.id}/projects/`]) {
      const res = await scoped.get(path);
      expect(res.status).toBe(403);
      expect(res.json()).toEqual(
        errorBody(
          "authentication_error",
          "permission_denied",
          `API key does not have access to the requested organization: ID ${other.id}.`,
        ),
      );
    }
    expect((await scoped.get(`/api/organizations/${org}/projects/`)).status).toBe(200);
  });

  emulatorOnly(
    "scoped_teams: only those projects; project lists, create and org-level routes refused",
    async () => {
      const admin = adminOf(target);
      const allowed = (
        await target.owner.post(`/api/organizations/${org}/projects/`, { name: uniqueName("Allowed") })
      ).json<Project>();
      const hidden = (
        await target.owner.post(`/api/organizations/${org}/projects/`, { name: uniqueName("Hidden") })
      ).json<Project>();
      const scoped = new KeyClient(
        target.url,
        await admin.createKey(target.ownerEmail as string, ["*"], { scoped_teams: [allowed.id] }),
      );
      expect((await scoped.get(`/api/projects/${allowed.id}/`)).status).toBe(200);
      const refused = await scoped.get(`/api/projects/${hidden.id}/`);
      expect(refused.status).toBe(403);
      expect(refused.json<{ detail: string }>().detail).toBe(
        `API key does not have access to the requested project: ID ${hidden.id}.`,
      );
      for (const res of [
        await scoped.get(`/api/organizations/${org}/projects/`),
        await scoped.get("/api/projects/"),
        await scoped.post(`/api/organizations/${org}/projects/`, { name: uniqueName("Refused") }),
        await scoped.get("/api/organizations/"),
        await scoped.get(`/api/organizations/${org}/members/`),
      ]) {
        expect(res.status).toBe(403);
        expect(res.json<{ detail: string }>().detail).toBe(
          "API keys with scoped projects are only supported on project-based endpoints.",
        );
      }
    },
  );
});

describe("rate limiting per personal key", () => {
  emulatorOnly(
    "over the limit is 429 with Retry-After and PostHog's throttled body; other keys are unaffected",
    async () => {
      const limited = await startTarget({ rateLimit: { perMinute: 3, perHour: 100 } });
      try {
        for (let i = 0; i < 3; i++) expect((await limited.owner.get("/api/users/@me/")).status).toBe(200);
        const throttled = await limited.owner.get("/api/users/@me/");
        expect(throttled.status).toBe(429);
        const retryAfter = Number(throttled.headers.get("retry-after"));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(throttled.json()).toEqual(
          errorBody(
            "throttled_error",
            "throttled",
            `Request was throttled. Expected available in ${retryAfter} second${retryAfter === 1 ? "" : "s"}.`,
          ),
        );
        const otherKey = await adminOf(limited).createKey(limited.ownerEmail as string, ["*"]);
        expect((await new KeyClient(limited.url, otherKey).get("/api/users/@me/")).status).toBe(200);
        // Sessions are not throttled by the per-key limit.
        const session = limited.session();
        await session.login(limited.ownerEmail as string, limited.ownerPassword as string);
        expect((await session.request("GET", "/api/users/@me/")).status).toBe(200);
      } finally {
        await limited.close();
      }
    },
  );

  emulatorOnly("the hourly window counts too", async () => {
    const limited = await startTarget({ rateLimit: { perMinute: 100, perHour: 2 } });
    try {
      await limited.owner.get("/api/users/@me/");
      await limited.owner.get("/api/users/@me/");
      const res = await limited.owner.get("/api/users/@me/");
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(60);
    } finally {
      await limited.close();
    }
  });

  emulatorOnly("rateLimit: false switches limiting off", async () => {
    const unlimited = await startTarget({ rateLimit: false });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 600 }, () => unlimited.owner.get("/api/users/@me/")),
      );
      expect(statuses.every((r) => r.status === 200)).toBe(true);
    } finally {
      await unlimited.close();
    }
  });

  emulatorOnly("the default limit is 480 requests per minute", async () => {
    const defaults = await startTarget();
    try {
      const results = [];
      for (let batch = 0; batch < 5; batch++) {
        results.push(
          ...(await Promise.all(Array.from({ length: 100 }, () => defaults.owner.get("/api/users/@me/")))),
        );
      }
      expect(results.filter((r) => r.status === 200)).toHaveLength(480);
      expect(results.filter((r) => r.status === 429)).toHaveLength(20);
    } finally {
      await defaults.close();
    }
  });
});

describe("session login", () => {
  sessionTest("login sets sessionid and posthog_csrftoken and answers {success: true}", async () => {
    const session = target.session();
    const res = await session.login(target.ownerEmail as string, target.ownerPassword as string);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ success: true });
    expect(session.cookies.get("sessionid")).toBeTruthy();
    expect(session.cookies.get("posthog_csrftoken")).toBeTruthy();
    const sessionCookie = res.setCookies.find((c) => c.startsWith("sessionid="));
    expect(sessionCookie).toMatch(/HttpOnly/i);
    expect(res.setCookies.find((c) => c.startsWith("posthog_csrftoken="))).not.toMatch(/HttpOnly/i);
    const me = await session.request("GET", "/api/users/@me/");
    expect(me.status).toBe(200);
  });

  test("a wrong password is 400 invalid_credentials", async () => {
    const res = await call(target.url, "POST", "/api/login", {
      body: { email: target.ownerEmail ?? "nobody@example.com", password: "definitely-wrong-password" },
    });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual(
      errorBody("validation_error", "invalid_credentials", "Invalid email or password."),
    );
  });

  test("a missing field is 400 required with attr", async () => {
    const res = await call(target.url, "POST", "/api/login", { body: { email: "someone@example.com" } });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual(
      errorBody("validation_error", "required", "This field is required.", "password"),
    );
  });

  sessionTest("unsafe session requests need the CSRF cookie echoed in X-CSRFToken", async () => {
    const session = target.session();
    await session.login(target.ownerEmail as string, target.ownerPassword as string);
    const path = `/api/organizations/${org}/`;
    const missing = await session.request("PATCH", path, {}, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.json()).toEqual(
      errorBody("authentication_error", "permission_denied", "CSRF Failed: CSRF token missing."),
    );
    const wrong = await call(target.url, "PATCH", path, {
      body: {},
      headers: { Cookie: session.cookieHeader(), "X-CSRFToken": "x".repeat(32), Referer: `${target.url}/` },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.json<{ detail: string }>().detail).toMatch(/^CSRF Failed: CSRF token .*incorrect\.$/);
    const noCookie = await call(target.url, "PATCH", path, {
      body: {},
      headers: { Cookie: `sessionid=${session.cookies.get("sessionid")}`, "X-CSRFToken": "x".repeat(32) },
    });
    expect(noCookie.status).toBe(403);
    expect(noCookie.json<{ detail: string }>().detail).toBe("CSRF Failed: CSRF cookie not set.");
    const ok = await session.request("PATCH", path, {});
    expect(ok.status).toBe(200);
  });

  emulatorOnly("Django's 64-character masked CSRF token is accepted too", async () => {
    const session = target.session();
    await session.login(target.ownerEmail as string, target.ownerPassword as string);
    const secret = session.cookies.get("posthog_csrftoken") as string;
    const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const mask = "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF".slice(0, 32);
    const cipher = [...secret]
      .map((c, i) => chars[(chars.indexOf(c) + chars.indexOf(mask[i])) % chars.length])
      .join("");
    const res = await call(target.url, "PATCH", `/api/organizations/${org}/`, {
      body: {},
      headers: { Cookie: session.cookieHeader(), "X-CSRFToken": mask + cipher },
    });
    expect(res.status).toBe(200);
  });

  emulatorOnly(
    "a 2FA user gets 401 2fa_required, then logs in with a TOTP code at /api/login/token",
    async () => {
      const admin = adminOf(target);
      const secret = authenticator.generateSecret();
      const email = `totp-${Date.now()}@example.com`;
      await admin.createUser(email, "totp-password-123", secret);
      await admin.addMember(org, email, 8);
      const session = target.session();
      const first = await session.login(email, "totp-password-123");
      expect(first.status).toBe(401);
      expect(first.json()).toEqual(errorBody("authentication_error", "2fa_required", "2FA is required."));
      expect((await session.request("GET", "/api/users/@me/")).status).toBe(401);

      const wrongCode = authenticator.generate(secret) === "000000" ? "111111" : "000000";
      const wrong = await session.request("POST", "/api/login/token", { token: wrongCode });
      expect(wrong.status).toBe(400);
      expect(wrong.json()).toEqual(
        errorBody("validation_error", "2fa_invalid", "Invalid authentication code"),
      );

      const pendingCookie = session.cookies.get("sessionid");
      const ok = await session.request("POST", "/api/login/token", { token: authenticator.generate(secret) });
      expect(ok.status).toBe(200);
      expect(ok.json()).toEqual({ success: true });
      expect(session.cookies.get("sessionid")).not.toBe(pendingCookie);
      expect(session.cookies.get("posthog_csrftoken")).toBeTruthy();
      const me = await session.request("GET", "/api/users/@me/");
      expect(me.status).toBe(200);
      expect(me.json<{ email: string; is_2fa_enabled: boolean }>()).toMatchObject({
        email,
        is_2fa_enabled: true,
      });
      const write = await session.request("PATCH", `/api/organizations/${org}/`, {});
      expect(write.status).toBe(200);
    },
  );

  emulatorOnly("a TOTP code is accepted once: the same code on a second login is 2fa_invalid", async () => {
    const admin = adminOf(target);
    const secret = authenticator.generateSecret();
    const email = `totp-replay-${Date.now()}@example.com`;
    await admin.createUser(email, "totp-password-123", secret);
    const code = authenticator.generate(secret);

    const first = target.session();
    expect((await first.login(email, "totp-password-123")).status).toBe(401);
    expect((await first.request("POST", "/api/login/token", { token: code })).status).toBe(200);

    const second = target.session();
    expect((await second.login(email, "totp-password-123")).status).toBe(401);
    const replay = await second.request("POST", "/api/login/token", { token: code });
    expect(replay.status).toBe(400);
    expect(replay.json()).toEqual(
      errorBody("validation_error", "2fa_invalid", "Invalid authentication code"),
    );
    expect((await second.request("GET", "/api/users/@me/")).status).toBe(401);
  });

  emulatorOnly("a forged or stale session cookie is simply not authenticated", async () => {
    const res = await call(target.url, "GET", "/api/users/@me/", {
      headers: { Cookie: "sessionid=forgedsessionvalue" },
    });
    expect(res.status).toBe(401);
    expect(res.json<{ code: string }>().code).toBe("not_authenticated");
  });
});

describe("the admin API", () => {
  emulatorOnly("answers loopback callers and is not part of PostHog's /api", async () => {
    const res = await call(target.url, "GET", "/_admin/events");
    expect(res.status).toBe(200);
    expect(res.json<{ projects: unknown[] }>().projects.length).toBeGreaterThan(0);
  });
});
