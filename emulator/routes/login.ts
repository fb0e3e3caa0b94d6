import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { checkCsrf } from "../auth/authenticate";
import {
  SESSION_COOKIE,
  clearSessionCookie,
  setNewCsrfCookie,
  setSessionCookie,
} from "../auth/session-cookies";
import { parseWith } from "../http/errors";
import { charField } from "../http/fields";
import { jsonBody } from "../http/body";
import * as rules from "../rules/sessions";

// Wire schemas (posthog/api/authentication.py): LoginSerializer and TwoFactorSerializer.
const LoginBody = z.object({
  email: charField().refine((v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), "Enter a valid email address."),
  password: charField({ allowBlank: false }),
});
const TokenBody = z.object({ token: charField() });
const EmailMfaBody = z.object({ email: charField(), token: charField() });

export function loginRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  app.post("/api/login", async (request, reply) => {
    const body = parseWith(LoginBody, jsonBody(request));
    const user = rules.checkPassword(ctx, body.email, body.password, request.ip);
    const { session, twoFactorPending } = rules.startLogin(ctx, user, request.cookies[SESSION_COOKIE]);
    setSessionCookie(reply, session);
    if (twoFactorPending) throw rules.twoFactorRequired();
    setNewCsrfCookie(reply);
    return { success: true };
  });
  methodNotAllowedFor(app, "/api/login", ["POST"]);

  app.post("/api/login/token", async (request, reply) => {
    const body = parseWith(TokenBody, jsonBody(request));
    const session = rules.completeTwoFactorLogin(ctx, request.cookies[SESSION_COOKIE], body.token);
    setSessionCookie(reply, session);
    setNewCsrfCookie(reply);
    return { success: true };
  });
  methodNotAllowedFor(app, "/api/login/token", ["POST"]);

  app.post("/api/login/email-mfa", async (request, reply) => {
    const body = parseWith(EmailMfaBody, jsonBody(request));
    const session = rules.completeEmailMfaLogin(ctx, body.email, body.token, request.cookies[SESSION_COOKIE]);
    setSessionCookie(reply, session);
    setNewCsrfCookie(reply);
    return { success: true };
  });
  methodNotAllowedFor(app, "/api/login/email-mfa", ["POST"]);

  // Django's logout view (posthog/urls.py `logout`, csrf_protect): the session is flushed and the
  // browser sent to the login page. PostHog runs Django 5, whose LogoutView accepts POST only.
  app.post("/logout", async (request, reply) => {
    checkCsrf(request);
    rules.logOut(ctx, request.cookies[SESSION_COOKIE]);
    clearSessionCookie(reply);
    return reply.code(302).header("location", "/login").send();
  });
  methodNotAllowedFor(app, "/logout", ["POST"]);
}
