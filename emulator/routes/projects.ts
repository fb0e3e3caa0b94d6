import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { inTransaction } from "../db/database";
import { authenticate, type Principal } from "../auth/authenticate";
import {
  currentOrganizationId,
  organizationForMember,
  parseProjectId,
  projectForMember,
  requireLevel,
  type OrganizationAccess,
  type ProjectAccess,
} from "../auth/access";
import {
  rejectTeamScopedKey,
  requireScope,
  requireScopedOrganization,
  requireScopedTeam,
  type Scope,
} from "../auth/scopes";
import { DEFAULT_PROJECT_NAME, MAX_PROJECTS_PER_ORGANIZATION, hasMultipleProjects } from "../domain";
import { errors, parseWith } from "../http/errors";
import { booleanField, canonicalUuid, charField, choiceField, isUuid, listOf } from "../http/fields";
import { jsonBody } from "../http/body";
import { pageFrom, paginated } from "../http/pagination";
import { methodNotAllowedFor } from "../http/routing";
import { Level } from "../repositories/members";
import type { OrganizationRow } from "../repositories/organizations";
import type { ProjectFields, ProjectRow } from "../repositories/projects";

// ---- Wire schemas (posthog/api/project.py, ProjectBackwardCompatSerializer) ----

const TIMEZONES: readonly string[] = [
  ...new Set(["UTC", "Etc/UTC", "GMT", "Etc/GMT", ...Intl.supportedValuesOf("timeZone")]),
];

const projectFields = {
  name: charField({ max: 200 }).optional(),
  product_description: charField({ max: 1000, allowBlank: true }).nullable().optional(),
  timezone: choiceField(TIMEZONES).optional(),
  app_urls: listOf(z.string({ error: "Not a valid string." })).optional(),
  anonymize_ips: booleanField().optional(),
  completed_snippet_onboarding: booleanField().optional(),
  is_demo: booleanField().optional(),
  week_start_day: choiceField([0, 1]).nullable().optional(),
};
const ProjectBody = z.object(projectFields);
const ChangeOrganizationBody = z.object({ organization_id: z.unknown().optional() });
const ListQuery = z.object({ search: z.string().optional() }).loose();

/** Settings that need project admin to change (TEAM_CONFIG_ADMIN_FIELDS in PostHog). */
const ADMIN_FIELDS = ["anonymize_ips", "app_urls", "is_demo", "name", "timezone"] as const;

const PLAN_LIMIT_MESSAGE =
  "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects.";
const STRICT_MANAGEMENT_MESSAGE = "You don't have sufficient permissions in the project.";
const SESSION_ONLY_MESSAGE = "This action does not support personal API key access";

/** Rules for moving a project, each with its own 400 (`invalid_input`). */
export const MOVE_MESSAGES = {
  notTargetMember: "You must be a member of the target organization to move a project.",
  notAdminOfBoth: "You must be an admin of both the source and target organizations to move a project.",
  sameOrganization: "Project is already in the target organization.",
  sourceNeedsTwoProjects:
    "The source organization must have at least two projects before one of them can be moved out of it.",
  targetPlanAllowsOneProject:
    "The target organization's plan allows only one project. Upgrade its plan before moving a project into it.",
} as const;

// ---- Serializers ----

const bool = (v: number) => v === 1;

export function serializeProjectBasic(p: ProjectRow) {
  return {
    id: p.id,
    uuid: p.uuid,
    organization: p.organization_id,
    api_token: p.api_token,
    name: p.name,
    completed_snippet_onboarding: bool(p.completed_snippet_onboarding),
    has_completed_onboarding_for: null,
    ingested_event: bool(p.ingested_event),
    is_demo: bool(p.is_demo),
    timezone: p.timezone,
    access_control: false,
  };
}

export function serializeProject(p: ProjectRow, effectiveMembershipLevel: number) {
  return {
    id: p.id,
    uuid: p.uuid,
    organization: p.organization_id,
    api_token: p.api_token,
    name: p.name,
    product_description: p.product_description,
    created_at: p.created_at,
    updated_at: p.updated_at,
    effective_membership_level: effectiveMembershipLevel,
    has_group_types: false,
    group_types: [],
    live_events_token: null,
    app_urls: JSON.parse(p.app_urls) as string[],
    slack_incoming_webhook: null,
    anonymize_ips: bool(p.anonymize_ips),
    completed_snippet_onboarding: bool(p.completed_snippet_onboarding),
    ingested_event: bool(p.ingested_event),
    test_account_filters: [],
    test_account_filters_default_checked: null,
    path_cleaning_filters: [],
    is_demo: bool(p.is_demo),
    timezone: p.timezone,
    data_attributes: ["data-attr"],
    person_display_name_properties: null,
    correlation_config: {},
    autocapture_opt_out: null,
    autocapture_exceptions_opt_in: null,
    capture_console_log_opt_in: null,
    capture_performance_opt_in: null,
    session_recording_opt_in: false,
    access_control: false,
    week_start_day: p.week_start_day,
    primary_dashboard: null,
    live_events_columns: null,
    recording_domains: null,
    person_on_events_querying_enabled: true,
    inject_web_apps: null,
    extra_settings: null,
    modifiers: null,
    default_modifiers: {},
    has_completed_onboarding_for: null,
    surveys_opt_in: null,
    heatmaps_opt_in: null,
    product_intents: [],
    is_pending_deletion: p.pending_deletion_at !== null,
  };
}

// ---- Rules ----

/** PremiumMultiProjectPermission: free organizations hold one non-demo project; every plan stops at 2000. */
function checkPlanLimit(ctx: EmulatorContext, org: OrganizationRow): void {
  const count = ctx.repos.projects.countLive(org.id, true);
  if ((!hasMultipleProjects(org) && count >= 1) || count >= MAX_PROJECTS_PER_ORGANIZATION) {
    throw errors.permissionDenied(PLAN_LIMIT_MESSAGE);
  }
}

function checkNameFree(ctx: EmulatorContext, organizationId: string, name: string, exceptId?: number): void {
  if (ctx.repos.projects.nameTaken(organizationId, name, exceptId)) {
    throw errors.conflict(
      `There is already a project called "${name.trim()}" in this organization. Choose a different name.`,
    );
  }
}

function toFields(body: z.output<typeof ProjectBody>): ProjectFields {
  const fields: ProjectFields = {};
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined) (fields as Record<string, unknown>)[key] = value;
  }
  return fields;
}

/** Scope first, then a project-scoped key's allowed ids, then visibility (404), then organization scope. */
function projectGuard(
  ctx: EmulatorContext,
  principal: Principal,
  rawProject: string,
  scope: Scope,
  organizationRaw?: string,
): ProjectAccess {
  requireScope(principal.key, scope);
  if (organizationRaw !== undefined && isUuid(organizationRaw)) {
    requireScopedOrganization(principal.key, canonicalUuid(organizationRaw));
  }
  const numericId = parseProjectId(rawProject);
  if (numericId !== null) requireScopedTeam(principal.key, numericId);
  let organizationId: string | undefined;
  if (organizationRaw !== undefined)
    organizationId = organizationForMember(ctx, principal, organizationRaw).organization.id;
  const access = projectForMember(ctx, principal, rawProject, organizationId);
  requireScopedOrganization(principal.key, access.organization.id);
  requireScopedTeam(principal.key, access.project.id);
  return access;
}

/** reset_token and change_organization declare no scopes, so PostHog refuses personal keys there. */
function sessionOnly(ctx: EmulatorContext, principal: Principal): void {
  if (!principal.key) return;
  if (!ctx.allowPersonalKeysOnSessionActions) throw errors.permissionDenied(SESSION_ONLY_MESSAGE);
  requireScope(principal.key, "project:write");
}

function organizationForList(
  ctx: EmulatorContext,
  principal: Principal,
  organizationRaw: string | undefined,
): OrganizationAccess | null {
  if (organizationRaw !== undefined) {
    if (isUuid(organizationRaw)) requireScopedOrganization(principal.key, canonicalUuid(organizationRaw));
    const access = organizationForMember(ctx, principal, organizationRaw);
    requireScopedOrganization(principal.key, access.organization.id);
    return access;
  }
  // The root routes act on the user's current organization, like PostHog's `/api/projects/`.
  const current = currentOrganizationId(ctx, principal.user);
  if (!current) return null;
  return organizationForMember(ctx, principal, current);
}

// ---- Routes ----

type ListParams = { Params: { org?: string } };
type DetailParams = { Params: { org?: string; id: string } };

export function projectRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  const list = async (request: FastifyRequest<ListParams>) => {
    const principal = authenticate(ctx, request);
    requireScope(principal.key, "project:read");
    const { search } = parseWith(ListQuery, request.query ?? {}, "query");
    const page = pageFrom(request);
    const access = organizationForList(ctx, principal, request.params.org);
    if (!access) return paginated(request, page, 0, []);
    const { count, rows } = ctx.repos.projects.list({
      organizationId: access.organization.id,
      search: search?.trim() || undefined,
      onlyIds: principal.key?.scopedTeams ?? undefined,
      limit: page.limit,
      offset: page.offset,
    });
    return paginated(request, page, count, rows.map(serializeProjectBasic));
  };

  const create = async (request: FastifyRequest<ListParams>, reply: FastifyReply) => {
    const principal = authenticate(ctx, request);
    rejectTeamScopedKey(principal.key);
    requireScope(principal.key, "project:write");
    const access = organizationForList(ctx, principal, request.params.org);
    if (!access) throw errors.notFound();
    requireLevel(
      access.membership,
      Level.ADMIN,
      "You need to be an organization admin or above to create new projects.",
    );
    const body = parseWith(ProjectBody, jsonBody(request));
    const created = inTransaction(ctx.db, () => {
      const org = ctx.repos.organizations.get(access.organization.id) as OrganizationRow;
      checkPlanLimit(ctx, org);
      const name = body.name ?? DEFAULT_PROJECT_NAME;
      checkNameFree(ctx, org.id, name);
      const project = ctx.repos.projects.create(org.id, { ...toFields(body), name });
      // PostHog switches the creator into the new project.
      ctx.repos.users.setCurrent(principal.user.id, org.id, project.id);
      return project;
    });
    return reply.code(201).send(serializeProject(created, access.membership.level));
  };

  /**
   * Authenticates, refuses personal keys where PostHog does (session-only actions), then
   * runs the project checks for a detail route, under an organization or not.
   */
  const projectAccess = (
    request: FastifyRequest<DetailParams>,
    scope: Scope,
    options: { sessionOnly?: boolean } = {},
  ) => {
    const principal = authenticate(ctx, request);
    if (options.sessionOnly) sessionOnly(ctx, principal);
    return { principal, ...projectGuard(ctx, principal, request.params.id, scope, request.params.org) };
  };

  const retrieve = async (request: FastifyRequest<DetailParams>) => {
    const { project, membership } = projectAccess(request, "project:read");
    return serializeProject(project, membership.level);
  };

  const update = (fullUpdate: boolean) => async (request: FastifyRequest<DetailParams>) => {
    const { project, membership, organization } = projectAccess(request, "project:write");
    // PUT is an "update" action, which PostHog's PremiumMultiProjectPermission also checks.
    if (fullUpdate) checkPlanLimit(ctx, organization);
    const body = parseWith(ProjectBody, jsonBody(request));
    const touched = ADMIN_FIELDS.filter((f) => body[f] !== undefined);
    if (touched.length > 0 && membership.level < Level.ADMIN) {
      throw errors.permissionDenied(`Only project admins can modify these settings: ${touched.join(", ")}`);
    }
    const updated = inTransaction(ctx.db, () => {
      if (body.name !== undefined) checkNameFree(ctx, organization.id, body.name, project.id);
      ctx.repos.projects.update(project.id, toFields(body));
      return ctx.repos.projects.get(project.id) as ProjectRow;
    });
    return serializeProject(updated, membership.level);
  };

  const destroy = async (request: FastifyRequest<DetailParams>, reply: FastifyReply) => {
    const { project, membership } = projectAccess(request, "project:write");
    requireLevel(membership, Level.ADMIN, STRICT_MANAGEMENT_MESSAGE);
    inTransaction(ctx.db, () => {
      const fresh = ctx.repos.projects.get(project.id) as ProjectRow;
      if (fresh.pending_deletion_at !== null)
        throw errors.validation("This project is already being deleted.");
      ctx.repos.projects.markPendingDeletion(project.id);
    });
    return reply.code(204).send();
  };

  const resetToken = async (request: FastifyRequest<DetailParams>) => {
    const { project, membership } = projectAccess(request, "project:write", { sessionOnly: true });
    requireLevel(membership, Level.ADMIN, STRICT_MANAGEMENT_MESSAGE);
    const updated = inTransaction(ctx.db, () => {
      ctx.repos.projects.resetToken(project.id);
      return ctx.repos.projects.get(project.id) as ProjectRow;
    });
    return serializeProject(updated, membership.level);
  };

  const changeOrganization = async (request: FastifyRequest<DetailParams>) => {
    const { principal, project, membership } = projectAccess(request, "project:write", { sessionOnly: true });
    const { organization_id: rawTarget } = parseWith(ChangeOrganizationBody, jsonBody(request));
    const moved = inTransaction(ctx.db, () => {
      const targetId =
        typeof rawTarget === "string" && isUuid(rawTarget.trim()) ? canonicalUuid(rawTarget.trim()) : null;
      const target = targetId ? ctx.repos.organizations.get(targetId) : undefined;
      const targetMembership = target ? ctx.repos.members.get(target.id, principal.user.id) : undefined;
      if (!target || !targetMembership) throw errors.invalidInput(MOVE_MESSAGES.notTargetMember);
      if (membership.level < Level.ADMIN || targetMembership.level < Level.ADMIN) {
        throw errors.invalidInput(MOVE_MESSAGES.notAdminOfBoth);
      }
      if (target.id === project.organization_id) throw errors.invalidInput(MOVE_MESSAGES.sameOrganization);
      if (ctx.repos.projects.countLive(project.organization_id, true) < 2) {
        throw errors.invalidInput(MOVE_MESSAGES.sourceNeedsTwoProjects);
      }
      if (!hasMultipleProjects(target) && ctx.repos.projects.countLive(target.id, true) >= 1) {
        throw errors.invalidInput(MOVE_MESSAGES.targetPlanAllowsOneProject);
      }
      if (ctx.repos.projects.countLive(target.id, true) >= MAX_PROJECTS_PER_ORGANIZATION) {
        throw errors.invalidInput(PLAN_LIMIT_MESSAGE);
      }
      // Access follows the organization: members and keys of the old one lose the project
      // unless they also belong to the new one.
      ctx.repos.projects.move(project.id, target.id);
      return { project: ctx.repos.projects.get(project.id) as ProjectRow, level: targetMembership.level };
    });
    return serializeProject(moved.project, moved.level);
  };

  for (const base of ["/api/organizations/:org/projects", "/api/projects"]) {
    app.get<ListParams>(base, list);
    app.post<ListParams>(base, create);
    methodNotAllowedFor(app, base, ["GET", "POST"]);
    const detail = `${base}/:id`;
    app.get<DetailParams>(detail, retrieve);
    app.patch<DetailParams>(detail, update(false));
    app.put<DetailParams>(detail, update(true));
    app.delete<DetailParams>(detail, destroy);
    methodNotAllowedFor(app, detail, ["GET", "PATCH", "PUT", "DELETE"]);
    app.patch<DetailParams>(`${detail}/reset_token`, resetToken);
    methodNotAllowedFor(app, `${detail}/reset_token`, ["PATCH"]);
    app.post<DetailParams>(`${detail}/change_organization`, changeOrganization);
    methodNotAllowedFor(app, `${detail}/change_organization`, ["POST"]);
  }
}
