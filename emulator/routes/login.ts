import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { authenticator } from "otplib";
import type { EmulatorContext } from "../context";
import { inTransaction } from "../db/database";
import { verifyPassword } from "../auth/secrets";
import { SESSION_COOKIE, setNewCsrfCookie, setSessionCookie } from "../auth/session-cookies";
import { ApiError, errors, parseWith } from "../http/errors";
import { charField } from "../http/fields";
import { jsonBody } from "../http/body";
import { methodNotAllowedFor } from "../http/routing";
import { TWO_FACTOR_TIMEOUT_SECONDS } from "../repositories/sessions";

// Wire schemas (posthog/api/authentication.py): LoginSerializer and TwoFactorSerializer.
const LoginBody = z.object({
  email: charField().refine((v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), "Enter a valid email address."),
  password: charField({ allowBlank: false }),
});
const TokenBody = z.object({ token: charField() });

// django-otp's TOTP device tolerates one step of clock drift either way.
authenticator.options = { window: 1 };

const twoFactorRequired = () =>
  new ApiError(401, {
    type: "authentication_error",
    code: "2fa_required",
    detail: "2FA is required.",
    attr: null,
  });
const twoFactorExpired = () =>
  errors.validation("Login attempt has expired. Re-enter username/password.", "2fa_expired");

export function loginRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  app.post("/api/login", async (request, reply) => {
    const body = parseWith(LoginBody, jsonBody(request));
    const user = ctx.repos.users.byEmail(body.email);
    if (!user || !verifyPassword(body.password, user.password_hash)) {
      throw errors.validation("Invalid email or password.", "invalid_credentials");
    }
    const previous = request.cookies[SESSION_COOKIE];
    if (user.totp_secret) {
      // The session remembers who passed the password step; `/api/login/token` finishes the login.
      const pending = inTransaction(ctx.db, () => {
        if (previous) ctx.repos.sessions.delete(previous);
        return ctx.repos.sessions.create({ pendingTwoFactorUserId: user.id });
      });
      setSessionCookie(reply, pending);
      throw twoFactorRequired();
    }
    const session = inTransaction(ctx.db, () => {
      // Django cycles the session key on login, so a fixated cookie is worthless afterwards.
      if (previous) ctx.repos.sessions.delete(previous);
      ctx.repos.users.touchLogin(user.id);
      return ctx.repos.sessions.create({ userId: user.id });
    });
    setSessionCookie(reply, session);
    setNewCsrfCookie(reply);
    return { success: true };
  });
  methodNotAllowedFor(app, "/api/login", ["POST"]);

  app.post("/api/login/token", async (request, reply) => {
    const body = parseWith(TokenBody, jsonBody(request));
    const raw = request.cookies[SESSION_COOKIE];
    const pending = raw ? ctx.repos.sessions.get(raw) : undefined;
    if (!raw || !pending?.pending_2fa_user_id || pending.pending_2fa_at === null) throw twoFactorExpired();
    if (Math.floor(Date.now() / 1000) > pending.pending_2fa_at + TWO_FACTOR_TIMEOUT_SECONDS)
      throw twoFactorExpired();
    const user = ctx.repos.users.byId(pending.pending_2fa_user_id);
    if (!user?.totp_secret) throw twoFactorExpired();
    let delta: number | null = null;
    try {
      delta = authenticator.checkDelta(body.token.replace(/\s/g, ""), user.totp_secret);
    } catch {
      delta = null;
    }
    if (delta === null) throw errors.validation("Invalid authentication code", "2fa_invalid");
    const step = Math.floor(Date.now() / 1000 / authenticator.allOptions().step) + delta;
    const session = inTransaction(ctx.db, () => {
      // A code is good once: a second login with the same code is refused like a wrong one.
      if (!ctx.repos.users.acceptTotpStep(user.id, step)) return undefined;
      ctx.repos.sessions.delete(raw);
      ctx.repos.users.touchLogin(user.id);
      return ctx.repos.sessions.create({ userId: user.id });
    });
    if (!session) throw errors.validation("Invalid authentication code", "2fa_invalid");
    setSessionCookie(reply, session);
    setNewCsrfCookie(reply);
    return { success: true };
  });
  methodNotAllowedFor(app, "/api/login/token", ["POST"]);
}
