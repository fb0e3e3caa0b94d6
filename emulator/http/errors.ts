import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";

/** PostHog's error body (drf-exceptions-hog): every non-2xx answer of the API has this shape. */
export interface ErrorBody {
  type: string;
  code: string;
  detail: string;
  attr: string | null;
}

/**
 * An error that becomes a PostHog error response. Routes throw these; the error handler renders
 * them, so a status and its body are decided in one place.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.detail);
    this.name = "ApiError";
  }
}

function make(status: number, type: string, code: string, detail: string, attr: string | null = null) {
  return new ApiError(status, { type, code, detail, attr });
}

export const errors = {
  notAuthenticated: () =>
    make(401, "authentication_error", "not_authenticated", "Authentication credentials were not provided."),
  invalidPersonalKey: () =>
    make(
      401,
      "authentication_error",
      "authentication_failed",
      "Personal API key found in request Authorization header is invalid.",
    ),
  permissionDenied: (detail: string) => make(403, "authentication_error", "permission_denied", detail),
  notFound: (detail = "Not found.") => make(404, "invalid_request", "not_found", detail),
  endpointNotFound: () => make(404, "invalid_request", "not_found", "Endpoint not found."),
  methodNotAllowed: (method: string) =>
    make(405, "invalid_request", "method_not_allowed", `Method "${method}" not allowed.`),
  validation: (detail: string, code = "invalid", attr: string | null = null) =>
    make(400, "validation_error", code, detail, attr),
  invalidInput: (detail: string) => make(400, "validation_error", "invalid_input", detail),
  conflict: (detail: string) => make(409, "server_error", "conflict", detail),
  parse: (detail: string) => make(400, "invalid_request", "parse_error", detail),
  unsupportedMediaType: (mediaType: string) =>
    make(
      415,
      "invalid_request",
      "unsupported_media_type",
      `Unsupported media type "${mediaType}" in request.`,
    ),
  throttled: (waitSeconds: number) =>
    new ApiError(
      429,
      {
        type: "throttled_error",
        code: "throttled",
        detail: `Request was throttled. Expected available in ${waitSeconds} second${waitSeconds === 1 ? "" : "s"}.`,
        attr: null,
      },
      { "Retry-After": String(waitSeconds) },
    ),
  serviceUnavailable: () =>
    new ApiError(
      503,
      {
        type: "server_error",
        code: "service_unavailable",
        detail: "Service temporarily unavailable, try again later.",
        attr: null,
      },
      { "Retry-After": "1" },
    ),
  server: () => make(500, "server_error", "error", "A server error occurred."),
  invalidProjectToken: () =>
    make(
      401,
      "authentication_error",
      "invalid_api_key",
      "Project API key invalid. You can find your project API key in PostHog project settings.",
    ),
};

/** DRF's error codes, recovered from the messages our schemas use (zod keeps only the message). */
function drfCodeFor(message: string): string {
  if (message === "This field is required.") return "required";
  if (message === "This field may not be null.") return "null";
  if (message === "This field may not be blank.") return "blank";
  if (message === "Null characters are not allowed.") return "null_characters_not_allowed";
  if (message.startsWith("Ensure this field has no more than")) return "max_length";
  if (message.startsWith("Ensure this value is less than")) return "max_value";
  if (message.startsWith("Ensure this value is greater than")) return "min_value";
  if (message.endsWith("is not a valid choice.")) return "invalid_choice";
  if (message.startsWith("Expected a list")) return "not_a_list";
  return "invalid";
}

function pythonTypeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value;
}

/**
 * Validates a request body/query with zod and turns the first problem into PostHog's 400
 * (only the first error is returned, `attr` names the field, as drf-exceptions-hog does).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: "body" | "query" = "body",
): z.output<S> {
  if (what === "body" && (typeof input !== "object" || input === null || Array.isArray(input))) {
    if (input === undefined) input = {};
    else
      throw errors.validation(
        `Invalid data. Expected a dictionary, but got ${pythonTypeName(input)}.`,
        "invalid",
        null,
      );
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const attr = issue.path.length > 0 ? issue.path.map(String).join("__") : null;
  throw errors.validation(issue.message, drfCodeFor(issue.message), attr);
}

function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).type("application/json").send(error.body);
}

/** Maps anything thrown in a route to a PostHog error body; never lets a stack reach the client. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiError) return sendError(reply, error);
  if (isSqliteBusy(error)) return sendError(reply, errors.serviceUnavailable());
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return sendError(reply, errors.parse(`JSON parse error - ${error.message}`));
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return sendError(
        reply,
        new ApiError(413, {
          type: "invalid_request",
          code: "request_too_large",
          detail: "Request body is too large.",
          attr: null,
        }),
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return sendError(reply, errors.unsupportedMediaType(String(request.headers["content-type"] ?? "")));
  }
  if (
    typeof fastifyError.statusCode === "number" &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return sendError(
      reply,
      new ApiError(fastifyError.statusCode, {
        type: "invalid_request",
        code: "invalid_request",
        detail: error.message,
        attr: null,
      }),
    );
  }
  request.log.error({ err: { message: error.message, stack: error.stack } }, "unhandled error");
  return sendError(reply, errors.server());
}
