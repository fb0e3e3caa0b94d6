import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { authenticate } from "../auth/authenticate";
import { organizationForProjects, projectGuard, sessionOnly } from "../auth/guards";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { rejectTeamScopedKey, requireScope, type Scope } from "../auth/scopes";
import { errors, parseWith } from "../http/errors";
import { booleanField, charField, choiceField } from "../http/fields";
import { jsonBody } from "../http/body";
import { pageFrom, paginated } from "../http/pagination";
import type { ProjectFields } from "../repositories/projects";
import * as rules from "../rules/projects";
import { serializeProject, serializeProjectBasic } from "../serializers/project";
import {
  applySettings,
  serializeSettings,
  settingsFields,
  splitSettings,
} from "../rules/environment-settings";
import type { ProjectRow } from "../repositories/projects";
import { Level } from "../domain";

// Wire schemas (posthog/api/project.py, ProjectBackwardCompatSerializer).

const TIMEZONES: readonly string[] = [
  ...new Set(["UTC", "Etc/UTC", "GMT", "Etc/GMT", ...Intl.supportedValuesOf("timeZone")]),
];

const ProjectBody = z.object({
  name: charField({ max: 200 }).optional(),
  product_description: charField({ max: 1000, allowBlank: true }).nullable().optional(),
  timezone: choiceField(TIMEZONES).optional(),
  // The environment's settings pass through, with the environment route's validation.
  ...settingsFields,
  completed_snippet_onboarding: booleanField().optional(),
  is_demo: booleanField().optional(),
  week_start_day: choiceField([0, 1]).nullable().optional(),
});
const ChangeOrganizationBody = z.object({ organization_id: z.unknown().optional() });
const ListQuery = z.object({ search: z.string().optional() }).loose();

/** Only the fields the body set: an absent field is left as it is. */
function toFields(body: Partial<z.output<typeof ProjectBody>>): ProjectFields {
  const fields: ProjectFields = {};
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined) (fields as Record<string, unknown>)[key] = value;
  }
  return fields;
}

type ListParams = { Params: { org?: string } };
type DetailParams = { Params: { org?: string; id: string } };

export function projectRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;
  const serialize = (project: ProjectRow, level: number) =>
    serializeProject(project, level, serializeSettings(ctx.repos, project));

  const list = async (request: FastifyRequest<ListParams>) => {
    const principal = authenticate(ctx, request);
    rejectTeamScopedKey(principal.key);
    requireScope(principal.key, "project:read");
    const { search } = parseWith(ListQuery, request.query ?? {}, "query");
    const page = pageFrom(request);
    const access = organizationForProjects(ctx, principal, request.params.org);
    if (!access) return paginated(request, page, 0, []);
    const { count, rows } = ctx.repos.projects.list({
      organizationId: access.organization.id,
      search: search?.trim() || undefined,
      limit: page.limit,
      offset: page.offset,
    });
    return paginated(request, page, count, rows.map(serializeProjectBasic));
  };

  const create = async (request: FastifyRequest<ListParams>, reply: FastifyReply) => {
    const principal = authenticate(ctx, request);
    rejectTeamScopedKey(principal.key);
    requireScope(principal.key, "project:write");
    const access = organizationForProjects(ctx, principal, request.params.org);
    if (!access) throw errors.notFound();
    rules.requireCanCreate(access.membership);
    const { fields, settings } = splitSettings(parseWith(ProjectBody, jsonBody(request)));
    const created = rules.createProject(ctx, principal.user, access.organization.id, toFields(fields));
    const isAdmin = access.membership.level >= Level.ADMIN;
    const withSettings = applySettings(ctx, created, access.organization, isAdmin, settings);
    return reply.code(201).send(serialize(withSettings, access.membership.level));
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
    return serialize(project, membership.level);
  };

  const update = (fullUpdate: boolean) => async (request: FastifyRequest<DetailParams>) => {
    const { project, membership, organization } = projectAccess(request, "project:write");
    // PUT is an "update" action, which PostHog's PremiumMultiProjectPermission also checks.
    if (fullUpdate) rules.checkPlanLimit(ctx.repos, organization, "update");
    const { fields, settings } = splitSettings(parseWith(ProjectBody, jsonBody(request)));
    const updated = rules.updateProject(ctx, project, membership, toFields(fields));
    const isAdmin = membership.level >= Level.ADMIN;
    return serialize(applySettings(ctx, updated, organization, isAdmin, settings), membership.level);
  };

  const destroy = async (request: FastifyRequest<DetailParams>, reply: FastifyReply) => {
    const { project, membership } = projectAccess(request, "project:write");
    rules.requireCanManage(membership);
    rules.deleteProject(ctx, project);
    return reply.code(204).send();
  };

  const resetToken = async (request: FastifyRequest<DetailParams>) => {
    const { project, membership } = projectAccess(request, "project:write", { sessionOnly: true });
    rules.requireCanManage(membership);
    return serialize(rules.resetToken(ctx, project), membership.level);
  };

  const cancelDeletion = async (request: FastifyRequest<DetailParams>) => {
    const { project, membership } = projectAccess(request, "project:write");
    rules.requireCanManage(membership);
    return serialize(rules.cancelDeletion(ctx, project), membership.level);
  };

  const changeOrganization = async (request: FastifyRequest<DetailParams>) => {
    const { principal, project, membership } = projectAccess(request, "project:write", { sessionOnly: true });
    const { organization_id: rawTarget } = parseWith(ChangeOrganizationBody, jsonBody(request));
    const moved = rules.moveProject(
      ctx,
      principal.user,
      project,
      membership,
      rawTarget,
      ctx.enforceProductPageMoveRules,
    );
    return serialize(moved.project, moved.level);
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
    app.post<DetailParams>(`${detail}/cancel-deletion`, cancelDeletion);
    methodNotAllowedFor(app, `${detail}/cancel-deletion`, ["POST"]);
    app.post<DetailParams>(`${detail}/change_organization`, changeOrganization);
    methodNotAllowedFor(app, `${detail}/change_organization`, ["POST"]);
  }
}
