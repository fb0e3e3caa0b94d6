/**
 * posthog-local's rules for organization invites (PostHog's posthog/api/organization_invite.py and
 * `OrganizationInvite.use`), messages verbatim. Routes parse, call one of these, and serialize.
 */
import type { OrganizationAccess } from "../auth/access";
import { requireLevel } from "../auth/access";
import { Level, type LevelValue } from "../domain";
import { errors } from "../http/errors";
import type { Repositories } from "../repositories";
import type { InviteRow } from "../repositories/invites";
import { isExpired } from "../repositories/invites";
import type { MemberWithUser } from "../repositories/members";
import type { UserRow } from "../repositories/users";

const INSUFFICIENT_LEVEL = "Your organization access level is insufficient.";

export interface InviteRequest {
  targetEmail: string;
  firstName: string;
  level: LevelValue;
  message: string | null;
}

/** PostHog lowercases the domain only: the local part of an address may be case-sensitive. */
export function normalizeInviteEmail(email: string): string {
  const at = email.lastIndexOf("@");
  return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
}

/**
 * Creating an invite: members may invite unless the organization turned `members_can_invite` off
 * (UserCanInvitePermission); nobody invites above their own level; an existing member cannot be
 * invited; a new invite replaces every earlier one (expired or not) for the same address.
 */
export function createInvite(
  repos: Repositories,
  access: OrganizationAccess,
  user: UserRow,
  input: InviteRequest,
) {
  const { organization, membership } = access;
  if (membership.level < Level.ADMIN && organization.members_can_invite !== 1) {
    throw errors.permissionDenied("You do not have permission to perform this action.");
  }
  if (input.level > membership.level) {
    throw errors.permissionDenied("You cannot invite a user with a higher permission level than your own.");
  }
  if (input.level === Level.OWNER) {
    // posthog-local keeps PostHog's one owner per organization: ownership is passed on, not invited.
    throw errors.permissionDenied(
      "An organization has one owner: invite as admin, then pass on ownership once they have joined.",
    );
  }
  const existing = repos.users.byEmail(input.targetEmail);
  if (existing && repos.members.get(organization.id, existing.id)) {
    throw errors.validation("A user with this email address already belongs to the organization.");
  }
  repos.invites.deleteForEmail(organization.id, input.targetEmail);
  return repos.invites.create(organization.id, { ...input, createdBy: user.id });
}

/** Cancelling an invite is an admin's write (OrganizationAdminWritePermissions). */
export function deleteInvite(repos: Repositories, access: OrganizationAccess, inviteId: string): void {
  requireLevel(access.membership, Level.ADMIN, INSUFFICIENT_LEVEL);
  const invite = repos.invites.get(inviteId);
  if (!invite || invite.organization_id !== access.organization.id) throw errors.notFound();
  repos.invites.delete(invite.id);
}

/**
 * The person following the invite link (admin API only): the account is made if it does not exist,
 * joins at the invite's level, and every invite for that address in the organization is used up.
 */
export function acceptInvite(
  repos: Repositories,
  invite: InviteRow,
  account: { password: string; firstName?: string },
): MemberWithUser {
  if (isExpired(invite))
    throw errors.validation("This invite has expired. Please ask your admin for a new one.");
  const user =
    repos.users.byEmail(invite.target_email) ??
    repos.users.create({
      email: invite.target_email,
      password: account.password,
      firstName: account.firstName ?? invite.first_name,
    });
  if (repos.members.get(invite.organization_id, user.id)) {
    throw errors.validation("You already are a member of this organization.");
  }
  repos.members.add(invite.organization_id, user.id, invite.level);
  if (!user.current_organization_id) repos.users.setCurrent(user.id, invite.organization_id, null);
  repos.invites.deleteForEmail(invite.organization_id, invite.target_email);
  return repos.members.getWithUser(invite.organization_id, user.uuid) as MemberWithUser;
}
