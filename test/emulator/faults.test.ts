/**
 * Count-based faults: "fault the next N matching requests", for each fault kind. They let
 * tests assert on requests seen instead of lifting a fault on a timer.
 */
import { adminOf, emulatorOnly, startTarget, type Target } from "./support/target";
import { call, uniqueName } from "./support/http";
import type { Page, Project } from "./support/shapes";

let target: Target;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  org = target.organizationId;
});
afterAll(() => target.close());
afterEach(() => adminOf(target).setFaults({}));

async function remaining(): Promise<unknown> {
  const read = await call(target.url, "GET", "/_admin/faults");
  expect(read.status).toBe(200);
  return read.json<{ count?: number }>().count;
}

describe("count-based faults", () => {
  emulatorOnly("an error fault fails exactly the next `count` matching requests, then lifts", async () => {
    await adminOf(target).setFaults({ errorRate: 1, errorStatus: 503, count: 2, paths: "^/api/users/" });
    // Outside the paths: not faulted, and does not use up the count.
    expect((await target.owner.get(`/api/organizations/${org}/`)).status).toBe(200);
    expect(await remaining()).toBe(2);
    expect((await target.owner.get("/api/users/@me/")).status).toBe(503);
    expect(await remaining()).toBe(1);
    expect((await target.owner.get("/api/users/@me/")).status).toBe(503);
    expect(await remaining()).toBe(0);
    expect((await target.owner.get("/api/users/@me/")).status).toBe(200);
    expect((await target.owner.get("/api/users/@me/")).status).toBe(200);
    expect(await remaining()).toBe(0);
  });

  emulatorOnly("concurrent requests cannot share the last count", async () => {
    await adminOf(target).setFaults({ errorRate: 1, errorStatus: 502, count: 3, paths: "^/api/users/" });
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async () => (await target.owner.get("/api/users/@me/")).status),
    );
    expect(statuses.filter((s) => s === 502)).toHaveLength(3);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(await remaining()).toBe(0);
  });

  emulatorOnly(
    "a drop fault drops only the next `count` committed answers; reads and refusals do not count",
    async () => {
      await adminOf(target).setFaults({
        dropResponseAfterCommit: 1,
        count: 1,
        paths: "^/api/organizations/[^/]+/projects/?$",
      });
      // A read on the same path is never dropped and does not use up the count.
      expect((await target.owner.get(`/api/organizations/${org}/projects/`)).status).toBe(200);
      expect(await remaining()).toBe(1);
      // A refused change has no committed answer to drop: it does not use up the count either.
      const taken = (await target.owner.get(`/api/organizations/${org}/projects/`)).json<Page<Project>>();
      const refused = await target.owner.post(`/api/organizations/${org}/projects/`, {
        name: taken.results[0].name,
      });
      expect(refused.status).toBe(409);
      expect(await remaining()).toBe(1);
      const dropped = uniqueName("Dropped once");
      await expect(
        target.owner.post(`/api/organizations/${org}/projects/`, { name: dropped }),
      ).rejects.toThrow();
      expect(await remaining()).toBe(0);
      const answered = uniqueName("Answered");
      const res = await target.owner.post(`/api/organizations/${org}/projects/`, { name: answered });
      expect(res.status).toBe(201);
      for (const name of [dropped, answered]) {
        const list = (
          await target.owner.get(`/api/organizations/${org}/projects/?search=${encodeURIComponent(name)}`)
        ).json<Page<Project>>();
        expect(list.results.map((p) => p.name)).toEqual([name]);
        target.track("project", list.results[0].id);
      }
    },
  );

  emulatorOnly("a latency fault delays only the next `count` requests", async () => {
    await adminOf(target).setFaults({ latencyMs: 1, count: 2, paths: "^/api/users/" });
    for (let i = 0; i < 3; i++) expect((await target.owner.get("/api/users/@me/")).status).toBe(200);
    expect(await remaining()).toBe(0);
  });

  emulatorOnly("count is validated, read back, and 0 means no faults", async () => {
    for (const count of [-1, 1.5, "2"]) {
      const bad = await call(target.url, "PUT", "/_admin/faults", { body: { errorRate: 1, count } });
      expect(bad.status).toBe(400);
    }
    await adminOf(target).setFaults({ errorRate: 1, count: 0 });
    expect((await target.owner.get("/api/users/@me/")).status).toBe(200);
    const read = await call(target.url, "GET", "/_admin/faults");
    expect(read.json()).toEqual({ errorRate: 1, count: 0 });
  });
});
