import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { authenticate } from "../auth/authenticate";
import { currentOrganizationId, currentProject, visibleOrganizations } from "../auth/access";
import { methodNotAllowedFor } from "../auth/method-not-allowed";
import { requireScope } from "../auth/scopes";
import { serializeMe } from "../serializers/user";

export function userRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  app.get("/api/users/@me", async (request) => {
    const principal = authenticate(ctx, request);
    requireScope(principal.key, "user:read");
    const user = principal.user;
    const organizations = visibleOrganizations(ctx, principal);
    const currentId = currentOrganizationId(ctx, user);
    const current = organizations.find((o) => o.id === currentId) ?? organizations[0];
    const project = currentProject(ctx, user);
    const team = project && project.organization_id === current?.id ? project : null;
    return serializeMe(ctx.repos, user, organizations, current, team);
  });
  methodNotAllowedFor(app, "/api/users/@me", ["GET"]);
}
