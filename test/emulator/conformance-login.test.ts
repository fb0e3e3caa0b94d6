import { authenticator } from "otplib";
import { adminOf, emulatorOnly, sessionTest, startTarget, type Target } from "./support/target";
import { SessionClient, call, errorBody, uniqueName } from "./support/http";

// Logins as PostHog Cloud has them (issue 9 part 1) and Django's session hygiene (issue 10.3/10.4).
// Tests that a real PostHog could run are plain `test`/`sessionTest`; those that need posthog-local's
// admin API (per-user policies, the mailbox, the lockout reset) are `emulatorOnly`.

let target: Target;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  org = target.organizationId;
});
afterAll(() => target.close());

const password = "a-long-password-123";
const newEmail = () =>
  `login-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function setPolicy(email: string, policy: { email_mfa?: boolean; sso_enforced?: string | null }) {
  const res = await call(
    target.url,
    "PATCH",
    `/_admin/users/login-policy?email=${encodeURIComponent(email)}`,
    {
      body: policy,
    },
  );
  expect(res.status).toBe(200);
}

async function liveSessions(): Promise<{ email: string | null }[]> {
  const res = await call(target.url, "GET", "/_admin/sessions");
  expect(res.status).toBe(200);
  return res.json<{ sessions: { email: string | null }[] }>().sessions;
}

describe("email MFA", () => {
  emulatorOnly(
    "a user without TOTP gets 401 email_mfa_required naming the email; the emailed link completes it once",
    async () => {
      const email = newEmail();
      await adminOf(target).createUser(email, password);
      await setPolicy(email, { email_mfa: true });
      const session = new SessionClient(target.url);
      const login = await session.login(email, password);
      expect(login.status).toBe(401);
      expect(login.json()).toEqual(errorBody("authentication_error", "email_mfa_required", email));
      expect(session.cookies.get("sessionid")).toBeUndefined();

      const wrong = await call(target.url, "POST", "/api/login/email-mfa", {
        body: { email, token: "not-it" },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.json<{ code: string; detail: string }>().detail).toMatch(/invalid or has expired/);

      const mailbox = await call(target.url, "GET", `/_admin/email-mfa?email=${encodeURIComponent(email)}`);
      expect(mailbox.status).toBe(200);
      const { token } = mailbox.json<{ token: string }>();
      const done = await call(target.url, "POST", "/api/login/email-mfa", { body: { email, token } });
      expect(done.status).toBe(200);
      expect(done.json()).toEqual({ success: true });
      session.absorb(done);
      expect((await session.request("GET", "/api/users/@me/")).status).toBe(200);

      const replay = await call(target.url, "POST", "/api/login/email-mfa", { body: { email, token } });
      expect(replay.status).toBe(400);
    },
  );

  emulatorOnly("a user with TOTP gets the TOTP step instead", async () => {
    const email = newEmail();
    await adminOf(target).createUser(email, password, authenticator.generateSecret());
    await setPolicy(email, { email_mfa: true });
    const res = await call(target.url, "POST", "/api/login", { body: { email, password } });
    expect(res.status).toBe(401);
    expect(res.json<{ code: string }>().code).toBe("2fa_required");
  });
});

describe("SSO enforcement", () => {
  emulatorOnly(
    "a password login of an SSO-enforced account is 400 sso_enforced, before the password is checked",
    async () => {
      const email = newEmail();
      await adminOf(target).createUser(email, password);
      await setPolicy(email, { sso_enforced: "google-oauth2" });
      for (const attempt of [password, "a-wrong-password"]) {
        const res = await call(target.url, "POST", "/api/login", { body: { email, password: attempt } });
        expect(res.status).toBe(400);
        expect(res.json()).toEqual(
          errorBody(
            "validation_error",
            "sso_enforced",
            "You can only login with SSO for this account (google-oauth2).",
          ),
        );
      }
    },
  );
});

describe("the TOTP step", () => {
  test("without a pending login is 400 invalid_2fa_session", async () => {
    const res = await call(target.url, "POST", "/api/login/token", { body: { token: "123456" } });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual(
      errorBody("validation_error", "invalid_2fa_session", "Invalid 2FA session. Please log in again."),
    );
  });
});

describe("logout", () => {
  sessionTest(
    "POST /logout redirects to the login page and the old session cookie stops working",
    async () => {
      const session = target.session();
      expect((await session.login(target.ownerEmail as string, target.ownerPassword as string)).status).toBe(
        200,
      );
      const oldCookie = session.cookieHeader();
      expect((await session.request("GET", "/api/users/@me/")).status).toBe(200);
      const out = await session.request("POST", "/logout");
      expect(out.status).toBe(302);
      expect(out.headers.get("location")).toMatch(/\/login/);
      const after = await call(target.url, "GET", "/api/users/@me/", { headers: { Cookie: oldCookie } });
      expect(after.status).toBe(401);
    },
  );

  emulatorOnly("the admin API lists live sessions; a logout removes its own", async () => {
    const email = newEmail();
    await adminOf(target).createUser(email, password);
    const session = new SessionClient(target.url);
    await session.login(email, password);
    expect((await liveSessions()).filter((s) => s.email === email)).toHaveLength(1);
    expect((await session.request("POST", "/logout")).status).toBe(302);
    expect((await liveSessions()).filter((s) => s.email === email)).toHaveLength(0);
  });

  test("a logout without the CSRF token is refused", async () => {
    const res = await call(target.url, "POST", "/logout");
    expect(res.status).toBe(403);
  });
});

describe("Django's CSRF origin check", () => {
  sessionTest(
    "an unsafe session request from another site's Origin is 403 even with a valid CSRF token",
    async () => {
      const session = target.session();
      await session.login(target.ownerEmail as string, target.ownerPassword as string);
      const path = `/api/organizations/${org}/`;
      const evil = await call(target.url, "PATCH", path, {
        body: {},
        headers: {
          Cookie: session.cookieHeader(),
          "X-CSRFToken": session.cookies.get("posthog_csrftoken") as string,
          Origin: "https://evil.example",
        },
      });
      expect(evil.status).toBe(403);
      expect(evil.json()).toEqual(
        errorBody(
          "authentication_error",
          "permission_denied",
          "CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.",
        ),
      );
      const own = await call(target.url, "PATCH", path, {
        body: {},
        headers: {
          Cookie: session.cookieHeader(),
          "X-CSRFToken": session.cookies.get("posthog_csrftoken") as string,
          Origin: target.url,
        },
      });
      expect(own.status).toBe(200);
    },
  );
});

describe("request bodies", () => {
  test("a name with a NUL character is 400 'Null characters are not allowed.'", async () => {
    const res = await target.owner.post(`/api/organizations/${org}/projects/`, {
      name: `${uniqueName("Nul")}\u0000x`,
    });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual(
      errorBody(
        "validation_error",
        "null_characters_not_allowed",
        "Null characters are not allowed.",
        "name",
      ),
    );
  });

  test("a body that is not UTF-8 is 400 parse_error, not stored with replacement characters", async () => {
    const name = Buffer.concat([Buffer.from('{"name": "Bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await target.owner.post(`/api/organizations/${org}/projects/`, undefined, {
      rawBody: new Uint8Array(name),
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.json<{ type: string; code: string; detail: string }>()).toMatchObject({
      type: "invalid_request",
      code: "parse_error",
    });
    expect(res.json<{ detail: string }>().detail).toMatch(/utf-8/i);
  });
});

describe("lockout (django-axes: 30 failures, 10 minutes)", () => {
  emulatorOnly(
    "repeated wrong passwords lock the client out with 403 too_many_failed_attempts, even with the right one",
    async () => {
      const email = newEmail();
      await adminOf(target).createUser(email, password);
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await call(target.url, "POST", "/api/login", { body: { email, password: `wrong-${i}` } });
        statuses.push(res.status);
        if (i === 29) {
          expect(res.json()).toEqual(
            errorBody(
              "authentication_error",
              "too_many_failed_attempts",
              "Too many failed login attempts. Please try again in 10 minutes.",
            ),
          );
        }
      }
      expect(statuses.slice(0, 29).every((s) => s === 400)).toBe(true);
      expect(statuses[29]).toBe(403);
      const right = await call(target.url, "POST", "/api/login", { body: { email, password } });
      expect(right.status).toBe(403);
      // Unknown emails count too (the same answer, whether the account exists or not).
      expect((await call(target.url, "DELETE", "/_admin/login-failures")).status).toBe(204);
      const after = await call(target.url, "POST", "/api/login", { body: { email, password } });
      expect(after.status).toBe(200);
    },
  );
});
