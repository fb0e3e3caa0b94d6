import { requireLevel } from "../auth/access";
import { inTransaction } from "../db/database";
import {
  DEFAULT_PROJECT_NAME,
  Level,
  MAX_PROJECTS_PER_ORGANIZATION,
  ORGANIZATIONS_PROJECTS,
  featuresForPlan,
} from "../domain";
import { errors } from "../http/errors";
import { canonicalUuid, isUuid } from "../http/fields";
import type { Repositories, Store } from "../repositories";
import type { MembershipRow } from "../repositories/members";
import type { OrganizationRow } from "../repositories/organizations";
import type { ProjectFields, ProjectRow } from "../repositories/projects";
import type { UserRow } from "../repositories/users";

/**
 * Every rule about projects (posthog/api/project.py and the product page): who may create,
 * change, delete and rotate, the plan limit, name uniqueness, deletion and the move rules. A
 * project pending deletion is still a project for PostHog: it keeps its name and counts toward
 * the plan. Checks that PostHog runs before it reads the body are separate `require*`
 * functions; each change is one transaction, with the checks that depend on stored data inside it.
 */

const PLAN_LIMIT_MESSAGE =
  "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects.";
const HARD_CAP_MESSAGE = `You have reached the maximum limit of ${MAX_PROJECTS_PER_ORGANIZATION} projects per organization. Contact support if you'd like access to more projects.`;
const STRICT_MANAGEMENT_MESSAGE = "You don't have sufficient permissions in the project.";
const ALREADY_DELETING_MESSAGE = "This project is already being deleted.";
const LAST_SUBSCRIBED_PROJECT_MESSAGE =
  "Cannot delete the last project in an organization with an active subscription. Please cancel your subscription first in the billing page.";
/** Not seen in PostHog's tests (inferred): cancelling the deletion of a project that is not being deleted. */
const NOT_DELETING_MESSAGE = "This project is not being deleted.";

/** Settings that need project admin to change (TEAM_CONFIG_ADMIN_FIELDS in PostHog). */
const ADMIN_FIELDS = ["anonymize_ips", "app_urls", "is_demo", "name", "timezone"] as const;

/**
 * Rules for moving a project, each with its own 400 (`invalid_input`), checked in this order.
 * PostHog's code checks the first two only; a move into the same organization is not refused
 * (its comparison never matches). The last two are the product page's, enforced only with
 * `enforceProductPageMoveRules`.
 */
export const MOVE_MESSAGES = {
  notAdminOrOwnerOfBoth:
    "You must be an admin or owner of both the source and target organizations to move a project.",
  notAdminOfBoth: "You must be an admin of both the source and target organizations to move a project.",
  // The product page's sentence, word for word: the provider quotes the same one at preview.
  sourceNeedsTwoProjects:
    "The originating organization must have at least two projects before you can move one.",
  targetPlanAllowsOneProject:
    "The target organization's plan allows only one project. Upgrade its plan before moving a project into it.",
} as const;

/** Whether the organization's plan has `organizations_projects` (more than one project). */
function allowsManyProjects(org: OrganizationRow): boolean {
  return featuresForPlan(org.plan).some((f) => f.key === ORGANIZATIONS_PROJECTS);
}

/** Projects that count for the plan limit: every non-demo project, pending deletion included. */
function countedProjects(repos: Repositories, organizationId: string): number {
  return repos.projects.count(organizationId, true);
}

/**
 * The plan limit (PremiumMultiProjectPermission): without `organizations_projects` an
 * organization holds one counted project. PostHog also runs it on PUT. The hard cap of 2000,
 * with its own message, applies to create only.
 */
export function checkPlanLimit(repos: Repositories, org: OrganizationRow, action: "create" | "update"): void {
  const count = countedProjects(repos, org.id);
  if (action === "create" && count >= MAX_PROJECTS_PER_ORGANIZATION) {
    throw errors.permissionDenied(HARD_CAP_MESSAGE);
  }
  if (!allowsManyProjects(org) && count >= 1) throw errors.permissionDenied(PLAN_LIMIT_MESSAGE);
}

/** Project names are unique per organization (pending ones included), compared trimmed and case-insensitively. */
export function checkNameFree(
  repos: Repositories,
  organizationId: string,
  name: string,
  exceptId?: number,
): void {
  if (repos.projects.nameTaken(organizationId, name, exceptId)) {
    throw errors.conflict(
      `There is already a project called "${name.trim()}" in this organization. Choose a different name.`,
    );
  }
}

/** A project created without a name: "Default project", else "Default project 2", 3, ... */
function unusedDefaultName(repos: Repositories, organizationId: string): string {
  if (!repos.projects.nameTaken(organizationId, DEFAULT_PROJECT_NAME)) return DEFAULT_PROJECT_NAME;
  for (let n = 2; ; n++) {
    const candidate = `${DEFAULT_PROJECT_NAME} ${n}`;
    if (!repos.projects.nameTaken(organizationId, candidate)) return candidate;
  }
}

/** Creating a project needs organization ADMIN. */
export function requireCanCreate(membership: MembershipRow): void {
  requireLevel(
    membership,
    Level.ADMIN,
    "You need to be an organization admin or above to create new projects.",
  );
}

/** Creates a project (named as {@link unusedDefaultName} unless given) and switches the creator into it, as PostHog does. */
export function createProject(
  { db, repos }: Store,
  user: UserRow,
  organizationId: string,
  fields: ProjectFields,
): ProjectRow {
  return inTransaction(db, () => {
    const org = repos.organizations.get(organizationId) as OrganizationRow;
    checkPlanLimit(repos, org, "create");
    if (fields.name !== undefined) checkNameFree(repos, org.id, fields.name);
    const name = fields.name ?? unusedDefaultName(repos, org.id);
    const project = repos.projects.create(org.id, { ...fields, name });
    repos.users.setCurrent(user.id, org.id, project.id);
    return project;
  });
}

/**
 * Changes a project's settings: `name`, `timezone`, `app_urls`, `anonymize_ips` and `is_demo`
 * need ADMIN; a new name must be free.
 */
export function updateProject(
  { db, repos }: Store,
  project: ProjectRow,
  membership: MembershipRow,
  fields: ProjectFields,
): ProjectRow {
  const touched = ADMIN_FIELDS.filter((f) => fields[f] !== undefined);
  if (touched.length > 0 && membership.level < Level.ADMIN) {
    throw errors.permissionDenied(`Only project admins can modify these settings: ${touched.join(", ")}`);
  }
  return inTransaction(db, () => {
    if (fields.name !== undefined) checkNameFree(repos, project.organization_id, fields.name, project.id);
    repos.projects.update(project.id, fields);
    return repos.projects.get(project.id) as ProjectRow;
  });
}

/** Deleting a project and rotating its token need ADMIN. */
export function requireCanManage(membership: MembershipRow): void {
  requireLevel(membership, Level.ADMIN, STRICT_MANAGEMENT_MESSAGE);
}

/**
 * Deletes a project as PostHog does: one that ingested events stays pending deletion (readable,
 * listed, holding its name) until PostHog removes it 48 hours later; one that never ingested
 * events is removed at once. A second delete of a pending project is a 400, and so is deleting
 * the only project of an organization with an active subscription.
 */
export function deleteProject({ db, repos }: Store, project: ProjectRow): "pending" | "removed" {
  return inTransaction(db, () => {
    const fresh = repos.projects.get(project.id) as ProjectRow;
    if (fresh.pending_deletion_at !== null) throw errors.invalidInput(ALREADY_DELETING_MESSAGE);
    const org = repos.organizations.get(fresh.organization_id) as OrganizationRow;
    // PostHog counts every project of the organization here, pending ones included.
    if (org.active_subscription === 1 && repos.projects.count(org.id) === 1) {
      throw errors.invalidInput(LAST_SUBSCRIBED_PROJECT_MESSAGE);
    }
    if (fresh.ingested_event === 1) {
      repos.projects.markPendingDeletion(fresh.id);
      return "pending";
    }
    repos.projects.remove(fresh.id);
    return "removed";
  });
}

/** `cancel-deletion` (ADMIN): the project is live again, under its name, with its token. */
export function cancelDeletion({ db, repos }: Store, project: ProjectRow): ProjectRow {
  return inTransaction(db, () => {
    const fresh = repos.projects.get(project.id) as ProjectRow;
    if (fresh.pending_deletion_at === null) throw errors.invalidInput(NOT_DELETING_MESSAGE);
    repos.projects.cancelPendingDeletion(fresh.id);
    return repos.projects.get(fresh.id) as ProjectRow;
  });
}

/**
 * What PostHog does in the background 48 hours after a deletion: the pending project is removed
 * with its events. posthog-local has no clock for it; the admin API calls this.
 */
export function completeDeletion({ db, repos }: Store, projectId: number): void {
  inTransaction(db, () => {
    const project = repos.projects.get(projectId);
    if (!project) throw errors.notFound();
    if (project.pending_deletion_at === null) throw errors.invalidInput(NOT_DELETING_MESSAGE);
    repos.projects.remove(project.id);
  });
}

/** A new `api_token`; the old one stops working at once. */
export function resetToken({ db, repos }: Store, project: ProjectRow): ProjectRow {
  return inTransaction(db, () => {
    repos.projects.resetToken(project.id);
    return repos.projects.get(project.id) as ProjectRow;
  });
}

/**
 * `change_organization`: moves the project to the organization `rawTarget` names, keeping its id
 * and token, after the {@link MOVE_MESSAGES} checks in order (a missing, malformed or unknown
 * target, or no membership there, is the first). With `productPageRules` the product page's two
 * rules follow. Access follows the organization afterwards: members and keys of the old one lose
 * the project unless they also belong to the new one. Returns the project and the caller's level
 * in its new organization.
 */
export function moveProject(
  { db, repos }: Store,
  user: UserRow,
  project: ProjectRow,
  membership: MembershipRow,
  rawTarget: unknown,
  productPageRules: boolean,
): { project: ProjectRow; level: number } {
  return inTransaction(db, () => {
    const targetId =
      typeof rawTarget === "string" && isUuid(rawTarget.trim()) ? canonicalUuid(rawTarget.trim()) : null;
    const target = targetId ? repos.organizations.get(targetId) : undefined;
    const targetMembership = target ? repos.members.get(target.id, user.id) : undefined;
    if (!target || !targetMembership) throw errors.invalidInput(MOVE_MESSAGES.notAdminOrOwnerOfBoth);
    if (membership.level < Level.ADMIN || targetMembership.level < Level.ADMIN) {
      throw errors.invalidInput(MOVE_MESSAGES.notAdminOfBoth);
    }
    const sameOrganization = target.id === project.organization_id;
    if (productPageRules && !sameOrganization) {
      if (countedProjects(repos, project.organization_id) < 2) {
        throw errors.invalidInput(MOVE_MESSAGES.sourceNeedsTwoProjects);
      }
      if (!allowsManyProjects(target) && countedProjects(repos, target.id) >= 1) {
        throw errors.invalidInput(MOVE_MESSAGES.targetPlanAllowsOneProject);
      }
    }
    if (!sameOrganization) repos.projects.move(project.id, target.id);
    return { project: repos.projects.get(project.id) as ProjectRow, level: targetMembership.level };
  });
}
