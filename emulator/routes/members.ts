import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { organizationAccess } from "../auth/guards";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { Level, type LevelValue } from "../domain";
import { parseWith } from "../http/errors";
import { choiceField } from "../http/fields";
import { jsonBody } from "../http/body";
import { pageFrom, paginated } from "../http/pagination";
import * as rules from "../rules/members";
import { serializeMember } from "../serializers/member";

// Only `level` is writable (posthog/api/organization_member.py); people join by invite, so there
// is no create route here (the admin API adds members for tests).
const UpdateMember = z.object({
  level: choiceField<LevelValue>([Level.MEMBER, Level.ADMIN, Level.OWNER]).optional(),
});

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
    return { ...access, member: rules.findMember(ctx.repos, access.organization.id, request.params.user) };
  };

  app.get<MemberParams>("/api/organizations/:org/members/:user", async (request) => {
    const { organization } = organizationAccess(ctx, request, "organization_member:read");
    return serializeMember(rules.findMember(ctx.repos, organization.id, request.params.user));
  });

  const update = async (request: FastifyRequest<MemberParams>) => {
    const { membership, member } = target(request);
    const body = parseWith(UpdateMember, jsonBody(request));
    return serializeMember(rules.changeLevel(ctx, membership, member, body.level));
  };
  app.patch<MemberParams>("/api/organizations/:org/members/:user", update);
  app.put<MemberParams>("/api/organizations/:org/members/:user", update);

  app.delete<MemberParams>("/api/organizations/:org/members/:user", async (request, reply) => {
    const { membership, member } = target(request);
    rules.removeMember(ctx, membership, member);
    return reply.code(204).send();
  });
  methodNotAllowedFor(app, "/api/organizations/:org/members/:user", ["GET", "PATCH", "PUT", "DELETE"]);
}
