/**
 * The client's error family: {@link PostHogApiError} for anything PostHog (or the
 * network on the way to it) refused, {@link ResponseShapeError} when a response does
 * not have the shape this client was written against. Both are built here and only
 * here, so every message has the same parts: what was being done, to what, which
 * request, PostHog's own words, and how to fix it.
 *
 * No credential may appear in a message: messages are built from PostHog's error body
 * and the request's method and path only (never headers), and every message passes
 * through {@link redact} before it leaves this module.
 */
import { axiosLibrary } from "./libraries";
import { errorBodySchema } from "./schemas";

/** What the client was doing when a request failed: "create" + `Project "Production"`. */
export interface OperationContext {
  /** A verb phrase: "create", "read", "update", "delete", "move", "rotate the token of", ... */
  readonly action: string;
  /** The object acted on, as a user would name it: `Project "Production" (id 42)`. */
  readonly resource: string;
}

/** Base of the family; `instanceof PostHogError` catches every client error. */
export abstract class PostHogError extends Error {
  abstract readonly kind: "api" | "shape";
}

/** Fields of a {@link PostHogApiError}; see the class for their meaning. */
export interface PostHogApiErrorFields {
  readonly operation: OperationContext;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly attr?: string | null;
  readonly hint?: string;
  readonly networkCode?: string;
  readonly ambiguous: boolean;
}

/**
 * PostHog answered with an error status, or the request failed on the network.
 *
 * `ambiguous` is true when the server may have carried out the request although the
 * client saw a failure (response lost after sending, timeout, 5xx): the caller of a
 * non-idempotent request must look up what happened before trying again.
 */
export class PostHogApiError extends PostHogError implements PostHogApiErrorFields {
  readonly kind = "api" as const;
  readonly operation: OperationContext;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly attr?: string | null;
  readonly hint?: string;
  readonly networkCode?: string;
  readonly ambiguous: boolean;

  /** Use {@link apiError} or {@link apiErrorFromAxios}; the constructor is the factory's. */
  constructor(fields: PostHogApiErrorFields, message: string) {
    super(message);
    this.name = "PostHogApiError";
    this.operation = fields.operation;
    this.method = fields.method;
    this.path = fields.path;
    this.status = fields.status;
    this.code = fields.code;
    this.detail = fields.detail;
    this.attr = fields.attr;
    this.hint = fields.hint;
    this.networkCode = fields.networkCode;
    this.ambiguous = fields.ambiguous;
  }

  /** The object is not there (404), or is being deleted (400 "already being deleted"). */
  get isGone(): boolean {
    return this.status === 404 || (this.status === 400 && /already being deleted/i.test(this.detail ?? ""));
  }

  /** PostHog refused a personal API key on a session-only action. */
  get needsSession(): boolean {
    return this.status === 403 && /does not support personal API key access/i.test(this.detail ?? "");
  }
}

/** A response did not match the schema this client expects (a PostHog change, or a wrong host). */
export class ResponseShapeError extends PostHogError {
  readonly kind = "shape" as const;
  readonly operation: OperationContext;
  readonly method: string;
  readonly path: string;
  /** Which fields were wrong, as `path: problem`; never the values (they may hold tokens). */
  readonly problems: readonly string[];

  constructor(operation: OperationContext, method: string, path: string, problems: readonly string[]) {
    super(
      redact(
        `Could not ${operation.action} ${operation.resource}: ${method} ${path} returned a response ` +
          `this provider does not understand (${problems.slice(0, 5).join("; ")}). ` +
          `Hint: check that posthog:host points at a PostHog management API (for example https://us.posthog.com), ` +
          `not an ingestion host.`,
      ),
    );
    this.name = "ResponseShapeError";
    this.operation = operation;
    this.method = method;
    this.path = path;
    this.problems = problems;
  }
}

// ---------------------------------------------------------------------------------
// Redaction

const secretsToRedact = new Set<string>();

/**
 * Registers a credential (API key, password, TOTP seed, session cookie, project
 * token) so that it is masked in every message built from now on. Values shorter than
 * 6 characters are ignored: masking them would garble ordinary words.
 */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) secretsToRedact.add(value);
}

/** PostHog's credential formats: personal keys `phx_`, project tokens `phc_`, project secret keys `phs_`. */
const CREDENTIAL_PATTERN = /\b(ph[xcs]_)[A-Za-z0-9_-]{6,}/g;

/** Masks every registered secret and anything shaped like a PostHog credential. */
export function redact(text: string): string {
  let out = text.replace(CREDENTIAL_PATTERN, "$1***");
  for (const secret of secretsToRedact) {
    if (out.includes(secret)) out = out.split(secret).join("***");
  }
  return out;
}

// ---------------------------------------------------------------------------------
// The factory

/** Network error codes after which the request may have reached the server. */
const AMBIGUOUS_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ERR_BAD_RESPONSE",
]);

/**
 * One known cause of a failure and its hint. A row matches when any criterion it has
 * matches: PostHog's `detail` (its own words), its error `code`, or the HTTP status.
 */
interface HintRow {
  readonly detail?: RegExp;
  readonly code?: string;
  readonly status?: (status: number) => boolean;
  /** The hint; a function when it names something from the request or the detail. */
  readonly hint: string | ((ctx: HintContext, detail: RegExpExecArray | null) => string);
}

/**
 * Cause -> hint, first match wins: PostHog's own words first (they are the most
 * specific), then error codes, then the bare status.
 */
const HINTS: readonly HintRow[] = [
  {
    detail: /missing required scope '([^']+)'/i,
    hint: (_ctx, m) =>
      `add the scope '${m?.[1] ?? ""}' to the personal API key (PostHog: Settings > Personal API keys).`,
  },
  {
    detail: /does not support personal api key access/i,
    hint:
      "PostHog allows this action only in a logged-in session: set posthog:email and posthog:password " +
      "(secret), plus posthog:totpSecret (secret) if the account uses two-factor authentication.",
  },
  {
    code: "2fa_required",
    hint: "the account uses two-factor authentication: set posthog:totpSecret (secret) to its TOTP seed.",
  },
  {
    code: "email_mfa_required",
    hint:
      "PostHog asks this account to confirm each login through an emailed link (email MFA), which Pulumi cannot " +
      "follow. Turn on two-factor authentication (TOTP) for the account that runs Pulumi and set " +
      "posthog:totpSecret (secret) to its seed: PostHog then asks for a TOTP code instead of an email. A dedicated " +
      "automation user (an admin of the organizations involved) is the usual choice. The personal API key is not at fault.",
  },
  {
    code: "sso_enforced",
    hint:
      "this account's email domain enforces SSO, so PostHog refuses password logins for it. Use an account outside " +
      "that domain for posthog:email (a dedicated automation user with TOTP is the usual choice), or ask an " +
      "organization owner to run the session-only actions (token rotation, project moves) in the PostHog UI.",
  },
  {
    code: "too_many_failed_attempts",
    hint: "PostHog locked out logins from this address after repeated failures; check posthog:email and posthog:password, wait for the cool-off PostHog names, then run again.",
  },
  {
    code: "invalid_2fa_session",
    hint: "the two-factor step lost its pending login (the session cookie was not kept or expired): run again.",
  },
  {
    code: "invalid_credentials",
    detail: /invalid email or password/i,
    hint: "check posthog:email and posthog:password (or POSTHOG_EMAIL / POSTHOG_PASSWORD).",
  },
  {
    code: "2fa_invalid",
    hint: "check posthog:totpSecret: it must be the base32 seed of the account's authenticator.",
  },
  {
    detail: /maximum limit|upgrade your plan|limited to one project/i,
    hint: "upgrade the organization's plan (it needs the organizations_projects feature for more than one project), or remove a project first.",
  },
  {
    detail: /last project in an organization with an active subscription/i,
    hint:
      "PostHog keeps one project in a paying organization: keep this one (remove it from the program with " +
      "`pulumi state delete`, or mark it `retainOnDelete`), or cancel the subscription in PostHog's billing first.",
  },
  {
    detail: /scoped projects are only supported/i,
    hint:
      "the personal API key is limited to projects (scoped_teams), and PostHog takes such keys only on a project's own endpoints, " +
      "never to list or create projects: use a personal API key without a project scope (unscoped, or scoped to the organization) " +
      "that has project:read and project:write (PostHog: Settings > Personal API keys).",
  },
  {
    detail: /does not have access to the requested organization/i,
    hint: "the personal API key is limited to other organizations or projects: widen its scoped organizations/projects, or use a key that covers this one.",
  },
  {
    detail: /must be an admin of both/i,
    hint: "ask an owner of each organization to make you an admin there, then run again.",
  },
  {
    detail: /must be an admin or owner of both|must be a member of the target organization/i,
    hint: "check the target organization's id, and join it (by invite) as an admin or owner before moving a project into it.",
  },
  {
    detail: /access level is insufficient|organization admin or above|only project admins/i,
    hint: (ctx) =>
      ctx.levelHint ?? "ask an owner of the organization to make you an admin (or owner), then run again.",
  },
  {
    status: (s) => s >= 300 && s < 400,
    hint: (ctx) =>
      `${ctx.host} answered with a redirect: set posthog:host to the address it redirects to (usually the https:// URL).`,
  },
  {
    status: (s) => s === 401,
    hint: (ctx) =>
      `check posthog:apiKey (or POSTHOG_API_KEY): the key is missing, revoked, or belongs to another PostHog host than ${ctx.host}.`,
  },
  {
    status: (s) => s === 404,
    hint: "it does not exist, or the credentials cannot see it (not a member of its organization, or the key is scoped elsewhere).",
  },
  {
    status: (s) => s === 409,
    hint: "choose a different name, or adopt the existing project by setting existingProjectId.",
  },
  {
    status: (s) => s === 429,
    hint: "PostHog is rate limiting this API key and asked for a longer wait than the rate-limit budget allows (posthog:maxRateLimitWait, default 600 seconds). Run again later, or raise the budget.",
  },
  {
    status: (s) => s >= 500,
    hint: "PostHog had a server error; the request was retried until the retry budget ran out. Run again later.",
  },
];

/** The hint for a failure: the first row of {@link HINTS} that matches, or "" when none does. */
export function hintFor(
  status: number | undefined,
  code: string | undefined,
  detail: string,
  ctx: HintContext,
): string {
  for (const row of HINTS) {
    const match = row.detail?.exec(detail) ?? null;
    const matches =
      match !== null ||
      (row.code !== undefined && row.code === code) ||
      (status !== undefined && row.status?.(status) === true);
    if (matches) return typeof row.hint === "string" ? row.hint : row.hint(ctx, match);
  }
  return "";
}

/** Extra knowledge a caller can give the factory for a better hint. */
export interface HintContext {
  /** The PostHog host, named in 401 hints. */
  readonly host: string;
  /** Replaces the generic "ask an owner" hint for level errors (e.g. delete needs OWNER). */
  readonly levelHint?: string;
}

/** Builds a {@link PostHogApiError}: the one place messages are written. */
export function apiError(fields: Omit<PostHogApiErrorFields, "hint">, ctx: HintContext): PostHogApiError {
  const { operation, method, path, status, code, detail, attr, networkCode } = fields;
  const hint = hintFor(status, code, detail ?? "", ctx);
  const what = `Could not ${operation.action} ${operation.resource}`;
  let cause: string;
  if (status !== undefined) {
    cause = `${method} ${path} returned ${status}${code ? ` ${code}` : ""}`;
    if (detail) cause += `: ${detail}`;
    if (attr) cause += ` (field: ${attr})`;
  } else {
    cause = `${method} ${path} failed without a response (${networkCode ?? "network error"}${
      networkCode === "ECONNREFUSED" || networkCode === "ENOTFOUND"
        ? `; is posthog:host ${ctx.host} right?`
        : ""
    })`;
  }
  // PostHog's details usually end with a period already: one period, never "invalid.. Hint".
  const message = redact(`${what}: ${cause.replace(/\.+$/, "")}.${hint ? ` Hint: ${hint}` : ""}`);
  return new PostHogApiError({ ...fields, hint: hint || undefined }, message);
}

/**
 * Turns an axios failure into a {@link PostHogApiError}. The axios error itself (which
 * holds request headers, hence the Authorization header and cookies) is dropped here
 * and never attached as a cause.
 */
export function apiErrorFromAxios(
  err: unknown,
  operation: OperationContext,
  method: string,
  path: string,
  ctx: HintContext,
): PostHogApiError {
  if (err instanceof PostHogApiError) return err;
  const { AxiosError } = axiosLibrary();
  if (err instanceof AxiosError && err.response) {
    const status = err.response.status;
    const parsed = errorBodySchema.safeParse(err.response.data);
    const body = parsed.success ? parsed.data : {};
    const detail =
      body.detail ??
      (typeof err.response.data === "string" && err.response.data.length < 300
        ? err.response.data
        : undefined);
    return apiError(
      {
        operation,
        method,
        path,
        status,
        code: body.code ?? undefined,
        detail: detail ?? undefined,
        attr: body.attr ?? null,
        ambiguous: status >= 500,
      },
      ctx,
    );
  }
  // axios gives Node's code (ECONNRESET for "socket hang up", ECONNABORTED for its timeout).
  const networkCode =
    err instanceof AxiosError ? (err.code ?? err.message) : err instanceof Error ? err.message : String(err);
  return apiError(
    {
      operation,
      method,
      path,
      networkCode,
      ambiguous: AMBIGUOUS_NETWORK_CODES.has(networkCode) || /hang up|reset|timeout/i.test(networkCode),
    },
    ctx,
  );
}
