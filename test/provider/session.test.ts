/**
 * The session login against posthog-local over real HTTP, for the logins PostHog Cloud refuses
 * (email MFA, SSO enforcement, the lockout, a lost two-factor session), the preview-time check
 * (`verifyLogin`: once per process, a failure remembered) and the logout (the old cookie stops
 * working).
 */
import { authenticator } from "otplib";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { adminCall } from "../helpers/engine";
import { PostHogApiError, type PostHogClient } from "../../provider/client";
import {
  addMember,
  createKey,
  createUser,
  faultsLeft,
  ownerClient,
  setFaults,
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

const op = { action: "log in for", resource: 'move Project "app"' };

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
async function failure(fn: () => Promise<unknown>): Promise<PostHogApiError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PostHogApiError);
    return err as PostHogApiError;
  }
  throw new Error("expected a failure");
}

/** An admin of the test organization with its own key, and a client for it; `login` sets its login policy. */
async function automationUser(
  prefix: string,
  policy: { email_mfa?: boolean; sso_enforced?: string } = {},
  totpSecret?: string,
): Promise<{ email: string; password: string; client: PostHogClient }> {
  const user = await createUser(
    emu,
    `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`,
    totpSecret,
  );
  await addMember(emu, emu.admin.organizationId, user.email, 8);
  const apiKey = await createKey(emu, user.email);
  if (Object.keys(policy).length > 0)
    await adminCall(
      emu.url,
      "PATCH",
      `/_admin/users/login-policy?email=${encodeURIComponent(user.email)}`,
      policy,
    );
  return { ...user, client: ownerClient(emu, { apiKey, ...user, totpSecret }) };
}

/** Counts the POST /api/login requests posthog-local sees from now on (a 1 ms latency fault with a count). */
async function countLogins(): Promise<() => Promise<number>> {
  const budget = 1000;
  await setFaults(emu, { latencyMs: 1, paths: "^/api/login$", methods: ["POST"], count: budget });
  return async () => budget - ((await faultsLeft(emu)) ?? budget);
}

/** posthog-local's live sessions of one user. */
async function liveSessions(email: string): Promise<number> {
  const body = (await adminCall(emu.url, "GET", "/_admin/sessions")) as {
    sessions: { email: string | null }[];
  };
  return body.sessions.filter((s) => s.email === email).length;
}

/** Neither blames the personal API key nor sends the user to check it. */
function expectKeyNotBlamed(message: string): void {
  expect(message).not.toMatch(/check posthog:apiKey|key is missing, revoked/);
}

describe("logins PostHog Cloud refuses: each message says what to do", () => {
  test("email MFA: turn on TOTP for the account and set posthog:totpSecret; the token is untouched", async () => {
    const user = await automationUser("email-mfa", { email_mfa: true });
    const project = await ownerClient(emu).projects.create(emu.admin.organizationId, { name: unique("MFA") });
    const err = await failure(() => user.client.projects.resetToken(emu.admin.organizationId, project.id));
    expect(err.code).toBe("email_mfa_required");
    expect(err.status).toBe(401);
    expect(err.message).toContain("emailed link (email MFA)");
    expect(err.message).toContain(
      "Turn on two-factor authentication (TOTP) for the account that runs Pulumi",
    );
    expect(err.message).toContain("set posthog:totpSecret");
    expect(err.message).toContain("The personal API key is not at fault.");
    expectKeyNotBlamed(err.message);
    expect(err.message).not.toContain(user.password);
    const after = await ownerClient(emu).projects.get(emu.admin.organizationId, project.id);
    expect(after.api_token).toBe(project.api_token);
  });

  test("the way out works: with TOTP on, an email-MFA account logs in with the code", async () => {
    const seed = authenticator.generateSecret();
    const user = await automationUser("email-mfa-totp", { email_mfa: true }, seed);
    const project = await ownerClient(emu).projects.create(emu.admin.organizationId, {
      name: unique("MFA TOTP"),
    });
    const rotated = await user.client.projects.resetToken(emu.admin.organizationId, project.id);
    expect(rotated.api_token).not.toBe(project.api_token);
  });

  test("SSO enforced: use an account outside the SSO domain, or the PostHog UI", async () => {
    const user = await automationUser("sso", { sso_enforced: "google-oauth2" });
    const err = await failure(() => user.client.session.logIn(op));
    expect([err.status, err.code]).toEqual([400, "sso_enforced"]);
    expect(err.message).toContain("You can only login with SSO for this account");
    expect(err.message).toContain("enforces SSO, so PostHog refuses password logins");
    expect(err.message).toContain("Use an account outside that domain for posthog:email");
    expectKeyNotBlamed(err.message);
  });

  test("locked out after repeated failures: check the password, wait for the cool-off", async () => {
    const wrong = ownerClient(emu, { password: "wrong-password-for-lockout" });
    try {
      let last: PostHogApiError | undefined;
      // axes locks out at its limit (30); the failure that reaches it is answered with the lockout.
      for (let i = 0; i < 30 && last?.code !== "too_many_failed_attempts"; i++)
        last = await failure(() => wrong.session.logIn(op));
      expect(last?.code).toBe("too_many_failed_attempts");
      // Now even the right password is refused.
      const err = await failure(() => ownerClient(emu).session.logIn(op));
      expect([err.status, err.code]).toEqual([403, "too_many_failed_attempts"]);
      expect(err.message).toContain("locked out logins from this address");
      expect(err.message).toContain("wait for the cool-off");
      expectKeyNotBlamed(err.message);
    } finally {
      await fetch(`${emu.url}/_admin/login-failures`, { method: "DELETE" });
    }
  });

  test("invalid 2FA session (the pending login's cookie was lost): run again", async () => {
    const seed = authenticator.generateSecret();
    const user = await automationUser("lost-cookie", {}, seed);
    // A proxy that passes bodies but no headers back: the pending login's session cookie never arrives.
    const proxy = await startRewritingProxy(emu.url, (_m, _p, _s, body) => body);
    try {
      const client = ownerClient(
        { ...emu, url: proxy.url },
        { email: user.email, password: user.password, totpSecret: seed },
      );
      const err = await failure(() => client.session.logIn(op));
      expect([err.status, err.code]).toEqual([400, "invalid_2fa_session"]);
      expect(err.message).toContain("Invalid 2FA session. Please log in again.");
      expect(err.message).toContain("the two-factor step lost its pending login");
      expectKeyNotBlamed(err.message);
    } finally {
      await proxy.close();
    }
  });
});

describe("verifyLogin: the preview-time check", () => {
  test("logs in once per process, however often and concurrently it is asked", async () => {
    const user = await automationUser("verify-once");
    const logins = await countLogins();
    await Promise.all([user.client.session.verifyLogin(op), user.client.session.verifyLogin(op)]);
    await user.client.session.verifyLogin(op);
    expect(await logins()).toBe(1);
    expect(await liveSessions(user.email)).toBe(1);
    await user.client.session.logOut();
  });

  test("a failure is remembered: the second check fails the same way without a second login", async () => {
    const user = await automationUser("verify-fails", { email_mfa: true });
    const logins = await countLogins();
    const first = await failure(() => user.client.session.verifyLogin(op));
    expect(first.code).toBe("email_mfa_required");
    const second = await failure(() => user.client.session.verifyLogin(op));
    expect(second).toBe(first);
    expect(await logins()).toBe(1);
    expect(await liveSessions(user.email)).toBe(0);
  });

  test("without email and password it does nothing (the key's own refusal explains itself)", async () => {
    const client = ownerClient(emu, { email: undefined, password: undefined });
    const logins = await countLogins();
    await client.session.verifyLogin(op);
    expect(await logins()).toBe(0);
  });
});

describe("logOut", () => {
  test("the old session cookie stops working on posthog-local", async () => {
    const user = await automationUser("logout");
    await user.client.session.verifyLogin(op);
    const cookie = await user.client.http.jar.getCookieString(emu.url);
    expect(cookie).toContain("sessionid=");
    const me = () => fetch(`${emu.url}/api/users/@me/`, { headers: { cookie } });
    expect((await me()).status).toBe(200);
    expect(await liveSessions(user.email)).toBe(1);

    await user.client.session.logOut();
    expect([401, 403]).toContain((await me()).status);
    expect(await liveSessions(user.email)).toBe(0);
  });

  test("a later session-only action logs in again", async () => {
    const user = await automationUser("logout-again");
    await user.client.session.verifyLogin(op);
    await user.client.session.logOut();
    const logins = await countLogins();
    const project = await ownerClient(emu).projects.create(emu.admin.organizationId, {
      name: unique("After"),
    });
    const rotated = await user.client.projects.resetToken(emu.admin.organizationId, project.id);
    expect(rotated.api_token).not.toBe(project.api_token);
    expect(await logins()).toBe(1);
    await user.client.session.logOut();
    expect(await liveSessions(user.email)).toBe(0);
  });
});
