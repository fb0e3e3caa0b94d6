/**
 * Requests per operation, pinned (issue 11): the real engine runs test/fixtures/request-counts
 * (N projects, each with its ProjectToken, in one organization) with the provider pointed at a
 * counting proxy in front of posthog-local. The counts are deterministic: each operation runs in
 * one provider process, whose read cache (provider/client/cache.ts) lasts that operation.
 */
import { openCountedStack } from "../../bench/counted-stack";
import type { CountingProxy } from "../../bench/counting-proxy";
import type { OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { tearDown } from "../helpers/engine";

const N = 10;

/**
 * The session's logout (`POST /logout`) is sent when the provider process is told to stop, which
 * can be after the engine has answered: it is left out of the pinned counts.
 */
function counted(proxy: CountingProxy): Record<string, number> {
  const { ["POST /logout"]: _logout, ...rest } = proxy.counts();
  return rest;
}

/**
 * The counts of an `up` that creates, without the preview-time credential check
 * (provider/resources/credentials.ts): a ProjectToken whose project is not created yet has
 * no preview request of its own, so, depending on which check runs first, the key is proven
 * by a project's check or by one `GET /api/organizations/`: at most one, asserted here, then
 * left out of the pinned table.
 */
function checked(proxy: CountingProxy): Record<string, number> {
  const { ["GET /api/organizations/"]: credentials = 0, ...rest } = counted(proxy);
  expect(credentials).toBeLessThanOrEqual(1);
  return rest;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe(`requests per operation, ${N} projects with tokens`, () => {
  let emulator: TestEmulator;
  let proxy: CountingProxy;
  let run: OfflineStack;

  beforeAll(async () => {
    emulator = await startTestEmulator({ rateLimit: false });
    ({ proxy, run } = await openCountedStack({
      target: emulator.url,
      admin: emulator.admin,
      projects: N,
      stackName: `counts-${process.pid}`,
      session: true,
    }));
  });

  afterAll(async () => {
    try {
      await tearDown(run, undefined, { destroy: false });
    } finally {
      await proxy?.close();
      await emulator?.close();
    }
  });

  test("up: one organization read and one project-list read for every preview-time check, then one POST per project", async () => {
    proxy.reset();
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ create: 2 * N + 1 });
    expect(checked(proxy)).toEqual({
      "GET /api/organizations/{org}/": 1,
      "GET /api/organizations/{org}/projects/": 1,
      "POST /api/organizations/{org}/projects/": N,
    });
    expect(total(proxy.counts()) / N).toBeLessThanOrEqual(2.5);
  });

  test("no-change preview and no-change up: no request", async () => {
    proxy.reset();
    await run.stack.preview();
    expect(counted(proxy)).toEqual({});
    proxy.reset();
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 2 * N + 1 });
    expect(counted(proxy)).toEqual({});
  });

  test("refresh: one read per project (its token comes from the same read)", async () => {
    proxy.reset();
    await run.stack.refresh();
    expect(counted(proxy)).toEqual({ "GET /api/organizations/{org}/projects/{id}/": N });
  });

  test("rename one project: a name search and the PATCH", async () => {
    await run.stack.setConfig("renamed", { value: "Counted renamed" });
    proxy.reset();
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 2 * N, update: 1 });
    // The name search proves the key: no credential check of its own.
    expect(counted(proxy)).toEqual({
      "GET /api/organizations/{org}/projects/": 1,
      "PATCH /api/organizations/{org}/projects/{id}/": 1,
    });
  });

  test("destroy: one rotation per token and one DELETE per project, plus the session's login", async () => {
    proxy.reset();
    await run.stack.destroy();
    const counts = counted(proxy);
    expect(counts).toEqual({
      // The key is refused once for the session-only reset_token; the rest go straight to the session.
      "PATCH /api/organizations/{org}/projects/{id}/reset_token/": N + 1,
      "POST /api/login": 1,
      "DELETE /api/organizations/{org}/projects/{id}/": N,
    });
    expect(total(counts) / (2 * N)).toBeLessThanOrEqual(1.5);
  });
});
