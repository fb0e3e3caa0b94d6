import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context";
import { authenticate } from "../auth/authenticate";
import { projectGuard } from "../auth/guards";
import { Level } from "../domain";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { parseWith } from "../http/errors";
import { jsonBody } from "../http/body";
import type { ProjectRow } from "../repositories/projects";
import { serializeProject } from "../serializers/project";
import { SettingsBody, applySettings, serializeSettings } from "../rules/environment-settings";
import { serializeSecretTokens } from "../rules/secret-token";

/**
 * An environment (PostHog's team) in the TeamSerializer's shape: the project fields, every
 * setting and the secure key slots. posthog-local has one environment per project, same id.
 */
export function serializeEnvironment(ctx: EmulatorContext, project: ProjectRow, level: number) {
  return {
    ...serializeProject(project, level, serializeSettings(ctx.repos, project)),
    ...serializeSecretTokens(ctx.repos.secretTokens.get(project.id)),
  };
}

type DetailParams = { Params: { id: string } };

export function environmentRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  const retrieve = async (request: FastifyRequest<DetailParams>) => {
    const { project, membership } = projectGuard(
      ctx,
      authenticate(ctx, request),
      request.params.id,
      "project:read",
    );
    return serializeEnvironment(ctx, project, membership.level);
  };

  const update = async (request: FastifyRequest<DetailParams>) => {
    const access = projectGuard(ctx, authenticate(ctx, request), request.params.id, "project:write");
    const changes = parseWith(SettingsBody, jsonBody(request));
    const isAdmin = access.membership.level >= Level.ADMIN;
    const updated = applySettings(ctx, access.project, access.organization, isAdmin, changes);
    return serializeEnvironment(ctx, updated, access.membership.level);
  };

  const detail = "/api/environments/:id";
  app.get<DetailParams>(detail, retrieve);
  app.patch<DetailParams>(detail, update);
  methodNotAllowedFor(app, detail, ["GET", "PATCH"]);
}
