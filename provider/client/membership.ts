/**
 * Organization membership levels: a fact of PostHog's domain
 * (posthog/models/organization.py), read by the client's rules and the resources.
 */

/** Membership levels as PostHog numbers them. */
export const MembershipLevel = { MEMBER: 1, ADMIN: 8, OWNER: 15 } as const;

/** The name of a membership level number, for messages. */
export function membershipLevelName(level: number | null | undefined): string {
  if (level === undefined || level === null) return "none";
  if (level >= MembershipLevel.OWNER) return "owner";
  if (level >= MembershipLevel.ADMIN) return "admin";
  return "member";
}
