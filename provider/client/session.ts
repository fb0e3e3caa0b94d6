/**
 * Session login, for exactly the two actions PostHog refuses to personal API keys:
 * `reset_token` and `change_organization` (they declare no API scopes, so PostHog
 * answers a `phx_` key with 403 "This action does not support personal API key
 * access"; posthog/api/project.py).
 *
 * The flow follows posthog/api/authentication.py and Django's settings in
 * posthog/settings/web.py:
 * 1. `POST /api/login` `{email, password}` sets the `sessionid` cookie, or answers 401
 *    `2fa_required` and remembers the half-done login in the session;
 * 2. then `POST /api/login/token` `{token}` with a TOTP code computed from the
 *    configured seed (otplib) completes it;
 * 3. unsafe requests in the session echo the `posthog_csrftoken` cookie in the
 *    `X-CSRFToken` header with a same-origin `Referer` (handled in `http.ts`);
 * 4. `POST /logout` when the process is done, so no 14-day session is left on the account.
 *
 * PostHog Cloud may refuse the login for reasons a password cannot fix (email MFA, SSO
 * enforcement, a lockout): {@link Session.verifyLogin} finds out at preview, and the error
 * factory's hints say what to do.
 */
import { z } from "zod";
import { apiError, OperationContext, PostHogApiError, registerSecret } from "./errors";
import { HttpClient, RequestSpec } from "./http";
import { totpLibrary } from "./libraries";
import { loginSchema } from "./schemas";

/** How long a log out may hold up the process's exit (the engine kills plugins 5 s after SIGINT). */
const LOGOUT_TIMEOUT_MS = 3_000;

/**
 * Sessions logged in by this process. The engine keeps a provider process for the whole
 * operation and then interrupts it (SIGINT, then SIGKILL after 5 s); plain Node programs end
 * with `beforeExit`. Both are the moment the process is done with its sessions: log them out.
 */
const liveSessions = new Set<Session>();
let exitHooksInstalled = false;

async function logOutAll(): Promise<void> {
  const sessions = [...liveSessions];
  await Promise.race([
    Promise.allSettled(sessions.map((s) => s.logOut())),
    new Promise((resolve) => setTimeout(resolve, LOGOUT_TIMEOUT_MS).unref()),
  ]);
}

function onSignal(signal: NodeJS.Signals): void {
  void logOutAll().finally(() => {
    uninstallExitHooks();
    // Re-raise with no handler left, so the process ends as it would have without us.
    process.kill(process.pid, signal);
  });
}
const onBeforeExit = (): void => {
  if (liveSessions.size > 0) void logOutAll();
};

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.on("beforeExit", onBeforeExit);
}

function uninstallExitHooks(): void {
  exitHooksInstalled = false;
  process.removeListener("SIGINT", onSignal);
  process.removeListener("SIGTERM", onSignal);
  process.removeListener("beforeExit", onBeforeExit);
}

/** Session settings, from the provider config. */
export interface SessionSettings {
  readonly email?: string;
  readonly password?: string;
  /** Base32 TOTP seed of the account's authenticator, when it uses 2FA. */
  readonly totpSecret?: string;
  /** Skip the personal API key for session-only actions and log in straight away. */
  readonly sessionOnlyActions?: boolean;
}

/** Runs session-only actions: with the key when PostHog accepts it, else in a session. */
export class Session {
  private loggedIn = false;
  private pendingLogin: Promise<void> | undefined;
  /** Set once PostHog refused the key on a session-only action: later calls go straight to the session. */
  private keyRefused: boolean;
  /** The preview-time login check, made once per process; a failure is remembered. */
  private verification: Promise<void> | undefined;
  /** Set once PostHog accepted the key on a session-only action: no more probing. */
  private keyAccepted = false;
  /** The first key attempt in flight: parallel actions wait for its answer instead of each being refused. */
  private keyProbe: Promise<void> | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly settings: SessionSettings,
  ) {
    this.keyRefused = settings.sessionOnlyActions === true;
    registerSecret(settings.password);
    registerSecret(settings.totpSecret);
  }

  /** Whether email and password are configured. */
  get canLogIn(): boolean {
    return Boolean(this.settings.email && this.settings.password);
  }

  /**
   * Sends a session-only action. Tries the personal API key first (PostHog may accept
   * it on some deployments) unless `sessionOnlyActions` is set; on the 403 refusal,
   * logs in and sends it in the session. Never sends the same action twice except
   * after a definite refusal, so it is safe for non-idempotent actions.
   */
  async send<T>(spec: RequestSpec<T>): Promise<T> {
    while (!this.keyRefused && !this.keyAccepted && this.keyProbe) await this.keyProbe;
    if (!this.keyRefused) {
      let settle: (() => void) | undefined;
      if (!this.keyAccepted) this.keyProbe = new Promise<void>((resolve) => (settle = resolve));
      try {
        const result = await this.http.request({ ...spec, auth: "key" });
        this.keyAccepted = true;
        return result;
      } catch (err) {
        if (!(err instanceof PostHogApiError) || !err.needsSession) throw err;
        this.keyRefused = true;
        if (!this.canLogIn) throw err;
      } finally {
        if (settle) {
          this.keyProbe = undefined;
          settle();
        }
      }
    }
    await this.logIn(spec.op);
    try {
      return await this.http.request({ ...spec, auth: "session" });
    } catch (err) {
      // An expired session is a definite refusal (nothing done): log in again once.
      if (err instanceof PostHogApiError && (err.status === 401 || err.code === "not_authenticated")) {
        this.loggedIn = false;
        await this.logIn(spec.op);
        return this.http.request({ ...spec, auth: "session" });
      }
      throw err;
    }
  }

  /**
   * Logs in once per process (the cookie jar keeps the session). Concurrent callers
   * share one login: parallel logins would each send the same TOTP code, which PostHog
   * accepts only once, and would run into its login throttle.
   */
  logIn(op: OperationContext): Promise<void> {
    if (this.loggedIn) return Promise.resolve();
    this.pendingLogin ??= this.performLogIn(op).finally(() => {
      this.pendingLogin = undefined;
    });
    return this.pendingLogin;
  }

  /**
   * Checks, once per process, that the session login works: logs in and makes one harmless
   * session request (`GET /api/users/@me/`). `diff` calls it at preview for plans with a
   * session-only action, so an account PostHog will not let Pulumi log in (email MFA, SSO,
   * lockout) fails the preview instead of the `up` halfway through. Without email and password
   * it does nothing: the personal key is tried first, and its refusal explains itself.
   */
  verifyLogin(op: OperationContext): Promise<void> {
    if (!this.canLogIn) return Promise.resolve();
    this.verification ??= (async () => {
      await this.logIn(op);
      await this.http.request({
        op: { action: "check the session login for", resource: op.resource },
        method: "GET",
        // Literal: apiPath would encode the "@", and routers that match the raw path miss it.
        path: "/api/users/@me/",
        schema: z.looseObject({ email: z.string() }),
        auth: "session",
      });
    })();
    return this.verification;
  }

  /**
   * Ends the session with PostHog's logout (`POST /logout`, Django's view: it flushes the
   * session and answers 302 to the login page), so the cookie stops working at once. Called
   * when the process is done; a failure is ignored (the session then expires by itself).
   */
  async logOut(): Promise<void> {
    liveSessions.delete(this);
    if (liveSessions.size === 0) uninstallExitHooks();
    if (!this.loggedIn) return;
    this.loggedIn = false;
    this.verification = undefined;
    try {
      await this.http.request({
        op: { action: "log out of PostHog as", resource: this.settings.email ?? "the session user" },
        method: "POST",
        path: "/logout",
        schema: z.unknown(),
        auth: "session",
        idempotent: true,
      });
    } catch (err) {
      // Django's logout answers with a redirect to the login page: that is success.
      if (err instanceof PostHogApiError && err.status === 302) return;
      this.http.note(`logout failed (the session expires by itself): ${(err as Error).message}`);
    }
  }

  private async performLogIn(op: OperationContext): Promise<void> {
    const { email, password, totpSecret } = this.settings;
    if (!email || !password) {
      throw apiError(
        {
          operation: op,
          method: "POST",
          path: "/api/login",
          status: 403,
          code: "permission_denied",
          detail: "This action does not support Personal API Key access",
          attr: null,
          ambiguous: false,
        },
        { host: this.http.host },
      );
    }
    const loginOp: OperationContext = { action: "log in to PostHog as", resource: email };
    try {
      await this.http.request({
        op: loginOp,
        method: "POST",
        path: "/api/login",
        body: { email, password },
        schema: loginSchema,
        auth: "session",
        idempotent: true,
      });
    } catch (err) {
      if (!(err instanceof PostHogApiError) || err.code !== "2fa_required" || !totpSecret) throw err;
      await this.http.request({
        op: { action: "complete two-factor login for", resource: email },
        method: "POST",
        path: "/api/login/token",
        body: { token: totpLibrary().authenticator.generate(totpSecret) },
        schema: loginSchema,
        auth: "session",
        // A TOTP code is single-use: never resend the same one blindly.
        idempotent: false,
      });
    }
    this.loggedIn = true;
    liveSessions.add(this);
    installExitHooks();
  }
}
