import type { MemberWithUser } from "../repositories/members";

/** A membership as PostHog's OrganizationMemberSerializer shows it (the members API and the admin API). */
export function serializeMember(member: MemberWithUser) {
  return {
    id: member.id,
    user: {
      id: member.user_id,
      uuid: member.user_uuid,
      distinct_id: member.distinct_id,
      first_name: member.first_name,
      last_name: member.last_name,
      email: member.email,
      is_email_verified: true,
      hedgehog_config: null,
      role_at_organization: null,
    },
    level: member.level,
    joined_at: member.joined_at,
    updated_at: member.updated_at,
    is_2fa_enabled: member.totp_secret !== null,
    has_social_auth: false,
    last_login: member.last_login,
  };
}
