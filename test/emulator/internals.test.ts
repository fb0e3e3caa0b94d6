import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import { authenticator } from "otplib";
import { bootstrap, buildApp, startEmulator } from "posthog-local";
import { RateLimiter } from "../../emulator/auth/rate-limit";
import { MIGRATIONS } from "../../emulator/db/migrations";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "posthog-local-internals-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("persistence", () => {
  test("the schema is versioned in schema_migrations, WAL is on, and reopening applies nothing twice", async () => {
    const dbPath = join(dir, "db.sqlite");
    bootstrap({
      dbPath,
      email: "a@example.com",
      password: "password-a",
      organizationName: "A",
      plan: "free",
    });
    bootstrap({
      dbPath,
      email: "b@example.com",
      password: "password-b",
      organizationName: "B",
      plan: "free",
    });
    const db = new Database(dbPath);
    try {
      const versions = db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as {
        version: number;
      }[];
      expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  test("data survives a restart of the server", async () => {
    const dbPath = join(dir, "db.sqlite");
    const admin = bootstrap({
      dbPath,
      email: "a@example.com",
      password: "password-a",
      organizationName: "A",
      plan: "scale",
    });
    const headers = { Authorization: `Bearer ${admin.personalApiKey}`, "Content-Type": "application/json" };
    const first = await startEmulator({ dbPath });
    const created = await fetch(`${first.url}/api/organizations/${admin.organizationId}/projects/`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "Survivor" }),
    });
    const project = (await created.json()) as { id: number; api_token: string };
    await first.close();
    const second = await startEmulator({ dbPath });
    try {
      const read = await fetch(`${second.url}/api/projects/${project.id}/`, { headers });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ name: "Survivor", api_token: project.api_token });
    } finally {
      await second.close();
    }
  });

  test("a database held by another writer answers 503 with Retry-After: 1 (after the 5 s busy timeout)", async () => {
    const dbPath = join(dir, "db.sqlite");
    const admin = bootstrap({
      dbPath,
      email: "a@example.com",
      password: "password-a",
      organizationName: "A",
      plan: "scale",
    });
    const server = await startEmulator({ dbPath });
    const blocker = new Database(dbPath);
    try {
      blocker.exec("BEGIN EXCLUSIVE");
      const res = await fetch(`${server.url}/api/organizations/${admin.organizationId}/projects/`, {
        method: "POST",
        headers: { Authorization: `Bearer ${admin.personalApiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Blocked" }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await res.json()).toMatchObject({ type: "server_error", code: "service_unavailable" });
    } finally {
      blocker.exec("ROLLBACK");
      blocker.close();
      await server.close();
    }
  }, 20_000);

  test("startEmulator refuses non-loopback hosts", async () => {
    await expect(startEmulator({ dbPath: ":memory:", host: "0.0.0.0" })).rejects.toThrow(/loopback/);
  });
});

describe("security", () => {
  test("keys, passwords and sessions are stored hashed; the TOTP secret is kept for checking codes", async () => {
    const dbPath = join(dir, "db.sqlite");
    const secret = authenticator.generateSecret();
    const admin = bootstrap({
      dbPath,
      email: "a@example.com",
      password: "plain-password-a",
      organizationName: "A",
      plan: "free",
      totpSecret: secret,
    });
    const server = await startEmulator({ dbPath });
    let sessionCookie = "";
    try {
      const login = await fetch(`${server.url}/api/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: admin.email, password: admin.password }),
      });
      expect(login.status).toBe(401);
      sessionCookie = login.headers.getSetCookie()[0].split(";")[0].split("=")[1];
    } finally {
      await server.close();
    }
    const db = new Database(dbPath, { readonly: true });
    try {
      const dump = JSON.stringify([
        db.prepare("SELECT * FROM users").all(),
        db.prepare("SELECT * FROM personal_api_keys").all(),
        db.prepare("SELECT * FROM sessions").all(),
      ]);
      expect(dump).not.toContain(admin.personalApiKey);
      expect(dump).not.toContain(admin.password);
      expect(dump).not.toContain(sessionCookie);
      const user = db.prepare("SELECT password_hash FROM users").get() as { password_hash: string };
      expect(user.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[^$]+\$[^$]+$/);
      const key = db.prepare("SELECT secure_value, mask_value FROM personal_api_keys").get() as Record<
        string,
        string
      >;
      expect(key.secure_value).toMatch(/^sha256\$[0-9a-f]{64}$/);
      expect(key.mask_value).toBe(`phx_...${admin.personalApiKey.slice(-4)}`);
    } finally {
      db.close();
    }
  });

  test("no log line carries a key, password, token or cookie", async () => {
    const dbPath = join(dir, "db.sqlite");
    const admin = bootstrap({
      dbPath,
      email: "a@example.com",
      password: "plain-password-a",
      organizationName: "A",
      plan: "scale",
    });
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = buildApp({ dbPath, logger: true, logStream: stream });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const secrets: string[] = [admin.personalApiKey, admin.password];
    try {
      const key = { Authorization: `Bearer ${admin.personalApiKey}`, "Content-Type": "application/json" };
      const project = (await (
        await fetch(`${url}/api/organizations/${admin.organizationId}/projects/`, {
          method: "POST",
          headers: key,
          body: JSON.stringify({ name: "Logged" }),
        })
      ).json()) as { api_token: string };
      secrets.push(project.api_token);
      const login = await fetch(`${url}/api/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: admin.email, password: admin.password }),
      });
      const cookies = login.headers.getSetCookie().map((c) => c.split(";")[0]);
      secrets.push(...cookies.map((c) => c.split("=")[1]));
      await fetch(`${url}/api/users/@me/`, { headers: { Cookie: cookies.join("; ") } });
      await fetch(`${url}/flags/?v=2&token=${project.api_token}`, { method: "POST" });
      await fetch(`${url}/batch/`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ api_key: project.api_token, batch: [{ event: "e", distinct_id: "d" }] }),
      });
      await fetch(`${url}/api/organizations/`, {
        headers: { Authorization: "Bearer phx_wrong_secret_value" },
      });
      secrets.push("phx_wrong_secret_value");
      await fetch(`${url}/api/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: `{"password":"${admin.password}"`,
      });
    } finally {
      await app.close();
    }
    const log = lines.join("");
    // One line per request (serve --log's format), so each of the seven requests above was logged.
    expect(lines).toHaveLength(7);
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});

describe("rate limiter arithmetic (DRF's SimpleRateThrottle)", () => {
  test("waits until the oldest request leaves the window", () => {
    const limiter = new RateLimiter(2, 100);
    expect(limiter.hit("k", 0)).toBeNull();
    expect(limiter.hit("k", 10_000)).toBeNull();
    expect(limiter.hit("k", 20_000)).toBe(40);
    expect(limiter.hit("other", 20_000)).toBeNull();
    expect(limiter.hit("k", 60_001)).toBeNull();
  });
});
