/**
 * The HTTP core of the PostHog client: one axios instance, one retry policy, one
 * place where responses are validated and failures become {@link PostHogApiError}s.
 * It knows PostHog's wire conventions (error bodies, pagination, cookies and CSRF for
 * session requests) and nothing of Pulumi.
 */
import * as fs from "fs";
import * as path from "path";
import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from "axios";
import type { CookieJar } from "tough-cookie";
import { z } from "zod";
import { ReadCache } from "./cache";
import { apiErrorFromAxios, OperationContext, redact, ResponseShapeError } from "./errors";
import { axiosLibrary, axiosRetryLibrary, cookieLibrary } from "./libraries";
import { pageSchema } from "./schemas";

/**
 * The retry policy, the only one in the client.
 *
 * What is retried:
 * - 429 (throttled), for every method: the server refused before doing anything.
 *   `Retry-After` is honoured: the next attempt waits that long, and the process's
 *   {@link Pacer} holds every other request back for as long. Throttled attempts do
 *   not count against `retries` or `maxTotalMs`: they have their own budget,
 *   `maxRateLimitWaitMs` (the summed `Retry-After` waits of one request); when the
 *   next wait would not fit in it the client gives up at once.
 * - 5xx and connection errors after the request may have been sent (reset, hang up,
 *   timeout) for idempotent requests only: GET and DELETE, and a PATCH only when its
 *   caller says so (`idempotent: true`, for updates of plain fields).
 * - Connection refused / DNS try-again for every method: nothing was sent.
 *
 * What is not: 4xx other than 429, and any ambiguous failure of a non-idempotent
 * request (POST create, `reset_token`, `change_organization`). Those surface as a
 * `PostHogApiError` with `ambiguous: true`, and the caller recovers by looking up
 * what the first attempt did (see `recovery.ts`) under this same policy.
 *
 * PATCH is not idempotent by default, as in PostHog's Terraform provider: PostHog
 * uses it for actions too (`reset_token` rotates the token on every call), and a
 * PATCH repeated after an ambiguous failure must be known to be harmless.
 *
 * Delays grow exponentially from `baseDelayMs` (x2 per attempt, capped at
 * `maxDelayMs`) with "equal jitter": half the delay fixed, half random, so parallel
 * provider processes spread out. Attempts are bounded by `retries` and, in time, by
 * `maxTotalMs` measured from the first attempt.
 *
 * The defaults match PostHog's own Terraform provider in spirit (3 retries, 200 ms to
 * 5 s, `Retry-After`) with one more attempt, since a Pulumi run makes many calls in a
 * row and PostHog's 503s carry `Retry-After: 1`.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 4 (so at most 5 attempts). */
  readonly retries: number;
  /** Delay before the first retry, in ms, before jitter. Default 250. */
  readonly baseDelayMs: number;
  /** Ceiling of the exponential delay, in ms. Default 8000. */
  readonly maxDelayMs: number;
  /** Time budget for all attempts of one request, in ms, throttled waits aside. Default 60000. */
  readonly maxTotalMs: number;
  /**
   * Budget for the `Retry-After` waits of one request (429 answers), in ms. Default 600000
   * (10 minutes); 0 gives up on the first 429. Provider setting `posthog:maxRateLimitWait`.
   */
  readonly maxRateLimitWaitMs: number;
}

/** See {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxTotalMs: 60_000,
  maxRateLimitWaitMs: 600_000,
};

/** A per-key request budget over a minute and an hour. */
export interface RateLimits {
  readonly perMinute: number;
  readonly perHour: number;
}

/**
 * PostHog's limits for a personal API key on the management API (480 requests a minute and
 * 4,800 an hour, PostHog's "Rate limiting" docs; posthog/rate_limit.py).
 */
export const POSTHOG_RATE_LIMITS: RateLimits = { perMinute: 480, perHour: 4800 };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Paces the requests of one provider process so that together they stay under the API
 * key's limits, instead of each one bouncing off 429s on its own (the engine runs many
 * resource operations of one provider process in parallel).
 *
 * It keeps the send times of the last hour and lets a request go only while fewer than
 * the limit were sent in the last minute and in the last hour (the server's sliding
 * windows, DRF's SimpleRateThrottle). Requests get their turn in arrival order.
 *
 * It learns from the server: a 429 with `Retry-After` holds every request back until then,
 * and lowers the limit of the window it points at (longer than a minute: the hour) to what
 * this process sent in that window, since the server evidently allows no more (a lower
 * plan, a self-hosted setting, or other users of the same key). Learned limits only go down,
 * for the life of the process.
 */
export class Pacer {
  private readonly sent: number[] = [];
  private pausedUntil = 0;
  private limits: RateLimits;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    limits: RateLimits = POSTHOG_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.limits = limits;
  }

  /** The limits in force (the configured ones, lowered by what 429s taught). */
  get current(): RateLimits {
    return this.limits;
  }

  /** Waits for this request's turn and records it as sent. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn;
    return turn;
  }

  /** The server answered 429 asking to wait `retryAfterMs`: hold everyone back and learn. */
  throttled(retryAfterMs: number): void {
    const now = this.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    this.prune(now);
    if (retryAfterMs > MINUTE_MS) {
      const inHour = this.sent.length;
      if (inHour > 0) this.limits = { ...this.limits, perHour: Math.min(this.limits.perHour, inHour) };
    } else {
      const inMinute = this.countSince(now - MINUTE_MS);
      if (inMinute > 0)
        this.limits = { ...this.limits, perMinute: Math.min(this.limits.perMinute, inMinute) };
    }
  }

  /** How long a request arriving now would wait for its slot, in ms (0: it goes at once). */
  delay(now = this.now()): number {
    this.prune(now);
    let wait = this.pausedUntil - now;
    for (const [limit, windowMs] of [
      [this.limits.perMinute, MINUTE_MS],
      [this.limits.perHour, HOUR_MS],
    ] as const) {
      const inWindow = this.countSince(now - windowMs);
      // The slot frees when the limit-th most recent send leaves the window.
      if (inWindow >= limit) wait = Math.max(wait, this.sent[this.sent.length - limit] + windowMs - now);
    }
    return Math.max(0, wait);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const wait = this.delay();
      if (wait <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.sent.push(this.now());
  }

  private countSince(since: number): number {
    let i = this.sent.length;
    while (i > 0 && this.sent[i - 1] > since) i--;
    return this.sent.length - i;
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.sent.length && this.sent[drop] <= now - HOUR_MS) drop++;
    if (drop > 0) this.sent.splice(0, drop);
  }
}

/** Options of the HTTP core; built from the provider config, injected by tests. */
export interface HttpOptions {
  /** Management API base URL, e.g. `https://us.posthog.com` (no trailing slash needed). */
  readonly host: string;
  /** Personal API key, sent as `Authorization: Bearer` on key-authenticated requests. */
  readonly apiKey?: string;
  /** Per-attempt timeout in ms. Default 30000. */
  readonly timeoutMs?: number;
  /** Overrides of {@link DEFAULT_RETRY_POLICY}. */
  readonly retry?: Partial<RetryPolicy>;
  /** The provider setting for {@link RetryPolicy.maxRateLimitWaitMs}; `retry` overrides it. */
  readonly maxRateLimitWaitMs?: number;
  /** Keep what this process read (see `cache.ts`). Default false. */
  readonly readCache?: boolean;
  /** The key's limits the pacer starts from. Default {@link POSTHOG_RATE_LIMITS}. */
  readonly rateLimits?: RateLimits;
  /** Receives one line per retry; lines hold no credential. Default: silent. */
  readonly log?: (line: string) => void;
}

/** How a request authenticates: with the personal API key, with the session cookie jar, or not at all. */
export type AuthMode = "key" | "session" | "none";

/** One request, as the resource-level client functions describe it. */
export interface RequestSpec<T> {
  readonly op: OperationContext;
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** A path from {@link apiPath}, or an absolute URL (a page's `next`). */
  readonly path: string;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly schema: z.ZodType<T>;
  /**
   * Safe to repeat after an ambiguous failure. Default: true for GET and DELETE only;
   * a PATCH that sets plain fields (repeating it sets the same values) opts in.
   */
  readonly idempotent?: boolean;
  /** Default "key". */
  readonly auth?: AuthMode;
  /** A better hint for membership-level refusals of this request. */
  readonly levelHint?: string;
}

/** Session cookie and CSRF conventions (PostHog is Django: posthog/settings/web.py). */
export const SESSION_COOKIE = "sessionid";
export const CSRF_COOKIE = "posthog_csrftoken";
export const CSRF_HEADER = "X-CSRFToken";

interface RequestMeta {
  /** When the first attempt got its slot from the pacer (pacing is not failure). */
  startedAt?: number;
  readonly idempotent: boolean;
  readonly auth: AuthMode;
  nextDelayMs?: number;
  /** Retries spent on failures other than 429. */
  retriesUsed: number;
  /** `Retry-After` waits spent on 429s, in ms. */
  throttledMs: number;
}

declare module "axios" {
  interface AxiosRequestConfig {
    /** Per-request bookkeeping of the PostHog client. */
    posthog?: RequestMeta;
  }
}

/** Builds `/api/a/b/` from segments, encoding each one. */
export function apiPath(...segments: ReadonlyArray<string | number>): string {
  return `/api/${segments.map((s) => encodeURIComponent(String(s))).join("/")}/`;
}

let cachedVersion: string | undefined;

/** This package's version, read from its package.json (found by walking up from this file). */
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate)) {
      const parsed = z
        .object({ name: z.string().optional(), version: z.string().optional() })
        .safeParse(JSON.parse(fs.readFileSync(candidate, "utf8")));
      if (parsed.success && parsed.data.name === "pulumi-posthog" && parsed.data.version) {
        cachedVersion = parsed.data.version;
        return cachedVersion;
      }
    }
    dir = path.dirname(dir);
  }
  cachedVersion = "0.0.0";
  return cachedVersion;
}

/** Methods repeated after an ambiguous failure unless the request says otherwise. */
const IDEMPOTENT_BY_DEFAULT: ReadonlySet<RequestSpec<unknown>["method"]> = new Set(["GET", "DELETE"]);

/** Codes meaning the request never reached the server: safe to retry for any method. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "EAI_AGAIN"]);

/**
 * The client core. One instance per provider process; the personal API key and the
 * session (cookie jar) share its axios instance and its retry policy.
 */
export class HttpClient {
  readonly host: string;
  readonly retry: RetryPolicy;
  /** Shared by every key-authenticated request of this client (one client per provider process). */
  readonly pacer: Pacer;
  /** What this process has read (see `cache.ts`); its writes keep it current. */
  readonly cache: ReadCache;
  /** Requests sent (every attempt), for diagnostics and the benchmark. */
  sentRequests = 0;
  /** Of those, answered 429. */
  throttledRequests = 0;
  /**
   * Set once PostHog answered a request made with the personal API key with a success:
   * the key and the host are then known to work, and the preview-time credential check
   * needs no request of its own.
   */
  keyAccepted = false;
  private cookieJar?: CookieJar;
  private transport?: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly apiKey?: string;
  private readonly log: (line: string) => void;

  /** Writes one diagnostic line (redacted) to the configured log. */
  note(line: string): void {
    this.log(redact(`posthog: ${line}`));
  }

  constructor(options: HttpOptions) {
    this.host = options.host.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.retry = {
      ...DEFAULT_RETRY_POLICY,
      ...(options.maxRateLimitWaitMs === undefined ? {} : { maxRateLimitWaitMs: options.maxRateLimitWaitMs }),
      ...options.retry,
    };
    this.pacer = new Pacer(options.rateLimits ?? POSTHOG_RATE_LIMITS);
    this.cache = new ReadCache(options.readCache ?? false);
    this.log = options.log ?? (() => undefined);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Holds the session and CSRF cookies; only session and unauthenticated requests use it. */
  get jar(): CookieJar {
    this.cookieJar ??= new (cookieLibrary().CookieJar)();
    return this.cookieJar;
  }

  /** The axios instance with the retry policy, built for the first request (see `libraries.ts`). */
  private get axios(): AxiosInstance {
    this.transport ??= this.createTransport();
    return this.transport;
  }

  private createTransport(): AxiosInstance {
    const { default: axios, AxiosError } = axiosLibrary();
    const transport = axios.create({
      baseURL: this.host,
      timeout: this.timeoutMs,
      headers: { "User-Agent": `pulumi-posthog/${packageVersion()}`, Accept: "application/json" },
      // Redirects would re-send credentials to wherever they point; PostHog's API does not redirect.
      maxRedirects: 0,
    });
    transport.interceptors.request.use((config) => this.authenticate(config));
    transport.interceptors.response.use(
      async (response) => {
        await this.storeCookies(response);
        return response;
      },
      async (error: unknown) => {
        if (error instanceof AxiosError && error.response) await this.storeCookies(error.response);
        throw error;
      },
    );
    axiosRetryLibrary().default(transport, {
      // The counts are kept in shouldRetry: 429s have their own budget.
      retries: Number.MAX_SAFE_INTEGER,
      shouldResetTimeout: true,
      retryCondition: (error) => this.shouldRetry(error),
      retryDelay: (_count, error) => error.config?.posthog?.nextDelayMs ?? this.retry.baseDelayMs,
      onRetry: (_count, error, config) => {
        const meta = config.posthog;
        const which =
          error.response?.status === 429
            ? `throttled, ${Math.round((meta?.throttledMs ?? 0) / 1000)} s of the ${Math.round(this.retry.maxRateLimitWaitMs / 1000)} s rate-limit budget`
            : `retry ${meta?.retriesUsed ?? 0} of ${this.retry.retries}`;
        this.log(
          redact(
            `posthog: retrying ${String(config.method).toUpperCase()} ${urlPath(config.url ?? "")} after ` +
              `${error.response?.status ?? error.code ?? "error"} (${which}, ` +
              `waited ${Math.round(meta?.nextDelayMs ?? 0)} ms)`,
          ),
        );
      },
    });
    return transport;
  }

  /** The delay before retry number `n` (1-based), honouring `Retry-After`. */
  delayFor(n: number, error?: AxiosError): number {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (n - 1));
    const jittered = exp / 2 + (Math.random() * exp) / 2;
    return Math.max(jittered, error ? axiosRetryLibrary().retryAfter(error) : 0);
  }

  /** True when `startedAt + elapsed + delay` still fits the time budget (throttled waits aside). */
  fitsBudget(startedAt: number, delayMs: number): boolean {
    return Date.now() - startedAt + delayMs <= this.retry.maxTotalMs;
  }

  private shouldRetry(error: AxiosError): boolean {
    const meta = error.config?.posthog;
    if (!meta) return false;
    const status = error.response?.status;
    let retryable: boolean;
    if (status !== undefined) {
      retryable = status === 429 || (status >= 500 && meta.idempotent);
    } else if (error.code === "ERR_CANCELED") {
      retryable = false;
    } else {
      retryable = NOT_SENT_CODES.has(error.code ?? "") || meta.idempotent;
    }
    if (!retryable) return false;
    if (status === 429) {
      this.throttledRequests++;
      // Without Retry-After, a second, with jitter so parallel requests do not return together.
      const delay = Math.max(axiosRetryLibrary().retryAfter(error), 500 + Math.random() * 1000);
      this.pacer.throttled(delay);
      if (meta.throttledMs + delay > this.retry.maxRateLimitWaitMs) return false;
      meta.throttledMs += delay;
      meta.nextDelayMs = delay;
      return true;
    }
    if (meta.retriesUsed >= this.retry.retries) return false;
    const delay = this.delayFor(meta.retriesUsed + 1, error);
    if (!this.fitsBudget(meta.startedAt ?? Date.now(), delay - meta.throttledMs)) return false;
    meta.retriesUsed++;
    meta.nextDelayMs = delay;
    return true;
  }

  private async authenticate(config: InternalAxiosRequestConfig): Promise<InternalAxiosRequestConfig> {
    const auth = config.posthog?.auth ?? "key";
    // PostHog rate-limits personal API keys; session and login requests are not counted.
    if (auth === "key") await this.pacer.acquire();
    if (config.posthog) config.posthog.startedAt ??= Date.now();
    this.sentRequests++;
    if (auth === "key") {
      if (this.apiKey) config.headers.set("Authorization", `Bearer ${this.apiKey}`);
      return config;
    }
    const url = this.absoluteUrl(config.url ?? "");
    const cookies = await this.jar.getCookieString(url);
    if (cookies) config.headers.set("Cookie", cookies);
    const method = (config.method ?? "get").toUpperCase();
    if (auth === "session" && !["GET", "HEAD", "OPTIONS"].includes(method)) {
      const csrf = (await this.jar.getCookies(url)).find((c) => c.key === CSRF_COOKIE);
      if (csrf) config.headers.set(CSRF_HEADER, csrf.value);
      // Django's CSRF check over HTTPS also wants a same-origin Referer.
      config.headers.set("Referer", `${this.host}/`);
    }
    return config;
  }

  private async storeCookies(response: AxiosResponse): Promise<void> {
    const auth = response.config.posthog?.auth ?? "key";
    if (auth === "key") return;
    const raw = response.headers["set-cookie"];
    if (!raw) return;
    const url = this.absoluteUrl(response.config.url ?? "");
    for (const cookie of Array.isArray(raw) ? raw : [String(raw)]) {
      await this.jar.setCookie(cookie, url, { ignoreError: true });
    }
  }

  private absoluteUrl(url: string): string {
    return /^https?:\/\//.test(url) ? url : `${this.host}${url}`;
  }

  /** Sends one request under the retry policy and validates the response. */
  async request<T>(spec: RequestSpec<T>): Promise<T> {
    const { op, method, schema } = spec;
    const shownPath = urlPath(spec.path);
    const meta: RequestMeta = {
      idempotent: spec.idempotent ?? IDEMPOTENT_BY_DEFAULT.has(method),
      auth: spec.auth ?? "key",
      retriesUsed: 0,
      throttledMs: 0,
    };
    let response: AxiosResponse;
    try {
      response = await this.axios.request({
        method,
        url: spec.path,
        data: spec.body,
        params: spec.query,
        posthog: meta,
      });
    } catch (err) {
      throw apiErrorFromAxios(err, op, method, shownPath, { host: this.host, levelHint: spec.levelHint });
    }
    if (meta.auth === "key") this.keyAccepted = true;
    const body: unknown = response.status === 204 ? undefined : response.data;
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ResponseShapeError(
        op,
        method,
        shownPath,
        parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`),
      );
    }
    return parsed.data;
  }

  /**
   * A `next` link pinned to the configured host's origin. Behind a misconfigured proxy
   * PostHog builds links with another scheme or host; following them would send the
   * API key there (redirects are refused for the same reason).
   */
  private onOwnOrigin(link: string): string {
    const url = new URL(link, `${this.host}/`);
    const own = new URL(`${this.host}/`);
    return url.origin === own.origin
      ? url.toString()
      : new URL(url.pathname + url.search, own.origin).toString();
  }

  /** Reads every page of a list, following `next` (kept on the configured host's origin). */
  async list<T>(
    op: OperationContext,
    path: string,
    item: z.ZodType<T>,
    query?: Readonly<Record<string, string | number>>,
  ): Promise<T[]> {
    const schema = pageSchema(item);
    const results: T[] = [];
    let page = await this.request({ op, method: "GET", path, query, schema });
    results.push(...(page.results as T[]));
    const seen = new Set<string>();
    while (page.next) {
      const next = this.onOwnOrigin(page.next);
      if (seen.has(next)) break; // a server bug must not loop forever
      seen.add(next);
      page = await this.request({ op, method: "GET", path: next, schema });
      results.push(...(page.results as T[]));
    }
    return results;
  }
}

/** The path (and query) of a URL or path, for messages: never the host's credentials. */
function urlPath(url: string): string {
  if (!/^https?:\/\//.test(url)) return url;
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}
