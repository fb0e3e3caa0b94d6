/**
 * The client's per-process read cache (provider/client/cache.ts), on its own: what it keeps,
 * what its own writes change, and what it forgets.
 */
import { ReadCache } from "../../provider/client/cache";
import type { Project, ProjectListItem } from "../../provider/client/schemas";

const ORG = "00000000-0000-4000-8000-000000000001";
const OTHER = "00000000-0000-4000-8000-000000000002";

function project(id: number, name: string, organization = ORG): Project {
  return { id, uuid: `u${id}`, organization, name, api_token: `phc_${id}`, timezone: "UTC" };
}

describe("ReadCache", () => {
  test("parallel readers share one read; a failed read is not kept", async () => {
    const cache = new ReadCache(true);
    let reads = 0;
    const read = async (): Promise<ProjectListItem[]> => {
      reads++;
      return [{ id: 1, name: "A" }];
    };
    await Promise.all([cache.projectList(ORG, read), cache.projectList(ORG, read)]);
    expect(reads).toBe(1);
    await expect(cache.organization(ORG, () => Promise.reject(new Error("503")))).rejects.toThrow("503");
    await new Promise((r) => setImmediate(r));
    let orgReads = 0;
    await cache.organization(ORG, async () => {
      orgReads++;
      return { id: ORG, name: "O", slug: "o", available_product_features: [] };
    });
    expect(orgReads).toBe(1);
  });

  test("own creates, moves and deletes keep the cached lists current", async () => {
    const cache = new ReadCache(true);
    const list = (org: string) => cache.projectList(org, async () => []);
    await list(ORG);
    await list(OTHER);
    cache.projectWritten(project(5, "Five"));
    expect((await list(ORG)).map((p) => p.id)).toEqual([5]);
    cache.projectWritten(project(5, "Five", OTHER), ORG);
    expect(await list(ORG)).toEqual([]);
    expect((await list(OTHER)).map((p) => p.name)).toEqual(["Five"]);
    cache.projectDeleted(OTHER, 5);
    expect(await list(OTHER)).toEqual([]);
    expect(await cache.locateProject(5, async () => undefined)).toBeUndefined();
  });

  test("switched off, every call reads", async () => {
    const cache = new ReadCache(false);
    let reads = 0;
    const read = async (): Promise<ProjectListItem[]> => {
      reads++;
      return [];
    };
    await cache.projectList(ORG, read);
    await cache.projectList(ORG, read);
    expect(reads).toBe(2);
    expect(cache.hasProjectList(ORG)).toBe(false);
  });
});
