/**
 * The provider's settings: one typed object, read in the dynamic provider's
 * `configure()` from the stack config (secrets arrive decrypted), with environment
 * variables as fallbacks (the provider process inherits the CLI's environment).
 *
 * None of these values may reach the serialized provider, resource inputs, outputs
 * or state: they live only in the provider process's memory.
 *
 * | stack config key           | env fallback          | meaning                                                        |
 * |----------------------------|-----------------------|----------------------------------------------------------------|
 * | `posthog:host`             | `POSTHOG_HOST`        | management API URL; default `https://us.posthog.com`           |
 * | `posthog:apiKey` (secret)  | `POSTHOG_API_KEY`     | personal API key `phx_...` used for every call                 |
 * | `posthog:email`            | `POSTHOG_EMAIL`       | login email, for the two session-only actions                  |
 * | `posthog:password` (secret)| `POSTHOG_PASSWORD`    | login password, for the two session-only actions               |
 * | `posthog:totpSecret` (secret)| `POSTHOG_TOTP_SECRET` | base32 TOTP seed, when the account uses two-factor login     |
 * | `posthog:sessionOnlyActions` | `POSTHOG_SESSION_ONLY_ACTIONS` | "true": log in straight away for `reset_token` and `change_organization` instead of trying the key first |
 * | `posthog:maxRateLimitWait` | `POSTHOG_MAX_RATE_LIMIT_WAIT` | seconds one request may spend waiting out PostHog's `Retry-After` on 429s; default 600, 0 gives up on the first 429 |
 *
 * The session-only actions are rotating a token (`ProjectToken` replace/delete) and
 * moving a project (`Project` with a new `organizationId`): PostHog refuses personal
 * API keys there.
 */
import { z } from "zod";

/** Where the management API is when nothing is configured. */
export const DEFAULT_HOST = "https://us.posthog.com";

/** The provider's settings. */
export interface ProviderConfig {
  /** Management API base URL, without trailing slash. */
  readonly host: string;
  /** Personal API key. */
  readonly apiKey?: string;
  /** Login email for session-only actions. */
  readonly email?: string;
  /** Login password for session-only actions. */
  readonly password?: string;
  /** Base32 TOTP seed for two-factor login. */
  readonly totpSecret?: string;
  /** Go straight to the session for session-only actions. */
  readonly sessionOnlyActions: boolean;
  /** Budget of `Retry-After` waits per request, in ms; undefined: the client's default. */
  readonly maxRateLimitWaitMs?: number;
}

/** Reads one raw setting by its namespaced stack config key (`posthog:host`). */
export type ConfigSource = (key: string) => string | undefined;

const hostSchema = z.url({ protocol: /^https?$/ });

/** Seconds, a whole number from 0 to a day (an hour-window `Retry-After` is at most an hour). */
const waitSecondsSchema = z.coerce.number().int().min(0).max(86_400);

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Builds the config from stack config (`get`) and the environment (`env`), stack
 * config first. Throws a clear error for an unusable host; never echoes a secret.
 */
export function readConfig(get: ConfigSource, env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const pick = (key: string, envName: string) => nonEmpty(get(`posthog:${key}`)) ?? nonEmpty(env[envName]);
  const host = (pick("host", "POSTHOG_HOST") ?? DEFAULT_HOST).replace(/\/+$/, "");
  const parsed = hostSchema.safeParse(host);
  if (!parsed.success) {
    throw new Error(
      `posthog:host (or POSTHOG_HOST) must be the URL of a PostHog management API, such as ${DEFAULT_HOST}; got "${host}". ` +
        `Hint: start it with https:// (http:// for a local server), e.g. https://${host.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")}.`,
    );
  }
  const sessionOnly = pick("sessionOnlyActions", "POSTHOG_SESSION_ONLY_ACTIONS");
  const maxWait = pick("maxRateLimitWait", "POSTHOG_MAX_RATE_LIMIT_WAIT");
  const parsedWait = maxWait === undefined ? undefined : waitSecondsSchema.safeParse(maxWait);
  if (parsedWait && !parsedWait.success) {
    throw new Error(
      `posthog:maxRateLimitWait (or POSTHOG_MAX_RATE_LIMIT_WAIT) must be a whole number of seconds from 0 to 86400; got "${maxWait}".`,
    );
  }
  return {
    host,
    apiKey: pick("apiKey", "POSTHOG_API_KEY"),
    email: pick("email", "POSTHOG_EMAIL"),
    password: pick("password", "POSTHOG_PASSWORD"),
    totpSecret: pick("totpSecret", "POSTHOG_TOTP_SECRET")?.replace(/\s+/g, ""),
    sessionOnlyActions: sessionOnly?.toLowerCase() === "true",
    maxRateLimitWaitMs: parsedWait ? parsedWait.data * 1000 : undefined,
  };
}
