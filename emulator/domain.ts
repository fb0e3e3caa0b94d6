/**
 * PostHog's domain vocabulary as posthog-local models it: membership levels, plans and their
 * product features, and the fixed numbers the rules in `rules/` enforce. Nothing here touches
 * storage or HTTP, so repositories, rules and serializers can all depend on it.
 */

/** Organization membership levels (PostHog's `OrganizationMembership.Level`). */
export const Level = { MEMBER: 1, ADMIN: 8, OWNER: 15 } as const;
export type LevelValue = (typeof Level)[keyof typeof Level];

/** Billing plans: "free" holds one project, "scale" has `organizations_projects`. */
export type Plan = "free" | "scale";

/** The product feature that lifts the one-project limit (PostHog's `organizations_projects`). */
export const ORGANIZATIONS_PROJECTS = "organizations_projects";
/** PostHog's hard cap on projects per organization, whatever the plan. */
export const MAX_PROJECTS_PER_ORGANIZATION = 2000;
export const DEFAULT_PROJECT_NAME = "Default project";

/** Django's default session lifetime (SESSION_COOKIE_AGE, two weeks). */
export const SESSION_AGE_SECONDS = 60 * 60 * 24 * 14;

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
