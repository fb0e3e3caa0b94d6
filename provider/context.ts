/**
 * The provider process's one configuration and one client, shared by every resource
 * kind (so a session login made for one resource serves the others).
 *
 * `configure()` of each kind's dynamic provider calls {@link configureProvider};
 * without it (older engines, direct calls) the environment alone is used.
 */
import { createClient, PostHogClient, redact } from "./client";
import type { RetryPolicy } from "./client";
import { ConfigSource, ProviderConfig, readConfig } from "./config";
import { exitWhenEngineGone, inProviderHost } from "./lifeline";

let current: { config: ProviderConfig; client: PostHogClient } | undefined;

/** Extra client settings for tests (short retry delays, a log sink). */
export interface ClientTuning {
  readonly retry?: Partial<RetryPolicy>;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

let tuning: ClientTuning = {};

/**
 * Tests: inject retry/timeout settings for clients built from now on. Not exported from the
 * package entry; tests import it from this module.
 */
export function setClientTuning(t: ClientTuning): void {
  tuning = t;
  current = undefined;
}

/**
 * Tests: the next `configure` builds a fresh client (empty read cache, no session), as the
 * engine's next operation would get in its own provider process. Tests that drive several
 * operations through one process, changing things behind the provider's back in between,
 * call it between operations. Not exported from the package entry.
 */
export function resetClient(): void {
  current = undefined;
}

/** Reads the configuration (stack config first, then environment) and builds the client. */
export function configureProvider(get: ConfigSource, env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const config = readConfig(get, env);
  if (inProviderHost()) exitWhenEngineGone();
  // Each resource kind's provider calls configure with the same stack config: keep the
  // client (and its logged-in session) when nothing changed.
  if (current && JSON.stringify(current.config) === JSON.stringify(config)) return config;
  const debug = env.PULUMI_POSTHOG_DEBUG === "true";
  current = {
    config,
    client: createClient({
      ...config,
      // One Pulumi operation runs in one provider process: what it read stays true for the
      // operation, apart from its own writes, which keep the cache current (client/cache.ts).
      readCache: true,
      retry: tuning.retry,
      timeoutMs: tuning.timeoutMs,
      log: tuning.log ?? (debug ? (line) => console.error(redact(line)) : undefined),
    }),
  };
  return config;
}

/** The configured client (configured from the environment on first use if needed). */
export function providerContext(): { config: ProviderConfig; client: PostHogClient } {
  if (!current) configureProvider(() => undefined);
  return current as { config: ProviderConfig; client: PostHogClient };
}
