import { authenticator } from "otplib";
import { inTransaction } from "../db/database";
import { ApiError, errors } from "../http/errors";
import type { Store } from "../repositories";
import type { UserRow } from "../repositories/users";
import { hashPassword, randomString, safeEqual, verifyPassword as verifyPasswordHash } from "../secrets";

/**
 * Every rule about logging in (posthog/api/authentication.py and django-otp): the password step,
 * the pending two-factor login and its timeout, TOTP codes that are good once, and Django's
 * session key cycling. Cookies are the route's business; these functions return raw session keys.
 */

/** How long a password-verified login may wait for its TOTP step (TWO_FACTOR_LOGIN_TIMEOUT). */
export const TWO_FACTOR_TIMEOUT_SECONDS = 600;

// django-otp's TOTP device tolerates one step of clock drift either way.
authenticator.options = { window: 1 };

export const twoFactorRequired = () =>
  new ApiError(401, {
    type: "authentication_error",
    code: "2fa_required",
    detail: "2FA is required.",
    attr: null,
  });
const twoFactorExpired = () =>
  errors.validation("Login attempt has expired. Re-enter username/password.", "2fa_expired");
const invalidCode = () => errors.validation("Invalid authentication code", "2fa_invalid");

/** django-axes as PostHog configures it (posthog/settings/web.py): 30 failures, 10 minutes cool-off. */
export const LOGIN_FAILURE_LIMIT = 30;
export const LOGIN_COOLOFF_SECONDS = 600;
/** How long an emailed login link stays good (PostHog's email MFA tokens expire after 10 minutes). */
export const EMAIL_MFA_TOKEN_SECONDS = 600;

const nowSeconds = () => Math.floor(Date.now() / 1000);

export const lockedOut = () =>
  new ApiError(403, {
    type: "authentication_error",
    code: "too_many_failed_attempts",
    detail: `Too many failed login attempts. Please try again in ${LOGIN_COOLOFF_SECONDS / 60} minutes.`,
    attr: null,
  });
export const emailMfaRequired = (email: string) =>
  new ApiError(401, { type: "authentication_error", code: "email_mfa_required", detail: email, attr: null });
const ssoEnforced = (provider: string) =>
  errors.validation(`You can only login with SSO for this account (${provider}).`, "sso_enforced");
const invalidTwoFactorSession = () =>
  errors.validation("Invalid 2FA session. Please log in again.", "invalid_2fa_session");
const invalidEmailLink = () =>
  errors.validation("This verification link is invalid or has expired.", "invalid_token", "token");

/**
 * Login state PostHog keeps in its cache rather than its database: django-axes' failure counts
 * (keyed by client address, as axes' default lockout parameter is the IP) and the email MFA links
 * sent (the outbox the admin API reveals, standing in for the user's mailbox).
 */
export class LoginState {
  /**
   * The password check, injectable so a test can count which hashes a login verified (that an
   * unknown email costs a check too) without measuring time.
   */
  constructor(readonly verifyPassword: (password: string, hash: string) => boolean = verifyPasswordHash) {}

  private readonly failures = new Map<string, { count: number; lastAt: number }>();
  private readonly outbox = new Map<number, { token: string; sentAt: number }>();

  isLockedOut(address: string): boolean {
    const entry = this.failures.get(address);
    if (!entry) return false;
    // The cache entry expires a cool-off after the last failure.
    if (nowSeconds() - entry.lastAt >= LOGIN_COOLOFF_SECONDS) {
      this.failures.delete(address);
      return false;
    }
    return entry.count >= LOGIN_FAILURE_LIMIT;
  }

  /** Counts a failed password; true when this failure reaches the limit (axes answers it with the lockout). */
  recordFailure(address: string): boolean {
    this.isLockedOut(address); // drops an expired entry
    const count = (this.failures.get(address)?.count ?? 0) + 1;
    this.failures.set(address, { count, lastAt: nowSeconds() });
    return count >= LOGIN_FAILURE_LIMIT;
  }

  /** axes' reset: forgets every failure (admin API). */
  resetFailures(): void {
    this.failures.clear();
  }

  sendEmailLink(userId: number): void {
    this.outbox.set(userId, { token: randomString(48), sentAt: nowSeconds() });
  }

  /** The last link sent to the user, if still good (admin API: the test's mailbox). */
  pendingEmailLink(userId: number): string | undefined {
    const sent = this.outbox.get(userId);
    if (!sent || nowSeconds() - sent.sentAt > EMAIL_MFA_TOKEN_SECONDS) return undefined;
    return sent.token;
  }

  /** Whether `token` is the user's live link; a link is good once. */
  consumeEmailLink(userId: number, token: string): boolean {
    const pending = this.pendingEmailLink(userId);
    if (pending === undefined || !safeEqual(pending, token)) return false;
    this.outbox.delete(userId);
    return true;
  }
}

// Checked for unknown emails so a wrong password takes as long whether or not the account exists.
let dummyHash: string | undefined;

/**
 * The password step, in PostHog's order: SSO enforcement (before any password check), axes'
 * lockout, then the password. Throws PostHog's 400/403; returns the user.
 */
export function checkPassword(
  { repos, login }: Store & { login: LoginState },
  email: string,
  password: string,
  address: string,
): UserRow {
  const user = repos.users.byEmail(email);
  if (user?.sso_enforced) throw ssoEnforced(user.sso_enforced);
  if (login.isLockedOut(address)) throw lockedOut();
  dummyHash ??= hashPassword(randomString(32));
  const ok = login.verifyPassword(password, user ? user.password_hash : dummyHash) && user !== undefined;
  if (!ok) {
    if (login.recordFailure(address)) throw lockedOut();
    throw errors.validation("Invalid email or password.", "invalid_credentials");
  }
  return user;
}

/**
 * Starts a session for a user who passed the password step, replacing `previous` (Django cycles
 * the session key on login, so a fixated cookie is worthless afterwards). A user with TOTP gets a
 * pending session that only remembers who passed the password step; `/api/login/token` finishes it.
 * A user without TOTP whose account has email MFA gets no session: a link is "emailed" (kept in
 * `login`'s outbox) and PostHog's 401 `email_mfa_required` thrown; `/api/login/email-mfa` finishes it.
 */
export function startLogin(
  { db, repos, login }: Store & { login: LoginState },
  user: UserRow,
  previous: string | undefined,
): { session: string; twoFactorPending: boolean } {
  return inTransaction(db, () => {
    if (previous) repos.sessions.delete(previous);
    if (!user.totp_secret && user.email_mfa) {
      login.sendEmailLink(user.id);
      throw emailMfaRequired(user.email);
    }
    if (user.totp_secret) {
      return { session: repos.sessions.create({ pendingTwoFactorUserId: user.id }), twoFactorPending: true };
    }
    repos.users.touchLogin(user.id);
    return { session: repos.sessions.create({ userId: user.id }), twoFactorPending: false };
  });
}

/**
 * The TOTP step: `pendingSession` must hold a password-verified login younger than
 * {@link TWO_FACTOR_TIMEOUT_SECONDS}, and `token` a code for the user's secret that was not used
 * before (a code is good once). Returns the new session, which replaces the pending one.
 */
export function completeTwoFactorLogin(
  { db, repos }: Store,
  pendingSession: string | undefined,
  token: string,
): string {
  const pending = pendingSession ? repos.sessions.get(pendingSession) : undefined;
  // No password step in this session at all: PostHog's "invalid 2FA session".
  if (!pendingSession || !pending?.pending_2fa_user_id || pending.pending_2fa_at === null)
    throw invalidTwoFactorSession();
  if (Math.floor(Date.now() / 1000) > pending.pending_2fa_at + TWO_FACTOR_TIMEOUT_SECONDS)
    throw twoFactorExpired();
  const user = repos.users.byId(pending.pending_2fa_user_id);
  if (!user?.totp_secret) throw twoFactorExpired();
  let delta: number | null = null;
  try {
    delta = authenticator.checkDelta(token.replace(/\s/g, ""), user.totp_secret);
  } catch {
    delta = null;
  }
  if (delta === null) throw invalidCode();
  const step = Math.floor(Date.now() / 1000 / authenticator.allOptions().step) + delta;
  const session = inTransaction(db, () => {
    if (!repos.users.acceptTotpStep(user.id, step)) return undefined;
    repos.sessions.delete(pendingSession);
    repos.users.touchLogin(user.id);
    return repos.sessions.create({ userId: user.id });
  });
  // A replayed code is refused like a wrong one.
  if (!session) throw invalidCode();
  return session;
}

/** The emailed-link step: the user's live link, good once, starts a full session. */
export function completeEmailMfaLogin(
  { db, repos, login }: Store & { login: LoginState },
  email: string,
  token: string,
  previous: string | undefined,
): string {
  const user = repos.users.byEmail(email);
  if (!user || !login.consumeEmailLink(user.id, token)) throw invalidEmailLink();
  return inTransaction(db, () => {
    if (previous) repos.sessions.delete(previous);
    repos.users.touchLogin(user.id);
    return repos.sessions.create({ userId: user.id });
  });
}

/** Django's logout: the session is flushed, so its cookie stops working at once. */
export function logOut({ repos }: Store, session: string | undefined): void {
  if (session) repos.sessions.delete(session);
}
