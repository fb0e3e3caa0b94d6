import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { bootstrap } from "posthog-local";
import { startServerProcess, waitForExit } from "./support/child";

/**
 * Durability: the server runs as its own process (the real CLI, see support/child.ts); writes
 * stream in with several in flight; SIGKILL lands mid-stream. After a restart on the same file,
 * every write that got a 2xx must be there.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "posthog-local-crash-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Ack {
  kind: "project" | "organization";
  name: string;
}

async function listAllNames(url: string, key: string, path: string): Promise<string[]> {
  const names: string[] = [];
  let next: string | null = `${url}${path}?limit=100`;
  for (let guard = 0; next && guard < 100; guard++) {
    const res: Response = await fetch(next, { headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { next: string | null; results: { name: string }[] };
    names.push(...page.results.map((r) => r.name));
    next = page.next;
  }
  return names;
}

test("SIGKILL in the middle of writes loses no acknowledged change", async () => {
  const dbPath = join(dir, "crash.sqlite");
  const admin = bootstrap({
    dbPath,
    email: "crash@example.com",
    password: "crash-password",
    organizationName: "Crash",
    plan: "scale",
  });
  const server = await startServerProcess(dbPath, ["--no-rate-limit"]);
  const headers = { Authorization: `Bearer ${admin.personalApiKey}`, "Content-Type": "application/json" };
  const acked: Ack[] = [];
  let sent = 0;
  let killed = false;

  const writer = async (lane: number) => {
    // Bounded: each lane stops at 200 writes or at the kill, whichever comes first.
    for (let i = 0; i < 200 && !killed; i++) {
      const kind: Ack["kind"] = i % 10 === 9 ? "organization" : "project";
      const name = `crash ${lane}-${i}`;
      const path =
        kind === "project" ? `/api/organizations/${admin.organizationId}/projects/` : "/api/organizations/";
      sent += 1;
      try {
        const res = await fetch(`${server.url}${path}`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name }),
        });
        if (res.status === 201) acked.push({ kind, name });
        else if (!killed) throw new Error(`unexpected ${res.status}: ${await res.text()}`);
      } catch (error) {
        if (!killed) throw error;
      }
    }
  };
  const lanes = Array.from({ length: 8 }, (_, lane) => writer(lane));
  // Kill while writes are in flight: after a good number were acknowledged.
  for (let waited = 0; acked.length < 150 && waited < 30_000; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  killed = true;
  server.child.kill("SIGKILL");
  const exit = await waitForExit(server.child);
  expect(exit.signal).toBe("SIGKILL");
  await Promise.all(lanes);
  expect(acked.length).toBeGreaterThanOrEqual(150);
  expect(sent).toBeGreaterThan(acked.length);

  const db = new Database(dbPath);
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
  } finally {
    db.close();
  }

  const restarted = await startServerProcess(dbPath, ["--no-rate-limit"]);
  try {
    const projects = new Set(
      await listAllNames(
        restarted.url,
        admin.personalApiKey,
        `/api/organizations/${admin.organizationId}/projects/`,
      ),
    );
    const organizations = new Set(
      await listAllNames(restarted.url, admin.personalApiKey, "/api/organizations/"),
    );
    const missing = acked.filter((a) => !(a.kind === "project" ? projects : organizations).has(a.name));
    expect(missing).toEqual([]);
  } finally {
    restarted.child.kill("SIGTERM");
    const stopped = await waitForExit(restarted.child);
    expect(stopped.code).toBe(0);
  }
});
