/**
 * `pulumi-posthog`: PostHog organizations, projects and project tokens as Pulumi
 * resources. The classes here run in the Pulumi program; the PostHog API is called
 * from the engine's provider process by `pulumi-posthog/provider`.
 */
export { Organization } from "./organization";
export type { OrganizationArgs } from "./organization";
export { Project } from "./project";
export type { ProjectArgs } from "./project";
export { ProjectToken } from "./project-token";
export type { ProjectTokenArgs } from "./project-token";
export type { ResourceKind } from "./provider-stub";
// Components built from these resources are exported below.
export { StandardProjects, DEFAULT_ENVIRONMENT_NAMES, ENVIRONMENTS } from "./standard-projects";
export type { StandardProjectsArgs, Environment, EnvironmentOutputs } from "./standard-projects";
