/**
 * A tight rate limit paces the `up` instead of failing it (issue 10, item 2): posthog-local
 * limited to 60 requests a minute, 60 projects with their tokens created by the real engine with
 * zero failures. Most of the minute's budget is spent before the `up` starts, so the provider
 * must meet 429 answers and wait them out (its pacer learns from `Retry-After`). By nature this
 * takes over a minute; it runs once.
 */
import { openCountedStack } from "../../bench/counted-stack";
import type { CountingProxy } from "../../bench/counting-proxy";
import type { OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api, tearDown } from "../helpers/engine";

const PROJECTS = 60;
const PER_MINUTE = 60;
/** Requests of the key sent just before the `up`, out of the minute's budget. */
const SPENT_BEFORE = 50;

/** The check's own read shares the key's budget: wait while it is refused with 429. */
async function untilAllowed<T extends { status: number }>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    const answer = await call();
    if (answer.status !== 429) return answer;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

describe(`${PROJECTS} projects under a ${PER_MINUTE}-a-minute rate limit`, () => {
  let emulator: TestEmulator;
  let proxy: CountingProxy;
  let run: OfflineStack;

  beforeAll(async () => {
    emulator = await startTestEmulator({ rateLimit: { perMinute: PER_MINUTE, perHour: 4800 } });
    ({ proxy, run } = await openCountedStack({
      target: emulator.url,
      admin: emulator.admin,
      projects: PROJECTS,
      stackName: `rate-limit-${process.pid}`,
      session: false,
    }));
  });

  // No destroy: the stack and posthog-local go away with their temporary folders.
  afterAll(async () => {
    try {
      await tearDown(run, undefined, { destroy: false });
    } finally {
      await proxy?.close();
      await emulator?.close();
    }
  });

  // Over a minute by nature, several on a loaded 2-core machine (the engine alone takes minutes
  // for 121 resources there): a bound well above jest's default, not a timing assertion.
  test(
    "up completes with zero failures, waiting out the 429 answers",
    async () => {
      for (let i = 0; i < SPENT_BEFORE; i++) {
        const spent = await api(proxy.url, emulator.admin.personalApiKey, "GET", "/api/organizations/");
        expect(spent.status).toBe(200);
      }
      proxy.reset();

      const result = await run.stack.up();
      expect(result.summary.result).toBe("succeeded");
      expect(result.summary.resourceChanges).toEqual({ create: 2 * PROJECTS + 1 });
      // The limit was met (what this test is about), and every project is there once.
      expect(proxy.throttled()).toBeGreaterThan(0);
      const listed = await untilAllowed(() =>
        api(
          emulator.url,
          emulator.admin.personalApiKey,
          "GET",
          `/api/organizations/${emulator.admin.organizationId}/projects/?limit=200`,
        ),
      );
      const names = (listed.body.results as Array<{ name: string }>).map((p) => p.name);
      expect(names.filter((n) => n.startsWith("Counted ")).sort()).toEqual(
        Array.from({ length: PROJECTS }, (_, i) => `Counted ${i}`).sort(),
      );
    },
    20 * 60_000,
  );
});
