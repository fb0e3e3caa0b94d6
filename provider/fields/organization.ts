/**
 * The organization flags, the one list of them: each input name (as `Organization` and
 * the root program's layout config take it) with PostHog's wire name. The provider's
 * inputs, the client's write type and response schema, the sdk's arguments and outputs
 * (types only: the sdk never loads the provider) and the layout config all derive from
 * this table. It imports nothing, so each of them can load it alone.
 */
export const ORGANIZATION_FLAGS = {
  /** Require two-factor authentication of every member. Left out: PostHog's current value is kept. */
  enforce2fa: "enforce_2fa",
  /** Let members (not only admins) invite people. Left out: PostHog's current value is kept. */
  membersCanInvite: "members_can_invite",
  /** Let members create personal API keys for this organization. Left out: PostHog's current value is kept. */
  membersCanUsePersonalApiKeys: "members_can_use_personal_api_keys",
  /** Email the members when someone joins. Left out: PostHog's current value is kept. */
  isMemberJoinEmailEnabled: "is_member_join_email_enabled",
  /** Allow sharing dashboards, insights and recordings publicly. Left out: PostHog's current value is kept. */
  allowPubliclySharedResources: "allow_publicly_shared_resources",
} as const;

/** A flag's input name, e.g. `enforce2fa`. */
export type OrganizationFlag = keyof typeof ORGANIZATION_FLAGS;

/** A flag's wire name, e.g. `enforce_2fa`. */
export type OrganizationFlagWireName = (typeof ORGANIZATION_FLAGS)[OrganizationFlag];

/** The flags' input names, in the table's order. */
export const ORGANIZATION_FLAG_NAMES = Object.keys(ORGANIZATION_FLAGS) as OrganizationFlag[];

/** The flags' wire names, in the table's order. */
export const ORGANIZATION_FLAG_WIRE_NAMES = Object.values(ORGANIZATION_FLAGS) as OrganizationFlagWireName[];

/** An object with one entry per key, e.g. a zod field for each flag. */
export function entriesFor<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, V>;
}
