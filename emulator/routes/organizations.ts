import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { inTransaction } from "../db/database";
import { authenticate, type Principal } from "../auth/authenticate";
import {
  organizationForMember,
  requireLevel,
  visibleOrganizations,
  type OrganizationAccess,
} from "../auth/access";
import { rejectTeamScopedKey, requireScope, requireScopedOrganization, type Scope } from "../auth/scopes";
import { createOrganizationFor, featuresForPlan } from "../domain";
import { parseWith } from "../http/errors";
import { booleanField, canonicalUuid, charField, isUuid } from "../http/fields";
import { jsonBody } from "../http/body";
import { pageFrom, paginated } from "../http/pagination";
import { methodNotAllowedFor } from "../http/routing";
import { Level } from "../repositories/members";
import type { OrganizationRow } from "../repositories/organizations";

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

const bool = (v: number) => v === 1;

/** The organization as PostHog's OrganizationSerializer shows it to a member. */
export function serializeOrganization(ctx: EmulatorContext, org: OrganizationRow, membershipLevel: number) {
  const projects = ctx.repos.projects.liveInOrganization(org.id);
  return {
    id: org.id,
    name: org.name,
    slug: org.slug,
    logo_media_id: null,
    created_at: org.created_at,
    updated_at: org.updated_at,
    membership_level: membershipLevel,
    plugins_access_level: 9,
    teams: projects.map((p) => ({
      id: p.id,
      uuid: p.uuid,
      organization: p.organization_id,
      api_token: p.api_token,
      name: p.name,
    })),
    projects: projects.map((p) => ({ id: p.id, organization_id: p.organization_id, name: p.name })),
    available_product_features: featuresForPlan(org.plan),
    is_member_join_email_enabled: bool(org.is_member_join_email_enabled),
    metadata: {},
    customer_id: null,
    enforce_2fa: org.enforce_2fa === null ? null : bool(org.enforce_2fa),
    members_can_invite: bool(org.members_can_invite),
    members_can_use_personal_api_keys: bool(org.members_can_use_personal_api_keys),
    allow_publicly_shared_resources: bool(org.allow_publicly_shared_resources),
    member_count: ctx.repos.organizations.memberCount(org.id),
    is_ai_data_processing_approved: null,
    default_experiment_stats_method: "bayesian",
  };
}

/**
 * The checks every organization-level route makes, in PostHog's order: a project-scoped key is
 * refused, then the key's scope, then its organization restriction, then membership (404).
 */
export function organizationGuard(
  ctx: EmulatorContext,
  principal: Principal,
  rawOrganization: string,
  scope: Scope,
): OrganizationAccess {
  rejectTeamScopedKey(principal.key);
  requireScope(principal.key, scope);
  if (isUuid(rawOrganization)) requireScopedOrganization(principal.key, canonicalUuid(rawOrganization));
  const access = organizationForMember(ctx, principal, rawOrganization);
  requireScopedOrganization(principal.key, access.organization.id);
  return access;
}

/** Authenticates the request, then runs {@link organizationGuard} on its `:org` parameter. */
export function organizationAccess(
  ctx: EmulatorContext,
  request: FastifyRequest<{ Params: { org: string } }>,
  scope: Scope,
): OrganizationAccess {
  return organizationGuard(ctx, authenticate(ctx, request), request.params.org, scope);
}

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
      .map((o) => serializeOrganization(ctx, o, o.level));
    return paginated(request, page, all.length, results);
  });

  app.post("/api/organizations", async (request, reply) => {
    const principal = authenticate(ctx, request);
    rejectTeamScopedKey(principal.key);
    requireScope(principal.key, "organization:write");
    const body = parseWith(CreateOrganization, jsonBody(request));
    const created = inTransaction(ctx.db, () => {
      // Organizations made through the API start on the free plan, as on PostHog Cloud.
      const { organization } = createOrganizationFor(ctx.repos, principal.user, body.name, "free");
      const { name: _name, ...flags } = body;
      if (Object.values(flags).some((v) => v !== undefined))
        ctx.repos.organizations.update(organization.id, flags);
      return ctx.repos.organizations.get(organization.id) as OrganizationRow;
    });
    return reply.code(201).send(serializeOrganization(ctx, created, Level.OWNER));
  });
  methodNotAllowedFor(app, "/api/organizations", ["GET", "POST"]);

  app.get<OrgParams>("/api/organizations/:org", async (request) => {
    const { organization, membership } = organizationAccess(ctx, request, "organization:read");
    return serializeOrganization(ctx, organization, membership.level);
  });

  const update = (partial: boolean) => async (request: FastifyRequest<OrgParams>) => {
    const { organization, membership } = organizationAccess(ctx, request, "organization:write");
    requireLevel(membership, Level.ADMIN);
    const body = parseWith(partial ? UpdateOrganization : CreateOrganization, jsonBody(request));
    const updated = inTransaction(ctx.db, () => {
      ctx.repos.organizations.update(organization.id, body);
      return ctx.repos.organizations.get(organization.id) as OrganizationRow;
    });
    return serializeOrganization(ctx, updated, membership.level);
  };
  app.patch<OrgParams>("/api/organizations/:org", update(true));
  app.put<OrgParams>("/api/organizations/:org", update(false));

  app.delete<OrgParams>("/api/organizations/:org", async (request, reply) => {
    const { organization, membership } = organizationAccess(ctx, request, "organization:write");
    requireLevel(membership, Level.OWNER);
    inTransaction(ctx.db, () => ctx.repos.organizations.delete(organization.id));
    return reply.code(204).send();
  });
  methodNotAllowedFor(app, "/api/organizations/:org", ["GET", "PATCH", "PUT", "DELETE"]);
}
