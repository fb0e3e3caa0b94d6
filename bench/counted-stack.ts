/**
 * The program issue 11 counts requests of (`test/fixtures/request-counts`: n projects, each with
 * its ProjectToken, in one organization) on an offline stack whose provider reaches PostHog
 * through a counting proxy. The bench and the request-count and rate-limit tests open it here.
 */
import * as path from "node:path";
import type { BootstrapResult } from "posthog-local";
import { CountingProxy, startCountingProxy } from "./counting-proxy";
import { openOfflineStack, OfflineStack } from "../scripts/lib/offline";
import { repoRoot } from "../scripts/lib/paths";

export interface CountedStackOptions {
  /** posthog-local's URL; the proxy goes in front of it. */
  readonly target: string;
  /** Its owner: the key, the organization, and the login when `session` is set. */
  readonly admin: BootstrapResult;
  readonly projects: number;
  readonly stackName: string;
  /** Give the provider the session login too (token revocation, `destroy`). */
  readonly session: boolean;
}

/** Starts the proxy and opens the stack; the caller disposes the stack and closes the proxy. */
export async function openCountedStack(
  options: CountedStackOptions,
): Promise<{ proxy: CountingProxy; run: OfflineStack }> {
  const { admin } = options;
  const proxy = await startCountingProxy(options.target);
  try {
    const run = await openOfflineStack({
      workDir: path.join(repoRoot(), "test", "fixtures", "request-counts"),
      stackName: options.stackName,
      config: {
        "posthog:host": { value: proxy.url },
        "posthog:apiKey": { value: admin.personalApiKey, secret: true },
        ...(options.session
          ? {
              "posthog:email": { value: admin.email },
              "posthog:password": { value: admin.password, secret: true },
            }
          : {}),
        organizationId: { value: admin.organizationId },
        projects: { value: String(options.projects) },
      },
    });
    return { proxy, run };
  } catch (err) {
    await proxy.close();
    throw err;
  }
}
