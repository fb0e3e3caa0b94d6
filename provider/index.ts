/**
 * The provider package entry (`pulumi-posthog/provider`), loaded by the sdk's thin
 * serialized stub at call time. Every resource is listed here, in one place.
 */
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import { createClient, PostHogClient } from "./client";
import { readConfig } from "./config";
import { makeProvider, Props } from "./resources/crud";
import { organizationSpec } from "./resources/organization";
import { organizationMemberProvider } from "./resources/organization-member";
import { projectSpec } from "./resources/project";
import { projectTokenProvider } from "./resources/project-token";
import { projectSecretTokenProvider } from "./resources/project-secret-token";
import { projectSettingsSpec } from "./resources/project-settings";

/** Every resource kind of this provider, and its spec. */
const resources = {
  Organization: () => makeProvider(organizationSpec),
  OrganizationMember: organizationMemberProvider,
  Project: () => makeProvider(projectSpec),
  ProjectToken: projectTokenProvider,
  ProjectSecretToken: projectSecretTokenProvider,
  ProjectSettings: () => makeProvider(projectSettingsSpec),
} as const;

/** The resource kinds, as used in type tokens `pulumi-nodejs:dynamic/posthog:<kind>`. */
export type ResourceKind = keyof typeof resources;

/** The kinds, for callers that validate a kind string. */
export const resourceKinds = Object.keys(resources) as ResourceKind[];

const providers = new Map<ResourceKind, ResourceProvider<Props, Props>>();

/**
 * The dynamic provider of one resource kind; one instance per kind per process, so
 * its configuration survives between the engine's calls.
 */
export function resourceProvider(kind: ResourceKind): ResourceProvider<Props, Props> {
  const make = resources[kind];
  if (!make) {
    throw new Error(
      `pulumi-posthog: unknown resource kind "${String(kind)}"; known kinds: ${resourceKinds.join(", ")}.`,
    );
  }
  let provider = providers.get(kind);
  if (!provider) {
    provider = make();
    providers.set(kind, provider);
  }
  return provider;
}

export { UNKNOWN } from "./resources/crud";
export { configureProvider } from "./context";
export { readConfig, DEFAULT_HOST } from "./config";
export type { ProviderConfig } from "./config";
export type { OrganizationInputs, OrganizationOutputs } from "./resources/organization";
export type { OrganizationMemberInputs, OrganizationMemberOutputs } from "./resources/organization-member";

/**
 * A client for the sdk's lookups (`getOrganization`, `getProject`, `getMember`), which run in
 * the program process: built from the provider's own settings (stack config `posthog:*`, then
 * the environment), so lookups and resources read the same settings and fail with the same errors.
 */
export function lookupClient(get: (key: string) => string | undefined): PostHogClient {
  return createClient(readConfig(get));
}
export type { PostHogClient } from "./client";
export { levelName } from "./resources/organization-member";
export type { ProjectInputs, ProjectOutputs } from "./resources/project";
export type { ProjectTokenInputs, ProjectTokenOutputs } from "./resources/project-token";
export type { ProjectSecretTokenInputs, ProjectSecretTokenOutputs } from "./resources/project-secret-token";
export type { ProjectSettingsInputs, ProjectSettingsOutputs } from "./resources/project-settings";
