/**
 * `pulumi-posthog`: PostHog organizations, projects and project tokens as Pulumi
 * resources. The classes here run in the Pulumi program; the PostHog API is called
 * from the engine's provider process by `pulumi-posthog/provider`.
 */
export { Organization } from "./organization";
export type { OrganizationArgs, OrganizationFlagArgs, OrganizationFlagOutputs } from "./organization";
export type { OrganizationFlag } from "../provider/fields/organization";
export { OrganizationMember } from "./organization-member";
export type { OrganizationMemberArgs, MemberLevel } from "./organization-member";
export { getMember, getOrganization, getProject } from "./lookups";
export type { MemberLookup, OrganizationLookup, ProjectLookup } from "./lookups";
export { Project } from "./project";
export type { ProjectArgs } from "./project";
export { ProjectToken } from "./project-token";
export type { ProjectTokenArgs } from "./project-token";
export { ProjectSecretToken } from "./project-secret-token";
export type { ProjectSecretTokenArgs } from "./project-secret-token";
export { ProjectSettings } from "./project-settings";
export type { ProjectSettingsArgs, ProjectSettingsValues, CookielessMode } from "./project-settings";
export type { ResourceKind } from "./provider-stub";
// Components built from these resources are exported below.
export { projectWithToken } from "./project-with-token";
export type { ProjectWithToken, ProjectWithTokenOptions } from "./project-with-token";
export {
  StandardProjects,
  DEFAULT_ENVIRONMENT_NAMES,
  DEFAULT_ENVIRONMENT_SETTINGS,
  ENVIRONMENTS,
} from "./standard-projects";
export type {
  StandardProjectsArgs,
  Environment,
  EnvironmentOutputs,
  SettingValue,
} from "./standard-projects";
