import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { SESSION_COOKIE, setNewCsrfCookie, setSessionCookie } from "../auth/session-cookies";
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

export function loginRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  app.post("/api/login", async (request, reply) => {
    const body = parseWith(LoginBody, jsonBody(request));
    const user = rules.checkPassword(ctx, body.email, body.password);
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
}
