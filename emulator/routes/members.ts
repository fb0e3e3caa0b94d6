import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { inTransaction } from "../db/database";
import { errors, parseWith } from "../http/errors";
import { choiceField } from "../http/fields";
import { jsonBody } from "../http/body";
import { pageFrom, paginated } from "../http/pagination";
import { methodNotAllowedFor } from "../http/routing";
import { Level, type LevelValue, type MemberWithUser, type MembershipRow } from "../repositories/members";
import { organizationAccess } from "./organizations";

// Only `level` is writable (posthog/api/organization_member.py); people join by invite, so there
// is no create route here (the admin API adds members for tests).
const UpdateMember = z.object({
  level: choiceField<LevelValue>([Level.MEMBER, Level.ADMIN, Level.OWNER]).optional(),
});

export function serializeMember(member: MemberWithUser) {
  return {
    id: member.id,
    user: {
      id: member.user_id,
      uuid: member.user_uuid,
      distinct_id: member.distinct_id,
      first_name: member.first_name,
      last_name: member.last_name,
      email: member.email,
      is_email_verified: true,
      hedgehog_config: null,
      role_at_organization: null,
    },
    level: member.level,
    joined_at: member.joined_at,
    updated_at: member.updated_at,
    is_2fa_enabled: member.totp_secret !== null,
    has_social_auth: false,
    last_login: member.last_login,
  };
}

/**
 * PostHog's `OrganizationMembership.validate_update`, messages verbatim. Runs every check before
 * anything is written so a refused change leaves no trace.
 */
function validateUpdate(requester: MembershipRow, target: MembershipRow, newLevel?: LevelValue): void {
  if (newLevel !== undefined) {
    if (target.id === requester.id) throw errors.permissionDenied("You can't change your own access level.");
    if (newLevel === Level.OWNER) {
      if (requester.level !== Level.OWNER) {
        throw errors.permissionDenied("You can only pass on organization ownership if you're its owner.");
      }
    } else if (newLevel > requester.level) {
      throw errors.permissionDenied(
        "You can only change access level of others to lower or equal to your current one.",
      );
    }
  }
  if (target.id !== requester.id) {
    if (requester.level < Level.ADMIN)
      throw errors.permissionDenied("You can only edit others if you are an admin.");
    if (target.level > requester.level) {
      throw errors.permissionDenied("You can only edit others with level lower or equal to you.");
    }
  }
}

export function memberRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;
  type MemberParams = { Params: { org: string; user: string } };

  app.get<{ Params: { org: string } }>("/api/organizations/:org/members", async (request) => {
    const { organization } = organizationAccess(ctx, request, "organization_member:read");
    const page = pageFrom(request);
    const { count, rows } = ctx.repos.members.list(organization.id, page.limit, page.offset);
    return paginated(request, page, count, rows.map(serializeMember));
  });
  methodNotAllowedFor(app, "/api/organizations/:org/members", ["GET"]);

  const target = (request: FastifyRequest<MemberParams>) => {
    const access = organizationAccess(ctx, request, "organization_member:write");
    const member = ctx.repos.members.getWithUser(access.organization.id, request.params.user.toLowerCase());
    if (!member) throw errors.notFound();
    return { ...access, member };
  };

  app.get<MemberParams>("/api/organizations/:org/members/:user", async (request) => {
    const { organization } = organizationAccess(ctx, request, "organization_member:read");
    const member = ctx.repos.members.getWithUser(organization.id, request.params.user.toLowerCase());
    if (!member) throw errors.notFound();
    return serializeMember(member);
  });

  const update = async (request: FastifyRequest<MemberParams>) => {
    const { organization, membership, member } = target(request);
    const body = parseWith(UpdateMember, jsonBody(request));
    validateUpdate(membership, member, body.level);
    inTransaction(ctx.db, () => {
      if (body.level === undefined) return;
      if (body.level === Level.OWNER) {
        // One owner per organization: handing ownership over makes the old owner an admin.
        ctx.repos.members.setLevel(membership.id, Level.ADMIN);
      }
      ctx.repos.members.setLevel(member.id, body.level);
    });
    return serializeMember(
      ctx.repos.members.getWithUser(organization.id, member.user_uuid) as MemberWithUser,
    );
  };
  app.patch<MemberParams>("/api/organizations/:org/members/:user", update);
  app.put<MemberParams>("/api/organizations/:org/members/:user", update);

  app.delete<MemberParams>("/api/organizations/:org/members/:user", async (request, reply) => {
    const { membership, member } = target(request);
    validateUpdate(membership, member);
    if (member.level === Level.OWNER) {
      // Emulator rule: an organization always keeps its owner (PostHog's UI requires a transfer first).
      throw errors.permissionDenied("The organization owner cannot be removed. Pass on ownership first.");
    }
    inTransaction(ctx.db, () => ctx.repos.members.remove(member.id));
    return reply.code(204).send();
  });
  methodNotAllowedFor(app, "/api/organizations/:org/members/:user", ["GET", "PATCH", "PUT", "DELETE"]);
}
