import type { Repositories } from "../repositories";
import type { OrganizationRow } from "../repositories/organizations";
import type { ProjectRow } from "../repositories/projects";
import type { UserRow } from "../repositories/users";
import { serializeOrganization } from "./organization";
import { serializeProjectBasic } from "./project";

/**
 * The whoami (`/api/users/@me/`): who the caller is, which organizations it sees and where it
 * currently works. `current` and `team` are resolved by the caller (they depend on access).
 */
export function serializeMe(
  repos: Repositories,
  user: UserRow,
  organizations: (OrganizationRow & { level: number })[],
  current: (OrganizationRow & { level: number }) | undefined,
  team: ProjectRow | null,
) {
  return {
    date_joined: user.date_joined,
    uuid: user.uuid,
    distinct_id: user.distinct_id,
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    pending_email: null,
    is_email_verified: true,
    has_password: true,
    is_staff: false,
    is_impersonated: false,
    is_2fa_enabled: user.totp_secret !== null,
    has_social_auth: false,
    team: team ? serializeProjectBasic(team) : null,
    organization: current ? serializeOrganization(repos, current, current.level) : null,
    organizations: organizations.map((o) => ({
      id: o.id,
      name: o.name,
      slug: o.slug,
      logo_media_id: null,
      membership_level: o.level,
      members_can_use_personal_api_keys: o.members_can_use_personal_api_keys === 1,
    })),
  };
}
