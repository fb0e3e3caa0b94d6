/**
 * The provider package entry (`pulumi-posthog/provider`), loaded by the sdk's thin
 * serialized stub at call time. Every resource is listed here, in one place.
 */
import type { ConfigureRequest, ResourceProvider } from "@pulumi/pulumi/dynamic";
import { createClient, PostHogClient } from "./client";
import { readConfig } from "./config";
import { RESOURCE_KINDS, type ResourceKind } from "./kinds";
import { makeProvider, Props } from "./resources/crud";
import { organizationSpec } from "./resources/organization";
import { organizationMemberProvider } from "./resources/organization-member";
import { projectSpec } from "./resources/project";
import { projectTokenProvider } from "./resources/project-token";
import { projectSecretTokenProvider } from "./resources/project-secret-token";
import { projectSettingsSpec } from "./resources/project-settings";

/** Every resource kind of this provider, and its spec. */
const resources: Record<ResourceKind, () => ResourceProvider<Props, Props>> = {
  Organization: () => makeProvider(organizationSpec),
  OrganizationMember: organizationMemberProvider,
  Project: () => makeProvider(projectSpec),
  ProjectToken: projectTokenProvider,
  ProjectSecretToken: projectSecretTokenProvider,
  ProjectSettings: () => makeProvider(projectSettingsSpec),
};

export type { ResourceKind };

/** The kinds, for callers that validate a kind string. */
export const resourceKinds: readonly ResourceKind[] = RESOURCE_KINDS;

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

/** The provider methods a stub forwards. */
const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/**
 * What the sdk's serialized stub (`sdk/provider-stub.ts`) calls from its first `configure`:
 * puts delegates to the implementation of `stub.kind` on the stub and configures it. It
 * lives here, not in the stub, because the stub's text is copied into every resource's state:
 * the less it says, the smaller the state the engine rewrites after every step.
 * State written by 0.1.0 holds a longer stub that calls {@link resourceProvider} itself.
 */
export function bindStub(stub: { kind: ResourceKind }, req: ConfigureRequest): Promise<void> {
  const impl = resourceProvider(stub.kind);
  const target = stub as unknown as Record<string, unknown>;
  for (const method of METHODS) {
    const forward = impl[method] as ((...args: unknown[]) => unknown) | undefined;
    if (forward) target[method] = (...args: unknown[]) => forward.apply(impl, args);
  }
  return impl.configure ? impl.configure(req) : Promise.resolve();
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
