import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { inTransaction } from "../db/database";
import { errors, parseWith } from "../http/errors";
import { booleanField, canonicalUuid, charField, choiceField, isUuid } from "../http/fields";
import { jsonBody } from "../http/body";
import { pageFrom, paginated } from "../http/pagination";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { organizationAccess } from "../auth/guards";
import { Level, type LevelValue } from "../domain";
import { acceptInvite, createInvite, deleteInvite, normalizeInviteEmail } from "../rules/invites";
import { serializeInvite } from "../serializers/invites";
import { serializeMember } from "../serializers/member";

const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

// Writable fields of PostHog's OrganizationInviteSerializer; `send_email` is accepted and ignored
// (posthog-local sends no email, so `emailing_attempt_made` stays false).
const CreateInvite = z.object({
  target_email: charField({ max: 254 }).refine((v) => EMAIL_RE.test(v), "Enter a valid email address."),
  first_name: charField({ max: 30, allowBlank: true }).optional(),
  level: choiceField<LevelValue>([Level.MEMBER, Level.ADMIN, Level.OWNER]).optional(),
  message: charField({ allowBlank: true }).nullable().optional(),
  send_email: booleanField().optional(),
});

const AcceptInvite = z.object({
  password: charField({ max: 128 }).optional(),
  first_name: charField({ max: 150, allowBlank: true }).optional(),
});
const ExpireInvite = z.object({ days: z.number().int().min(1).optional() });

type OrgParams = { Params: { org: string } };
type InviteParams = { Params: { org: string; id: string } };

export function inviteRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  app.get<OrgParams>("/api/organizations/:org/invites", async (request) => {
    const { organization } = organizationAccess(ctx, request, "organization_member:read");
    const page = pageFrom(request);
    const { count, rows } = ctx.repos.invites.list(organization.id, page.limit, page.offset);
    return paginated(
      request,
      page,
      count,
      rows.map((row) => serializeInvite(ctx.repos, row)),
    );
  });

  app.post<OrgParams>("/api/organizations/:org/invites", async (request, reply) => {
    const access = organizationAccess(ctx, request, "organization_member:write");
    const body = parseWith(CreateInvite, jsonBody(request));
    const invite = inTransaction(ctx.db, () =>
      createInvite(ctx.repos, access, (request.principal as NonNullable<typeof request.principal>).user, {
        targetEmail: normalizeInviteEmail(body.target_email),
        firstName: body.first_name ?? "",
        level: body.level ?? Level.MEMBER,
        message: body.message ?? null,
      }),
    );
    return reply.code(201).send(serializeInvite(ctx.repos, invite));
  });
  methodNotAllowedFor(app, "/api/organizations/:org/invites", ["GET", "POST"]);

  app.delete<InviteParams>("/api/organizations/:org/invites/:id", async (request, reply) => {
    const access = organizationAccess(ctx, request, "organization_member:write");
    const id = isUuid(request.params.id) ? canonicalUuid(request.params.id) : "";
    inTransaction(ctx.db, () => deleteInvite(ctx.repos, access, id));
    return reply.code(204).send();
  });
  methodNotAllowedFor(app, "/api/organizations/:org/invites/:id", ["DELETE"]);
}

/**
 * Admin API (loopback only, registered with the other admin routes): the person clicking the
 * invite link, and time passing past the invite's validity.
 */
export function inviteAdminRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;
  const inviteOf = (request: FastifyRequest<{ Params: { id: string } }>) => {
    const invite = isUuid(request.params.id)
      ? ctx.repos.invites.get(canonicalUuid(request.params.id))
      : undefined;
    if (!invite) throw errors.notFound();
    return invite;
  };

  app.post<{ Params: { id: string } }>("/_admin/invites/:id/accept", async (request, reply) => {
    const body = parseWith(AcceptInvite, jsonBody(request));
    const member = inTransaction(ctx.db, () =>
      acceptInvite(ctx.repos, inviteOf(request), {
        password: body.password ?? `accepted-${Math.random().toString(36).slice(2)}-password`,
        firstName: body.first_name,
      }),
    );
    return reply.code(201).send(serializeMember(member));
  });

  app.post<{ Params: { id: string } }>("/_admin/invites/:id/expire", async (request) => {
    const body = parseWith(ExpireInvite, jsonBody(request));
    return inTransaction(ctx.db, () => {
      const invite = inviteOf(request);
      ctx.repos.invites.backdate(invite.id, body.days ?? 4);
      return serializeInvite(ctx.repos, { ...invite, ...ctx.repos.invites.get(invite.id) });
    });
  });
}
