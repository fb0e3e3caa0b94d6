import type { Repositories } from "./repositories";
import { Level } from "./repositories/members";
import type { OrganizationRow, Plan } from "./repositories/organizations";
import type { ProjectRow } from "./repositories/projects";
import type { UserRow } from "./repositories/users";

/** The product feature that lifts the one-project limit (PostHog's `organizations_projects`). */
export const ORGANIZATIONS_PROJECTS = "organizations_projects";
/** PostHog's hard cap on projects per organization, whatever the plan. */
export const MAX_PROJECTS_PER_ORGANIZATION = 2000;
export const DEFAULT_PROJECT_NAME = "Default project";

export interface ProductFeature {
  key: string;
  name: string;
  limit?: number | null;
  unit?: string | null;
}

/** What billing would hand an organization on each plan; "scale" has unlimited projects (up to the hard cap). */
export function featuresForPlan(plan: Plan): ProductFeature[] {
  if (plan === "free") return [];
  return [
    { key: ORGANIZATIONS_PROJECTS, name: "Projects", limit: null, unit: null },
    { key: "team_collaboration", name: "Team collaboration" },
  ];
}

export function hasMultipleProjects(org: OrganizationRow): boolean {
  return featuresForPlan(org.plan).some((f) => f.key === ORGANIZATIONS_PROJECTS);
}

/**
 * PostHog's `Organization.objects.bootstrap`: the organization, its "Default project" and the
 * creator as OWNER, made together; the creator switches to the new organization.
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
