import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { visibleOrganizations } from "../auth/access";
import { authenticate } from "../auth/authenticate";
import { organizationAccess } from "../auth/guards";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { rejectTeamScopedKey, requireScope } from "../auth/scopes";
import { Level } from "../domain";
import { parseWith } from "../http/errors";
import { booleanField, charField } from "../http/fields";
import { jsonBody } from "../http/body";
import { pageFrom, paginated } from "../http/pagination";
import * as rules from "../rules/organizations";
import { serializeOrganization } from "../serializers/organization";

// Wire schemas (posthog/api/organization.py): `name` is required on create, max 64; the flags are
// writable; everything else (slug, plan features, counts) is read-only and silently ignored.
const writableFlags = {
  enforce_2fa: booleanField().nullable().optional(),
  members_can_invite: booleanField().optional(),
  members_can_use_personal_api_keys: booleanField().optional(),
  is_member_join_email_enabled: booleanField().optional(),
  allow_publicly_shared_resources: booleanField().optional(),
};
const CreateOrganization = z.object({ name: charField({ max: 64 }), ...writableFlags });
const UpdateOrganization = z.object({ name: charField({ max: 64 }).optional(), ...writableFlags });

export function organizationRoutes(app: FastifyInstance): void {
  const ctx = app.emulator;
  type OrgParams = { Params: { org: string } };

  app.get("/api/organizations", async (request) => {
    const principal = authenticate(ctx, request);
    rejectTeamScopedKey(principal.key);
    requireScope(principal.key, "organization:read");
    const page = pageFrom(request);
    const all = visibleOrganizations(ctx, principal);
    const results = all
      .slice(page.offset, page.offset + page.limit)
      .map((o) => serializeOrganization(ctx.repos, o, o.level));
    return paginated(request, page, all.length, results);
  });

  app.post("/api/organizations", async (request, reply) => {
    const principal = authenticate(ctx, request);
    rejectTeamScopedKey(principal.key);
    requireScope(principal.key, "organization:write");
    const body = parseWith(CreateOrganization, jsonBody(request));
    const created = rules.createOrganization(ctx, principal.user, body);
    return reply.code(201).send(serializeOrganization(ctx.repos, created, Level.OWNER));
  });
  methodNotAllowedFor(app, "/api/organizations", ["GET", "POST"]);

  app.get<OrgParams>("/api/organizations/:org", async (request) => {
    const { organization, membership } = organizationAccess(ctx, request, "organization:read");
    return serializeOrganization(ctx.repos, organization, membership.level);
  });

  const update = (partial: boolean) => async (request: FastifyRequest<OrgParams>) => {
    const { organization, membership } = organizationAccess(ctx, request, "organization:write");
    rules.requireCanUpdate(membership);
    const body = parseWith(partial ? UpdateOrganization : CreateOrganization, jsonBody(request));
    const updated = rules.updateOrganization(ctx, organization, body);
    return serializeOrganization(ctx.repos, updated, membership.level);
  };
  app.patch<OrgParams>("/api/organizations/:org", update(true));
  app.put<OrgParams>("/api/organizations/:org", update(false));

  app.delete<OrgParams>("/api/organizations/:org", async (request, reply) => {
    const { organization, membership } = organizationAccess(ctx, request, "organization:write");
    rules.requireCanDelete(membership);
    rules.deleteOrganization(ctx, organization);
    return reply.code(204).send();
  });
  methodNotAllowedFor(app, "/api/organizations/:org", ["GET", "PATCH", "PUT", "DELETE"]);
}
