import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { errors, parseWith } from "../http/errors";
import { charField } from "../http/fields";
import { jsonBody } from "../http/body";

// Admin API for logins (not part of PostHog): the per-user login policies PostHog Cloud decides
// for itself (email MFA, SSO enforcement), the mailbox an emailed login link goes to, the live
// sessions (so tests can check that a client logged out), and axes' reset. Registered in the
// admin scope, so loopback callers only.

const LoginPolicy = z.object({
  email_mfa: z.boolean({ error: "Must be a valid boolean." }).optional(),
  sso_enforced: charField({ max: 64 }).nullable().optional(),
});
const EmailQuery = z.object({ email: charField() });

export function adminLoginRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  const userByEmail = (email: string) => {
    const user = ctx.repos.users.byEmail(email);
    if (!user) throw errors.notFound("User not found.");
    return user;
  };

  app.patch("/_admin/users/login-policy", async (request) => {
    const query = parseWith(EmailQuery, request.query ?? {}, "query");
    const body = parseWith(LoginPolicy, jsonBody(request));
    const user = userByEmail(query.email);
    ctx.repos.users.setLoginPolicy(user.id, { emailMfa: body.email_mfa, ssoEnforced: body.sso_enforced });
    const updated = userByEmail(query.email);
    return { email: updated.email, email_mfa: updated.email_mfa === 1, sso_enforced: updated.sso_enforced };
  });

  // The test's stand-in for the user's mailbox: the last login link emailed, while it is good.
  app.get("/_admin/email-mfa", async (request) => {
    const query = parseWith(EmailQuery, request.query ?? {}, "query");
    const user = userByEmail(query.email);
    const token = ctx.login.pendingEmailLink(user.id);
    if (token === undefined) throw errors.notFound("No login link is pending for this user.");
    return { email: user.email, token };
  });

  app.get("/_admin/sessions", async () => {
    const sessions = ctx.repos.sessions.listLive().map((s) => ({
      email: ctx.repos.users.byId(s.user_id)?.email ?? null,
      created_at: new Date(s.created_at * 1000).toISOString(),
      expires_at: new Date(s.expires_at * 1000).toISOString(),
    }));
    return { count: sessions.length, sessions };
  });

  app.delete("/_admin/login-failures", async (_request, reply) => {
    ctx.login.resetFailures();
    return reply.code(204).send();
  });
}
