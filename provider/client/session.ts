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
 *    `X-CSRFToken` header with a same-origin `Referer` (handled in `http.ts`).
 */
import { authenticator } from "otplib";
import { apiError, OperationContext, PostHogApiError, registerSecret } from "./errors";
import { HttpClient, RequestSpec } from "./http";
import { loginSchema } from "./schemas";

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
    if (!this.keyRefused) {
      try {
        return await this.http.request({ ...spec, auth: "key" });
      } catch (err) {
        if (!(err instanceof PostHogApiError) || !err.needsSession) throw err;
        this.keyRefused = true;
        if (!this.canLogIn) throw err;
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
          detail: "This action does not support personal API key access",
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
        body: { token: authenticator.generate(totpSecret) },
        schema: loginSchema,
        auth: "session",
        // A TOTP code is single-use: never resend the same one blindly.
        idempotent: false,
      });
    }
    this.loggedIn = true;
  }
}
