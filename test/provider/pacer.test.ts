/**
 * The client's pacer (one per provider process) and the rate-limit budget setting, on a
 * clock the test moves by hand.
 */
import { Pacer } from "../../provider/client/http";
import { readConfig } from "../../provider/config";

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("Pacer", () => {
  test("lets requests go at once up to the per-minute limit, then waits for the oldest to leave the window", async () => {
    const c = clock();
    const pacer = new Pacer({ perMinute: 3, perHour: 100 }, c.now);
    for (let i = 0; i < 3; i++) {
      expect(pacer.delay()).toBe(0);
      await pacer.acquire();
      c.advance(1000);
    }
    // Sent at 0, 1 s and 2 s; now 3 s: the first leaves the minute at 60 s.
    expect(pacer.delay()).toBe(57_000);
    c.advance(57_000);
    expect(pacer.delay()).toBe(0);
  });

  test("the hour window counts too", async () => {
    const c = clock();
    const pacer = new Pacer({ perMinute: 100, perHour: 2 }, c.now);
    await pacer.acquire();
    c.advance(120_000);
    await pacer.acquire();
    expect(pacer.delay()).toBe(3_600_000 - 120_000);
  });

  test("a 429 holds everyone back for Retry-After and lowers the limit to what was sent", async () => {
    const c = clock();
    const pacer = new Pacer({ perMinute: 480, perHour: 4800 }, c.now);
    for (let i = 0; i < 60; i++) await pacer.acquire();
    pacer.throttled(30_000);
    expect(pacer.current).toEqual({ perMinute: 60, perHour: 4800 });
    expect(pacer.delay()).toBe(60_000);
    c.advance(60_000);
    expect(pacer.delay()).toBe(0);
  });

  test("a Retry-After longer than a minute teaches the hour limit", async () => {
    const c = clock();
    const pacer = new Pacer({ perMinute: 480, perHour: 4800 }, c.now);
    for (let i = 0; i < 10; i++) await pacer.acquire();
    pacer.throttled(600_000);
    expect(pacer.current).toEqual({ perMinute: 480, perHour: 10 });
    expect(pacer.delay()).toBe(3_600_000);
  });

  test("requests take their turns in arrival order", async () => {
    const pacer = new Pacer({ perMinute: 100, perHour: 100 });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => pacer.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
  });
});

describe("posthog:maxRateLimitWait", () => {
  test("is read in seconds from stack config, then the environment", () => {
    expect(
      readConfig((k) => (k === "posthog:maxRateLimitWait" ? "90" : undefined), {}).maxRateLimitWaitMs,
    ).toBe(90_000);
    expect(readConfig(() => undefined, { POSTHOG_MAX_RATE_LIMIT_WAIT: "0" }).maxRateLimitWaitMs).toBe(0);
    expect(readConfig(() => undefined, {}).maxRateLimitWaitMs).toBeUndefined();
  });

  test("refuses what is not a whole number of seconds", () => {
    expect(() => readConfig(() => undefined, { POSTHOG_MAX_RATE_LIMIT_WAIT: "ten" })).toThrow(
      /must be a whole number of seconds/,
    );
  });
});
