import Fastify, { type FastifyInstance } from "fastify";
import fastifyCookie from "@fastify/cookie";
import type { Writable } from "node:stream";
import { openDatabase, type Db } from "./db/database";
import type { EmulatorContext } from "./context";
import { createRepositories } from "./repositories";
import { RateLimiter } from "./auth/rate-limit";
import { MAX_BODY_BYTES, registerBodyParser } from "./http/body";
import { ApiError, errorHandler, errors, sendError } from "./http/errors";
import { DEFAULT_RATE_LIMIT, type EmulatorOptions } from "./options";
import { registerFaults } from "./plugins/faults";
import { adminRoutes } from "./routes/admin";
import { adminLoginRoutes } from "./routes/admin-login";
import { LoginState } from "./rules/sessions";
import { environmentRoutes } from "./routes/environments";
import { ingestionRoutes } from "./routes/ingestion";
import { inviteAdminRoutes, inviteRoutes } from "./routes/invites";
import { loginRoutes } from "./routes/login";
import { memberRoutes } from "./routes/members";
import { organizationRoutes } from "./routes/organizations";
import { projectRoutes } from "./routes/projects";
import { secretTokenRoutes } from "./routes/secret-token";
import { userRoutes } from "./routes/users";
import { registerRequestLog } from "./http/request-log";

export interface BuildAppOptions extends Omit<EmulatorOptions, "host" | "port"> {
  /** An already-open database to use instead of opening `dbPath`; the caller then closes it. */
  database?: Db;
  /** Where log lines go when `logger` is true (default stdout); tests use it to check for leaks. */
  logStream?: Writable;
}

/**
 * Builds the posthog-local application without listening (tests drive it with `app.inject()`;
 * `startEmulator` listens). The database opened here is closed with the app.
 */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const db = options.database ?? openDatabase(options.dbPath);
  const rate = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const ctx: EmulatorContext = {
    db,
    repos: createRepositories(db),
    rateLimiter: rate === false ? null : new RateLimiter(rate.perMinute, rate.perHour),
    allowPersonalKeysOnSessionActions: options.allowPersonalKeysOnSessionActions ?? false,
    enforceProductPageMoveRules: options.enforceProductPageMoveRules ?? false,
    faults: { ...(options.faults ?? {}) },
    login: new LoginState(),
  };
  ctx.repos.sessions.deleteExpired();

  const app = Fastify({
    // fastify's own logger writes two JSON lines per request; `--log` is registerRequestLog's one line.
    logger: false,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: MAX_BODY_BYTES,
    // Undecodable paths (`%ZZ`) fail before routing; answer them in PostHog's error shape too.
    frameworkErrors: (_error, _request, reply) =>
      sendError(
        reply,
        new ApiError(400, {
          type: "invalid_request",
          code: "bad_request",
          detail: "Malformed request path.",
          attr: null,
        }),
      ),
  });
  app.decorate("emulator", ctx);
  if (options.logger) registerRequestLog(app, options.logStream ?? process.stdout);
  app.decorateRequest("principal", null);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => sendError(reply, errors.endpointNotFound()));
  registerBodyParser(app);
  // Registered before the route plugins so every route sees `request.cookies`.
  app.register(fastifyCookie);
  app.register(async (scoped) => {
    registerFaults(scoped, ctx);
    loginRoutes(scoped);
    userRoutes(scoped);
    organizationRoutes(scoped);
    memberRoutes(scoped);
    inviteRoutes(scoped);
    projectRoutes(scoped);
    environmentRoutes(scoped);
    secretTokenRoutes(scoped);
    ingestionRoutes(scoped);
  });
  app.register(async (scoped) => {
    adminRoutes(scoped);
    inviteAdminRoutes(scoped);
    adminLoginRoutes(scoped);
  });
  if (!options.database) app.addHook("onClose", async () => db.close());
  return app;
}
