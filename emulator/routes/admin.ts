import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { inTransaction } from "../db/database";
import { KNOWN_SCOPE_OBJECTS } from "../auth/scopes";
import { ApiError, errors, parseWith } from "../http/errors";
import {
  booleanField,
  canonicalUuid,
  charField,
  choiceField,
  isUuid,
  listOf,
  uuidField,
} from "../http/fields";
import { jsonBody } from "../http/body";
import { Level, type LevelValue } from "../domain";
import { FaultOptionsSchema } from "../plugins/faults";
import { addMember } from "../rules/members";
import { completeDeletion } from "../rules/projects";
import { serializeMember } from "../serializers/member";

// Admin API: not part of PostHog. It does what PostHog reserves for billing, invites and the UI,
// so tests and scripts can set the stage. Loopback callers only, no PostHog authentication.

const SCOPE_RE = new RegExp(`^(\\*|(${KNOWN_SCOPE_OBJECTS.join("|")}):(read|write))$`);

const CreateUser = z.object({
  email: charField({ max: 254 }).refine(
    (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v),
    "Enter a valid email address.",
  ),
  password: charField({ max: 128 }),
  first_name: charField({ max: 150, allowBlank: true }).optional(),
  totpSecret: charField({ max: 128 }).optional(),
});
const AddMember = z.object({
  email: charField(),
  level: choiceField<LevelValue>([Level.MEMBER, Level.ADMIN, Level.OWNER]),
});
const CreateKey = z.object({
  email: charField(),
  label: charField({ max: 40 }).optional(),
  scopes: listOf(z.string().regex(SCOPE_RE, "Not a valid scope.")).min(1, "This list may not be empty."),
  scoped_organizations: listOf(uuidField()).nullable().optional(),
  scoped_teams: listOf(z.number().int().positive()).nullable().optional(),
});
const SetPlan = z.object({ plan: choiceField(["free", "scale"] as const) });
const SetSubscription = z.object({ active: booleanField() });
const EventsQuery = z.object({
  project_id: z.string().regex(/^\d+$/, "A valid integer is required.").transform(Number).optional(),
});

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

function requireLoopback(request: FastifyRequest): void {
  if (!LOOPBACK.has(request.socket.remoteAddress ?? "")) {
    throw errors.permissionDenied("The admin API only answers loopback callers.");
  }
}

function requireOrganization(ctx: EmulatorContext, raw: string) {
  const org = isUuid(raw) ? ctx.repos.organizations.get(canonicalUuid(raw)) : undefined;
  if (!org) throw errors.notFound();
  return org;
}

export function adminRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;
  app.addHook("onRequest", async (request) => {
    if (request.url.startsWith("/_admin")) requireLoopback(request);
  });

  app.post("/_admin/users", async (request, reply) => {
    const body = parseWith(CreateUser, jsonBody(request));
    const user = inTransaction(ctx.db, () => {
      if (ctx.repos.users.byEmail(body.email))
        throw errors.conflict("A user with this email already exists.");
      return ctx.repos.users.create({
        email: body.email,
        password: body.password,
        firstName: body.first_name,
        totpSecret: body.totpSecret,
      });
    });
    return reply.code(201).send({
      id: user.id,
      uuid: user.uuid,
      distinct_id: user.distinct_id,
      email: user.email,
      first_name: user.first_name,
      is_2fa_enabled: user.totp_secret !== null,
    });
  });

  app.post<{ Params: { org: string } }>("/_admin/organizations/:org/members", async (request, reply) => {
    const body = parseWith(AddMember, jsonBody(request));
    const raw = request.params.org;
    const member = addMember(ctx, isUuid(raw) ? canonicalUuid(raw) : null, body.email, body.level);
    return reply.code(201).send(serializeMember(member));
  });

  app.post("/_admin/personal_api_keys", async (request, reply) => {
    const body = parseWith(CreateKey, jsonBody(request));
    const created = inTransaction(ctx.db, () => {
      const user = ctx.repos.users.byEmail(body.email);
      if (!user) throw errors.notFound("User not found.");
      return ctx.repos.keys.create(user.id, {
        label: body.label,
        scopes: body.scopes,
        scopedOrganizations: body.scoped_organizations,
        scopedTeams: body.scoped_teams,
      });
    });
    // The raw key is shown once, here; only its hash is stored.
    return reply.code(201).send({
      id: created.key.id,
      label: created.key.label,
      key: created.raw,
      mask_value: created.key.maskValue,
      scopes: created.key.scopes,
      scoped_organizations: created.key.scopedOrganizations,
      scoped_teams: created.key.scopedTeams,
      created_at: created.key.createdAt,
    });
  });

  app.put<{ Params: { org: string } }>("/_admin/organizations/:org/plan", async (request) => {
    const body = parseWith(SetPlan, jsonBody(request));
    return inTransaction(ctx.db, () => {
      const org = requireOrganization(ctx, request.params.org);
      ctx.repos.organizations.setPlan(org.id, body.plan);
      return { id: org.id, plan: body.plan };
    });
  });

  app.put<{ Params: { org: string } }>("/_admin/organizations/:org/subscription", async (request) => {
    const body = parseWith(SetSubscription, jsonBody(request));
    return inTransaction(ctx.db, () => {
      const org = requireOrganization(ctx, request.params.org);
      ctx.repos.organizations.setActiveSubscription(org.id, body.active);
      return { id: org.id, active_subscription: body.active };
    });
  });

  app.post<{ Params: { id: string } }>("/_admin/projects/:id/complete-deletion", async (request, reply) => {
    const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : null;
    if (id === null) throw errors.notFound();
    completeDeletion(ctx, id);
    return reply.code(204).send();
  });

  app.get("/_admin/events", async (request) => {
    const query = parseWith(EventsQuery, request.query ?? {}, "query");
    if (query.project_id !== undefined) {
      if (!ctx.repos.projects.get(query.project_id)) throw errors.notFound();
      return { project_id: query.project_id, events: ctx.repos.events.countForProject(query.project_id) };
    }
    return { projects: ctx.repos.events.countsByProject() };
  });

  app.get("/_admin/faults", async () => ctx.faults);
  app.put("/_admin/faults", async (request) => {
    const body = jsonBody(request);
    const parsed = FaultOptionsSchema.safeParse(body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(400, {
        type: "validation_error",
        code: "invalid",
        detail: issue.message,
        attr: issue.path.map(String).join("__") || null,
      });
    }
    ctx.faults = parsed.data;
    return ctx.faults;
  });
}
