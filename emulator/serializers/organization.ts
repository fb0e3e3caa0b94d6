import { featuresForPlan } from "../domain";
import type { Repositories } from "../repositories";
import type { OrganizationRow } from "../repositories/organizations";

const bool = (v: number) => v === 1;

/** The organization as PostHog's OrganizationSerializer shows it to a member. */
export function serializeOrganization(repos: Repositories, org: OrganizationRow, membershipLevel: number) {
  const projects = repos.projects.liveInOrganization(org.id);
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
    member_count: repos.organizations.memberCount(org.id),
    is_ai_data_processing_approved: null,
    default_experiment_stats_method: "bayesian",
  };
}
