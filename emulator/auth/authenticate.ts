import type { FastifyRequest } from "fastify";
import type { EmulatorContext, Principal } from "../context";
import { errors } from "../http/errors";
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, csrfFailure, originFailure } from "./session-cookies";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Resolves the caller: a `Bearer` personal API key first (throttled per key), else a Django-like
 * session whose unsafe requests must pass the CSRF double-submit check. Throws PostHog's 401/403/429.
 */
export function authenticate(ctx: EmulatorContext, request: FastifyRequest): Principal {
  if (request.principal) return request.principal;
  const token = bearerToken(request);
  if (token !== null) {
    const key = ctx.repos.keys.findByRaw(token);
    const user = key ? ctx.repos.users.byId(key.userId) : undefined;
    if (!key || !user) throw errors.invalidPersonalKey();
    const wait = ctx.rateLimiter?.hit(key.id) ?? null;
    if (wait !== null) throw errors.throttled(wait);
    request.principal = { user, key };
    return request.principal;
  }
  const cookies = request.cookies;
  const sessionValue = cookies[SESSION_COOKIE];
  const session = sessionValue ? ctx.repos.sessions.get(sessionValue) : undefined;
  const user = session?.user_id ? ctx.repos.users.byId(session.user_id) : undefined;
  if (!user) throw errors.notAuthenticated();
  checkCsrf(request);
  request.principal = { user, key: null };
  return request.principal;
}

/**
 * Django's CsrfViewMiddleware for an unsafe request: the `Origin` header, when sent, must be this
 * site (checked first, so a valid token from another site does not help), then the double-submit
 * token. Throws DRF's 403 "CSRF Failed: <Django's reason>".
 */
export function checkCsrf(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  const failure = typeof origin === "string" ? originFailure(origin, request.headers.host) : null;
  const header = request.headers[CSRF_HEADER];
  const reason =
    failure ?? csrfFailure(request.cookies[CSRF_COOKIE], typeof header === "string" ? header : undefined);
  if (reason) throw errors.permissionDenied(`CSRF Failed: ${reason}`);
}
