import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context";
import { authenticate } from "../auth/authenticate";
import { projectGuard } from "../auth/guards";
import { Level } from "../domain";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { parseWith } from "../http/errors";
import { jsonBody } from "../http/body";
import { SettingsBody, applySettings } from "../rules/environment-settings";
import { serializeEnvironment } from "../serializers/environment";

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
