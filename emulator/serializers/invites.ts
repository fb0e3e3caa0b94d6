import type { Repositories } from "../repositories";
import { isExpired, type InviteRow } from "../repositories/invites";

/** PostHog's OrganizationInviteSerializer (`send_email` is write-only). */
export function serializeInvite(repos: Repositories, invite: InviteRow) {
  const creator = invite.created_by === null ? undefined : repos.users.byId(invite.created_by);
  return {
    id: invite.id,
    target_email: invite.target_email,
    first_name: invite.first_name,
    emailing_attempt_made: invite.emailing_attempt_made === 1,
    level: invite.level,
    is_expired: isExpired(invite),
    created_by: creator
      ? {
          id: creator.id,
          uuid: creator.uuid,
          distinct_id: creator.distinct_id,
          first_name: creator.first_name,
          last_name: creator.last_name,
          email: creator.email,
          is_email_verified: true,
          hedgehog_config: null,
          role_at_organization: null,
        }
      : null,
    created_at: invite.created_at,
    updated_at: invite.updated_at,
    message: invite.message,
    private_project_access: [],
  };
}
