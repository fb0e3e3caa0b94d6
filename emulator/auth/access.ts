import type { EmulatorContext, Principal } from "../context";
import { errors } from "../http/errors";
import { canonicalUuid, isUuid } from "../http/fields";
import type { MembershipRow } from "../repositories/members";
import type { OrganizationRow } from "../repositories/organizations";
import type { ProjectRow } from "../repositories/projects";
import type { UserRow } from "../repositories/users";
import { keyAllowsOrganization } from "./scopes";

export interface OrganizationAccess {
  organization: OrganizationRow;
  membership: MembershipRow;
}

export interface ProjectAccess extends OrganizationAccess {
  project: ProjectRow;
}

/** The organization the user is working in: PostHog's `current_organization`, repaired if stale. */
export function currentOrganizationId(ctx: EmulatorContext, user: UserRow): string | null {
  if (user.current_organization_id && ctx.repos.members.get(user.current_organization_id, user.id)) {
    return user.current_organization_id;
  }
  return ctx.repos.organizations.listForUser(user.id)[0]?.id ?? null;
}

/** The project the user is working in (PostHog's `current_team`), falling back like PostHog does. */
export function currentProject(ctx: EmulatorContext, user: UserRow): ProjectRow | null {
  const organizationId = currentOrganizationId(ctx, user);
  if (!organizationId) return null;
  const projects = ctx.repos.projects.liveInOrganization(organizationId);
  return projects.find((p) => p.id === user.current_team_id) ?? projects[0] ?? null;
}

/**
 * Resolves an organization path segment (a UUID or `@current`) for a member. Unknown, malformed
 * and foreign organizations all answer 404: a non-member must not learn that it exists.
 */
export function organizationForMember(
  ctx: EmulatorContext,
  principal: Principal,
  raw: string,
): OrganizationAccess {
  let id: string | null;
  if (raw === "@current") id = currentOrganizationId(ctx, principal.user);
  else id = isUuid(raw) ? canonicalUuid(raw) : null;
  const organization = id ? ctx.repos.organizations.get(id) : undefined;
  const membership = organization ? ctx.repos.members.get(organization.id, principal.user.id) : undefined;
  if (!organization || !membership) throw errors.notFound();
  return { organization, membership };
}

export function parseProjectId(raw: string): number | null {
  if (!/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

/** A project the caller's user can see through its organization; 404 otherwise. */
export function projectForMember(
  ctx: EmulatorContext,
  principal: Principal,
  raw: string,
  organizationId?: string,
): ProjectAccess {
  let id: number | null;
  if (raw === "@current") id = currentProject(ctx, principal.user)?.id ?? null;
  else id = parseProjectId(raw);
  const project = id !== null ? ctx.repos.projects.get(id) : undefined;
  if (!project || (organizationId !== undefined && project.organization_id !== organizationId)) {
    throw errors.notFound();
  }
  const organization = ctx.repos.organizations.get(project.organization_id);
  const membership = organization ? ctx.repos.members.get(organization.id, principal.user.id) : undefined;
  if (!organization || !membership) throw errors.notFound();
  return { organization, membership, project };
}

/** A 403 with the rule's own message when the caller's level is below `level`. */
export function requireLevel(membership: MembershipRow, level: number, message: string): void {
  if (membership.level < level) throw errors.permissionDenied(message);
}

/** Organizations visible to the caller: the user's, narrowed by the key's `scoped_organizations`. */
export function visibleOrganizations(ctx: EmulatorContext, principal: Principal) {
  return ctx.repos.organizations
    .listForUser(principal.user.id)
    .filter((o) => keyAllowsOrganization(principal.key, o.id));
}
