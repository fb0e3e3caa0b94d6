import { requireLevel } from "../auth/access";
import { inTransaction } from "../db/database";
import { DEFAULT_PROJECT_NAME, Level, type Plan } from "../domain";
import type { Repositories, Store } from "../repositories";
import type { MembershipRow } from "../repositories/members";
import type { OrganizationPatch, OrganizationRow } from "../repositories/organizations";
import type { ProjectRow } from "../repositories/projects";
import type { UserRow } from "../repositories/users";

/**
 * Every rule about organizations (posthog/api/organization.py and `Organization.objects.bootstrap`).
 * Duplicate organization names are allowed, as in PostHog, so there is no name rule here.
 * `requireCan*` checks run before the request body is read (PostHog's order); the functions that
 * change data do it in one transaction each.
 */

const INSUFFICIENT_LEVEL = "Your organization access level is insufficient.";

/**
 * PostHog's `Organization.objects.bootstrap`: the organization, its "Default project" and the
 * creator as OWNER, made together; the creator switches to the new organization. The caller
 * holds the transaction (the API's create and the CLI's bootstrap).
 */
export function createOrganizationFor(
  repos: Repositories,
  user: UserRow,
  name: string,
  plan: Plan,
): { organization: OrganizationRow; project: ProjectRow } {
  const organization = repos.organizations.create(name, plan);
  const project = repos.projects.create(organization.id, { name: DEFAULT_PROJECT_NAME });
  repos.members.add(organization.id, user.id, Level.OWNER);
  repos.users.setCurrent(user.id, organization.id, project.id);
  return { organization, project };
}

/**
 * `POST /api/organizations/`: organizations made through the API start on the free plan, as on
 * PostHog Cloud (only bootstrap and the admin API choose a plan); the flags given are applied.
 */
export function createOrganization(
  { db, repos }: Store,
  user: UserRow,
  input: OrganizationPatch & { name: string },
): OrganizationRow {
  return inTransaction(db, () => {
    const { organization } = createOrganizationFor(repos, user, input.name, "free");
    const { name: _name, ...flags } = input;
    if (Object.values(flags).some((v) => v !== undefined)) repos.organizations.update(organization.id, flags);
    return repos.organizations.get(organization.id) as OrganizationRow;
  });
}

/** Changing an organization (PATCH/PUT) needs ADMIN. */
export function requireCanUpdate(membership: MembershipRow): void {
  requireLevel(membership, Level.ADMIN, INSUFFICIENT_LEVEL);
}

export function updateOrganization(
  { db, repos }: Store,
  organization: OrganizationRow,
  patch: OrganizationPatch,
): OrganizationRow {
  return inTransaction(db, () => {
    repos.organizations.update(organization.id, patch);
    return repos.organizations.get(organization.id) as OrganizationRow;
  });
}

/** Deleting an organization needs OWNER. */
export function requireCanDelete(membership: MembershipRow): void {
  requireLevel(membership, Level.OWNER, INSUFFICIENT_LEVEL);
}

/** An organization goes at once, with its projects (PostHog may defer it; there is no pending state). */
export function deleteOrganization({ db, repos }: Store, organization: OrganizationRow): void {
  inTransaction(db, () => repos.organizations.delete(organization.id));
}
