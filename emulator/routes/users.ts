import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { authenticate } from "../auth/authenticate";
import { currentOrganizationId, currentProject, visibleOrganizations } from "../auth/access";
import { requireScope } from "../auth/scopes";
import { methodNotAllowedFor } from "../http/routing";
import { serializeOrganization } from "./organizations";
import { serializeProjectBasic } from "./projects";

export function userRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  // The whoami: who the caller is, which organizations it sees and where it currently works.
  app.get("/api/users/@me", async (request) => {
    const principal = authenticate(ctx, request);
    requireScope(principal.key, "user:read");
    const user = principal.user;
    const organizations = visibleOrganizations(ctx, principal);
    const currentId = currentOrganizationId(ctx, user);
    const current = organizations.find((o) => o.id === currentId) ?? organizations[0];
    const project = currentProject(ctx, user);
    const team = project && project.organization_id === current?.id ? project : null;
    return {
      date_joined: user.date_joined,
      uuid: user.uuid,
      distinct_id: user.distinct_id,
      first_name: user.first_name,
      last_name: user.last_name,
      email: user.email,
      pending_email: null,
      is_email_verified: true,
      has_password: true,
      is_staff: false,
      is_impersonated: false,
      is_2fa_enabled: user.totp_secret !== null,
      has_social_auth: false,
      team: team ? serializeProjectBasic(team) : null,
      organization: current ? serializeOrganization(ctx, current, current.level) : null,
      organizations: organizations.map((o) => ({
        id: o.id,
        name: o.name,
        slug: o.slug,
        logo_media_id: null,
        membership_level: o.level,
        members_can_use_personal_api_keys: o.members_can_use_personal_api_keys === 1,
      })),
    };
  });
  methodNotAllowedFor(app, "/api/users/@me", ["GET"]);
}
