import { inTransaction } from "../db/database";
import { Level, type LevelValue } from "../domain";
import { errors } from "../http/errors";
import type { Repositories, Store } from "../repositories";
import type { MemberWithUser, MembershipRow } from "../repositories/members";

/**
 * Every rule about organization members: PostHog's `OrganizationMembership.validate_update`
 * (messages verbatim) and "one owner per organization", which lives here only:
 * - passing ownership on makes the old owner an ADMIN ({@link changeLevel}),
 * - the owner cannot be removed ({@link removeMember}),
 * - nobody is added as a second owner ({@link addMember}).
 * (The `memberships_one_owner` unique index in `db/migrations.ts` is the storage backstop that
 * turns a bug here into a failed write instead of a second owner.)
 * Checks run before anything is written; each change is one transaction.
 */

/** The member addressed by a user UUID in the organization; 404 otherwise. */
export function findMember(repos: Repositories, organizationId: string, userUuid: string): MemberWithUser {
  const member = repos.members.getWithUser(organizationId, userUuid.toLowerCase());
  if (!member) throw errors.notFound();
  return member;
}

/**
 * PostHog's `validate_update`: runs every check before anything is written so a refused change
 * leaves no trace. Without `newLevel` it is the check for removing `target`.
 */
export function validateUpdate(requester: MembershipRow, target: MembershipRow, newLevel?: LevelValue): void {
  if (newLevel !== undefined) {
    if (target.id === requester.id) throw errors.permissionDenied("You can't change your own access level.");
    if (newLevel === Level.OWNER) {
      if (requester.level !== Level.OWNER) {
        throw errors.permissionDenied(
          "You can only make another member owner if you're this organization's owner.",
        );
      }
    } else if (newLevel > requester.level) {
      throw errors.permissionDenied(
        "You can only change access level of others to lower or equal to your current one.",
      );
    }
  }
  if (target.id !== requester.id) {
    if (requester.level < Level.ADMIN)
      throw errors.permissionDenied("You can only edit others if you are an admin.");
    if (target.level > requester.level) {
      throw errors.permissionDenied("You can only edit others with level lower or equal to you.");
    }
  }
}

/**
 * Sets `target`'s level after {@link validateUpdate}. Handing ownership over makes the old owner
 * an ADMIN, so the organization keeps exactly one owner. Returns the member as it now is.
 */
export function changeLevel(
  { db, repos }: Store,
  requester: MembershipRow,
  target: MemberWithUser,
  newLevel: LevelValue | undefined,
): MemberWithUser {
  validateUpdate(requester, target, newLevel);
  inTransaction(db, () => {
    if (newLevel === undefined) return;
    if (newLevel === Level.OWNER) repos.members.setLevel(requester.id, Level.ADMIN);
    repos.members.setLevel(target.id, newLevel);
  });
  return repos.members.getWithUser(target.organization_id, target.user_uuid) as MemberWithUser;
}

/**
 * Removes `target` (leaving, when it is the requester) after {@link validateUpdate}. Emulator rule:
 * an organization always keeps its owner (PostHog's UI requires a transfer first).
 */
export function removeMember({ db, repos }: Store, requester: MembershipRow, target: MembershipRow): void {
  validateUpdate(requester, target);
  if (target.level === Level.OWNER) {
    throw errors.permissionDenied("The organization owner cannot be removed. Pass on ownership first.");
  }
  inTransaction(db, () => repos.members.remove(target.id));
}

/**
 * Adds the user with `email` to an organization (the admin API's stand-in for PostHog's invites).
 * Never as a second owner: ownership is passed on with {@link changeLevel}. A user without a
 * current organization starts working in this one.
 */
export function addMember(
  { db, repos }: Store,
  organizationId: string | null,
  email: string,
  level: LevelValue,
): MemberWithUser {
  return inTransaction(db, () => {
    const organization = organizationId ? repos.organizations.get(organizationId) : undefined;
    if (!organization) throw errors.notFound();
    const user = repos.users.byEmail(email);
    if (!user) throw errors.notFound("User not found.");
    if (repos.members.get(organization.id, user.id))
      throw errors.conflict("User already is a member of the organization.");
    if (level === Level.OWNER) {
      throw errors.conflict(
        "The organization already has an owner; add the user as admin and pass on ownership.",
      );
    }
    repos.members.add(organization.id, user.id, level);
    if (!user.current_organization_id) repos.users.setCurrent(user.id, organization.id, null);
    return repos.members.getWithUser(organization.id, user.uuid) as MemberWithUser;
  });
}
