import { authenticator } from "otplib";
import { inTransaction } from "../db/database";
import { ApiError, errors } from "../http/errors";
import type { Store } from "../repositories";
import type { UserRow } from "../repositories/users";
import { verifyPassword } from "../secrets";

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

/** The password step: the user with this email and password, or PostHog's 400. */
export function checkPassword({ repos }: Store, email: string, password: string): UserRow {
  const user = repos.users.byEmail(email);
  if (!user || !verifyPassword(password, user.password_hash)) {
    throw errors.validation("Invalid email or password.", "invalid_credentials");
  }
  return user;
}

/**
 * Starts a session for a user who passed the password step, replacing `previous` (Django cycles
 * the session key on login, so a fixated cookie is worthless afterwards). A user with TOTP gets a
 * pending session that only remembers who passed the password step; `/api/login/token` finishes it.
 */
export function startLogin(
  { db, repos }: Store,
  user: UserRow,
  previous: string | undefined,
): { session: string; twoFactorPending: boolean } {
  return inTransaction(db, () => {
    if (previous) repos.sessions.delete(previous);
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
  if (!pendingSession || !pending?.pending_2fa_user_id || pending.pending_2fa_at === null)
    throw twoFactorExpired();
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
