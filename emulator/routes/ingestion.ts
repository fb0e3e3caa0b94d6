import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context";
import { inTransaction } from "../db/database";
import { ApiError, errors } from "../http/errors";
import { parsedBody } from "../http/body";
import type { IncomingEvent } from "../repositories/events";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const asString = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** Decodes the body the SDKs send: JSON (plain or gzip), or a form whose `data` is JSON or base64 JSON. */
function payloadOf(request: FastifyRequest): unknown {
  const body = parsedBody(request);
  if (!body) return undefined;
  if (body.kind === "json") return body.value;
  const text = body.kind === "form" ? (body.value.get("data") ?? "") : body.value;
  if (text.trim() === "") return undefined;
  for (const candidate of [text, Buffer.from(text, "base64").toString("utf8")]) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next encoding
    }
  }
  throw errors.parse("Malformed request data: the body is not JSON.");
}

function queryToken(request: FastifyRequest): string | null {
  const query = request.query as Record<string, unknown>;
  return asString(query.token) ?? asString(query.api_key);
}

interface TokenedEvent extends IncomingEvent {
  token: string | null;
}

/** Flattens the shapes capture accepts: `{api_key, batch}`, a single event, or an array of events. */
function eventsOf(payload: unknown, fallbackToken: string | null): TokenedEvent[] {
  let items: unknown[];
  let sharedToken = fallbackToken;
  if (Array.isArray(payload)) items = payload;
  else if (isObject(payload)) {
    sharedToken = asString(payload.api_key) ?? asString(payload.token) ?? sharedToken;
    items = Array.isArray(payload.batch)
      ? payload.batch
      : Array.isArray(payload.data)
        ? payload.data
        : [payload];
  } else items = [];
  const out: TokenedEvent[] = [];
  for (const item of items) {
    if (!isObject(item)) continue;
    const event = asString(item.event);
    if (!event) continue;
    const properties = isObject(item.properties) ? item.properties : {};
    const token = asString(item.api_key) ?? asString(item.token) ?? asString(properties.token) ?? sharedToken;
    const distinctId = item.distinct_id ?? properties.distinct_id ?? null;
    out.push({ event, distinctId: distinctId === null ? null : String(distinctId), token });
  }
  return out;
}

const missingToken = () =>
  new ApiError(401, {
    type: "authentication_error",
    code: "missing_api_key",
    detail: "API key not provided. You can find your project API key in PostHog project settings.",
    attr: null,
  });

export function ingestionRoutes(app: FastifyInstance): void {
  const ctx: EmulatorContext = app.emulator;

  // Capture accepts quickly and keeps only events whose token names a live project; events for an
  // unknown or revoked token are dropped silently, as PostHog's capture service does.
  const capture = async (request: FastifyRequest) => {
    const events = eventsOf(payloadOf(request), queryToken(request));
    if (events.length > 0 && events.every((e) => e.token === null)) throw missingToken();
    inTransaction(ctx.db, () => {
      const byToken = new Map<string, IncomingEvent[]>();
      for (const e of events) {
        if (e.token === null) continue;
        byToken.set(e.token, [...(byToken.get(e.token) ?? []), e]);
      }
      for (const [token, list] of byToken) {
        const project = ctx.repos.projects.liveByToken(token);
        if (!project) continue;
        ctx.repos.events.insertMany(project.id, list);
        ctx.repos.projects.markIngested(project.id);
      }
    });
    return { status: "Ok" };
  };
  for (const path of ["/batch", "/i/v0/e", "/capture", "/e", "/track"]) {
    app.post(path, capture);
  }

  // Flags evaluation: no flags are defined here, but the token is checked like PostHog does.
  const flags = async (request: FastifyRequest) => {
    const payload = request.method === "GET" ? undefined : payloadOf(request);
    const token =
      (isObject(payload) ? (asString(payload.token) ?? asString(payload.api_key)) : null) ??
      queryToken(request);
    if (!token || !ctx.repos.projects.liveByToken(token)) throw errors.invalidProjectToken();
    return {
      flags: {},
      featureFlags: {},
      featureFlagPayloads: {},
      errorsWhileComputingFlags: false,
      quotaLimited: [],
      requestId: randomUUID(),
    };
  };
  for (const path of ["/flags", "/decide"]) {
    app.post(path, flags);
    app.get(path, flags);
  }
}
