/**
 * The PostHog management API client: HTTP core, error family, and one module per
 * resource of the URL tree. It knows nothing of Pulumi.
 */
import { EnvironmentsApi } from "./environments";
import { registerSecret } from "./errors";
import { HttpClient, HttpOptions } from "./http";
import { MembersApi } from "./members";
import { OrganizationsApi } from "./organizations";
import { ProjectsApi } from "./projects";
import { Session, SessionSettings } from "./session";

/** Everything needed to build a client. */
export interface ClientOptions extends HttpOptions, SessionSettings {}

/** The client: `organizations`, `projects`, `environments` and `members` calls over one HTTP core. */
export interface PostHogClient {
  readonly http: HttpClient;
  readonly session: Session;
  readonly organizations: OrganizationsApi;
  readonly projects: ProjectsApi;
  readonly environments: EnvironmentsApi;
  readonly members: MembersApi;
}

/** Builds a client; credentials are registered for redaction before any request. */
export function createClient(options: ClientOptions): PostHogClient {
  registerSecret(options.apiKey);
  const http = new HttpClient(options);
  const session = new Session(http, options);
  const organizations = new OrganizationsApi(http);
  const projects = new ProjectsApi(http, session, organizations);
  const environments = new EnvironmentsApi(http, session);
  const members = new MembersApi(http);
  return { http, session, organizations, projects, environments, members };
}

export * from "./errors";
export { MembershipLevel, membershipLevelName } from "./membership";
export * from "./schemas";
export { apiPath, DEFAULT_RETRY_POLICY, HttpClient, packageVersion } from "./http";
export type { HttpOptions, RetryPolicy, RequestSpec, AuthMode } from "./http";
export {
  MAX_PROJECTS_PER_ORGANIZATION,
  OrganizationsApi,
  organizationProjects,
  projectAllowance,
} from "./organizations";
export type { OrganizationWrite } from "./organizations";
export { DEFAULT_PROJECT_NAME, ProjectsApi, sameProjectName } from "./projects";
export type { ProjectWrite } from "./projects";
export { EnvironmentsApi, environmentSchema, environmentSettingsSchema } from "./environments";
export type { Environment, EnvironmentSettingsWire } from "./environments";
export { Session } from "./session";
export type { SessionSettings } from "./session";
export { label } from "./label";
export { withRecovery } from "./recovery";
export type { RecoveryPlan } from "./recovery";
export { MembersApi, sameEmail } from "./members";
export type { Invite, InviteWrite, LevelNumber, Me, Member } from "./members";
