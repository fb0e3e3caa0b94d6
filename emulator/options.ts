/** Fault injection for tests of retry and recovery logic. All fields optional; `{}` means no faults. */
export interface FaultOptions {
  /** Probability 0..1 that a request is answered with `errorStatus` before it touches any data. */
  errorRate?: number;
  /** Status for injected errors; default 500. 429 and 503 carry `Retry-After: 1`. */
  errorStatus?: number;
  /** Added before every request is handled, in milliseconds. */
  latencyMs?: number;
  /** Probability 0..1 that a request which changed data is committed and then its socket destroyed unanswered. */
  dropResponseAfterCommit?: number;
  /** Held after a request that changed data committed, before its answer is sent, in milliseconds. */
  latencyAfterCommitMs?: number;
  /** Optional regular expression; faults only apply to request paths it matches. */
  paths?: string;
  /** Optional HTTP methods (e.g. `["POST"]`); faults only apply to requests with one of them. */
  methods?: string[];
  /**
   * When set, only the next `count` requests a fault acts on (an injected error, latency or a
   * dropped answer) are faulted; each takes one, then the faults lift themselves. The emulator
   * counts it down, so `GET /_admin/faults` shows how many remain. Unset: no limit.
   */
  count?: number;
}

export interface EmulatorOptions {
  /** SQLite file, created if missing; ":memory:" is allowed for unit use. */
  dbPath: string;
  /** Default "127.0.0.1". Only loopback addresses are accepted. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Per personal API key; default 480/minute and 4800/hour; `false` switches limiting off. */
  rateLimit?: { perMinute: number; perHour: number } | false;
  /** Default false: `reset_token` and `change_organization` refuse `phx_` keys with PostHog's 403. */
  allowPersonalKeysOnSessionActions?: boolean;
  /**
   * Default false, as PostHog's code: `change_organization` does not check the product page's
   * rules (the source keeps at least two projects; a free-plan target holds one). True enforces them.
   */
  enforceProductPageMoveRules?: boolean;
  /** Initial faults; also settable at runtime with `PUT /_admin/faults`. */
  faults?: FaultOptions;
  /** Fastify request logging, default false. Secrets are never logged. */
  logger?: boolean;
}

export const DEFAULT_RATE_LIMIT = { perMinute: 480, perHour: 4800 } as const;

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}
