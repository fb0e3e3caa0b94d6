/**
 * `pulumi-posthog`: PostHog organizations, projects and project tokens as Pulumi
 * resources. The classes here run in the Pulumi program; the PostHog API is called
 * from the engine's provider process by `pulumi-posthog/provider`.
 */
export { Organization } from "./organization";
export type { OrganizationArgs, OrganizationFlagArgs, OrganizationFlagOutputs } from "./organization";
export { ORGANIZATION_FLAGS } from "./organization-flags";
export type { OrganizationFlag } from "./organization-flags";
export { Project } from "./project";
export type { ProjectArgs } from "./project";
export { ProjectToken } from "./project-token";
export type { ProjectTokenArgs } from "./project-token";
export type { ResourceKind } from "./provider-stub";
// Components built from these resources are exported below.
export { projectWithToken } from "./project-with-token";
export type { ProjectWithToken, ProjectWithTokenOptions } from "./project-with-token";
export { StandardProjects, DEFAULT_ENVIRONMENT_NAMES, ENVIRONMENTS } from "./standard-projects";
export type { StandardProjectsArgs, Environment, EnvironmentOutputs } from "./standard-projects";
