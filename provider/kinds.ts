/**
 * The resource kinds, as used in type tokens `pulumi-nodejs:dynamic/posthog:<kind>`. Apart
 * from the provider entry (`index.ts`), which maps each to its implementation, the sdk
 * names them in its public types; this module imports nothing, so the sdk's declarations
 * reach no further than it (see `sdk/provider-stub.ts`).
 */
export const RESOURCE_KINDS = [
  "Organization",
  "OrganizationMember",
  "Project",
  "ProjectToken",
  "ProjectSecretToken",
  "ProjectSettings",
] as const;

export type ResourceKind = (typeof RESOURCE_KINDS)[number];
