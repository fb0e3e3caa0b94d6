import { errors } from "../http/errors";
import type { PersonalApiKey } from "../repositories/personal-api-keys";

export type ScopeObject = "organization" | "project" | "organization_member" | "user";
export type ScopeAction = "read" | "write";
export type Scope = `${ScopeObject}:${ScopeAction}`;

export const KNOWN_SCOPE_OBJECTS: readonly ScopeObject[] = [
  "organization",
  "project",
  "organization_member",
  "user",
];

/** PostHog: `*` grants everything; `x:write` implies `x:read`. */
export function keyHasScope(key: PersonalApiKey, scope: Scope): boolean {
  if (key.scopes.includes("*")) return true;
  if (key.scopes.includes(scope)) return true;
  const [object, action] = scope.split(":");
  return action === "read" && key.scopes.includes(`${object}:write`);
}

export function requireScope(key: PersonalApiKey | null, scope: Scope): void {
  if (key && !keyHasScope(key, scope))
    throw errors.permissionDenied(`API key missing required scope '${scope}'`);
}

/** A key limited to projects may only reach project-based endpoints. */
export function rejectTeamScopedKey(key: PersonalApiKey | null): void {
  if (key?.scopedTeams?.length) {
    throw errors.permissionDenied(
      "API keys with scoped projects are only supported on project-based endpoints.",
    );
  }
}

export function requireScopedOrganization(key: PersonalApiKey | null, organizationId: string): void {
  if (key?.scopedOrganizations?.length && !key.scopedOrganizations.includes(organizationId)) {
    throw errors.permissionDenied(
      `API key does not have access to the requested organization: ID ${organizationId}.`,
    );
  }
}

export function requireScopedTeam(key: PersonalApiKey | null, projectId: number): void {
  if (key?.scopedTeams?.length && !key.scopedTeams.includes(projectId)) {
    throw errors.permissionDenied(`API key does not have access to the requested project: ID ${projectId}.`);
  }
}

export function keyAllowsOrganization(key: PersonalApiKey | null, organizationId: string): boolean {
  return !key?.scopedOrganizations?.length || key.scopedOrganizations.includes(organizationId);
}
