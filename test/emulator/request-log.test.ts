/**
 * `serve --log` (issue 14, item 7): one plain line per request, `METHOD /path STATUS`, as
 * emulator/README.md says, and nothing else: no JSON, no query strings, no secrets.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { bootstrap } from "posthog-local";
import { buildApp } from "../../emulator/app";

test("serve --log writes one line per request: method, path without query, status", async () => {
  const dir = mkdtempSync(join(tmpdir(), "posthog-local-log-"));
  try {
    const dbPath = join(dir, "db.sqlite");
    const admin = bootstrap({
      dbPath,
      email: "a@example.com",
      password: "plain-password-a",
      organizationName: "A",
      plan: "scale",
    });
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const app = buildApp({ dbPath, logger: true, logStream: stream });
    try {
      const auth = { authorization: `Bearer ${admin.personalApiKey}` };
      await app.inject({ method: "GET", url: "/api/organizations/?limit=5", headers: auth });
      await app.inject({
        method: "GET",
        url: "/api/organizations/",
        headers: { authorization: "Bearer phx_wrong" },
      });
      await app.inject({
        method: "DELETE",
        url: `/api/organizations/${admin.organizationId}/projects/999999/`,
        headers: auth,
      });
    } finally {
      await app.close();
    }
    expect(chunks.join("")).toBe(
      [
        "GET /api/organizations/ 200",
        "GET /api/organizations/ 401",
        `DELETE /api/organizations/${admin.organizationId}/projects/999999/ 404`,
        "",
      ].join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
