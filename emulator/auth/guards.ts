import type { FastifyRequest } from "fastify";
import type { EmulatorContext, Principal } from "../context";
import { errors } from "../http/errors";
import { canonicalUuid, isUuid } from "../http/fields";
import {
  currentOrganizationId,
  organizationForMember,
  parseProjectId,
  projectForMember,
  type OrganizationAccess,
  type ProjectAccess,
} from "./access";
import { authenticate } from "./authenticate";
import {
  rejectTeamScopedKey,
  requireScope,
  requireScopedOrganization,
  requireScopedTeam,
  type Scope,
} from "./scopes";

/**
 * The access checks each kind of route makes, in PostHog's order. Routes call one of these and
 * then a rule from `rules/`; what a member may do once inside is the rules' business.
 */

/**
 * Organization-level routes: a project-scoped key is refused, then the key's scope, then its
 * organization restriction, then membership (404).
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

/** Project detail routes: scope, a project-scoped key's allowed ids, visibility (404), organization scope. */
export function projectGuard(
  ctx: EmulatorContext,
  principal: Principal,
  rawProject: string,
  scope: Scope,
  organizationRaw?: string,
): ProjectAccess {
  requireScope(principal.key, scope);
  if (organizationRaw !== undefined && isUuid(organizationRaw)) {
    requireScopedOrganization(principal.key, canonicalUuid(organizationRaw));
  }
  const numericId = parseProjectId(rawProject);
  if (numericId !== null) requireScopedTeam(principal.key, numericId);
  let organizationId: string | undefined;
  if (organizationRaw !== undefined)
    organizationId = organizationForMember(ctx, principal, organizationRaw).organization.id;
  const access = projectForMember(ctx, principal, rawProject, organizationId);
  requireScopedOrganization(principal.key, access.organization.id);
  requireScopedTeam(principal.key, access.project.id);
  return access;
}

const SESSION_ONLY_MESSAGE = "This action does not support Personal API Key access";

/** reset_token and change_organization declare no scopes, so PostHog refuses personal keys there. */
export function sessionOnly(ctx: EmulatorContext, principal: Principal): void {
  if (!principal.key) return;
  if (!ctx.allowPersonalKeysOnSessionActions) throw errors.permissionDenied(SESSION_ONLY_MESSAGE);
  requireScope(principal.key, "project:write");
}

/**
 * The organization a project list or create acts on: the `:org` parameter when given, else the
 * user's current organization (PostHog's root `/api/projects/`); null when the user has none.
 */
export function organizationForProjects(
  ctx: EmulatorContext,
  principal: Principal,
  organizationRaw: string | undefined,
): OrganizationAccess | null {
  if (organizationRaw !== undefined) {
    if (isUuid(organizationRaw)) requireScopedOrganization(principal.key, canonicalUuid(organizationRaw));
    const access = organizationForMember(ctx, principal, organizationRaw);
    requireScopedOrganization(principal.key, access.organization.id);
    return access;
  }
  const current = currentOrganizationId(ctx, principal.user);
  if (!current) return null;
  return organizationForMember(ctx, principal, current);
}
