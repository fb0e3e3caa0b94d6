import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context";
import { authenticate } from "../auth/authenticate";
import { projectGuard, sessionOnly } from "../auth/guards";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import type { ProjectRow } from "../repositories/projects";
import { requireCanManage } from "../rules/projects";
import {
  deleteSecretTokenBackup,
  flagDefinitions,
  projectForSecretKey,
  rotateSecretToken,
} from "../rules/secret-token";
import { serializeEnvironment } from "../serializers/environment";

type DetailParams = { Params: { org?: string; id: string } };

export function secretTokenRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  /** Both actions: session only (PostHog refuses personal keys), project admin, answered with the project. */
  const action = (rule: typeof rotateSecretToken) => async (request: FastifyRequest<DetailParams>) => {
    const principal = authenticate(ctx, request);
    sessionOnly(ctx, principal);
    const { project, membership } = projectGuard(
      ctx,
      principal,
      request.params.id,
      "project:write",
      request.params.org,
    );
    requireCanManage(membership);
    rule(ctx, project);
    return serializeEnvironment(ctx, ctx.repos.projects.get(project.id) as ProjectRow, membership.level);
  };

  for (const base of ["/api/organizations/:org/projects/:id", "/api/projects/:id", "/api/environments/:id"]) {
    app.patch<DetailParams>(`${base}/rotate_secret_token`, action(rotateSecretToken));
    methodNotAllowedFor(app, `${base}/rotate_secret_token`, ["PATCH"]);
    app.patch<DetailParams>(`${base}/delete_secret_token_backup`, action(deleteSecretTokenBackup));
    methodNotAllowedFor(app, `${base}/delete_secret_token_backup`, ["PATCH"]);
  }

  // Local evaluation (posthog-node's `GET /flags/definitions?token=phc_...&send_cohorts` with
  // `Authorization: Bearer phs_...`); older SDKs call the Django route of the same meaning.
  const definitions = async (request: FastifyRequest) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const token = typeof query.token === "string" && query.token !== "" ? query.token : null;
    projectForSecretKey(ctx, request.headers.authorization, token);
    return flagDefinitions();
  };
  app.get("/flags/definitions", definitions);
  app.get("/api/feature_flag/local_evaluation", definitions);
}
