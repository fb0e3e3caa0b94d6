/** Membership levels by name, PostHog's MEMBER (1), ADMIN (8) and OWNER (15), lowest first. */
export const MEMBER_LEVELS = ["member", "admin", "owner"] as const;
export type MemberLevel = (typeof MEMBER_LEVELS)[number];
