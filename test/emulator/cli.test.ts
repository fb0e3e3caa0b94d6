import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startServerProcess, waitForExit } from "./support/child";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "posthog-local-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("bootstrap prints the BootstrapResult as JSON, and works beside a running server on the same file", async () => {
  const dbPath = join(dir, "cli.sqlite");
  const first = await runCli([
    "bootstrap",
    "--db",
    dbPath,
    "--email",
    "cli@example.com",
    "--password",
    "cli-password",
    "--org-name",
    "CLI org",
    "--plan",
    "scale",
    "--scopes",
    "project:read, organization:read",
  ]);
  expect(first.code).toBe(0);
  const result = JSON.parse(first.stdout) as Record<string, unknown>;
  expect(Object.keys(result).sort()).toEqual(
    ["defaultProjectId", "email", "organizationId", "password", "personalApiKey", "userId"].sort(),
  );
  expect(result.personalApiKey).toMatch(/^phx_/);

  const server = await startServerProcess(dbPath);
  try {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await fetch(`${server.url}/api/organizations/${String(result.organizationId)}/projects/`, {
      headers: { Authorization: `Bearer ${String(result.personalApiKey)}` },
    });
    expect(me.status).toBe(200);
    // The key was created with only read scopes.
    const write = await fetch(`${server.url}/api/organizations/`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${String(result.personalApiKey)}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ name: "nope" }),
    });
    expect(write.status).toBe(403);

    const second = await runCli([
      "bootstrap",
      "--db",
      dbPath,
      "--email",
      "other@example.com",
      "--password",
      "other-password",
      "--org-name",
      "Second",
      "--plan",
      "free",
    ]);
    expect(second.code).toBe(0);
    const other = JSON.parse(second.stdout) as { personalApiKey: string; organizationId: string };
    const read = await fetch(`${server.url}/api/organizations/${other.organizationId}/`, {
      headers: { Authorization: `Bearer ${other.personalApiKey}` },
    });
    expect(read.status).toBe(200);
    expect(
      ((await read.json()) as { available_product_features: unknown[] }).available_product_features,
    ).toEqual([]);
  } finally {
    server.child.kill("SIGTERM");
    expect((await waitForExit(server.child)).code).toBe(0);
  }
});

test("bootstrap refuses an existing email with a different password", async () => {
  const dbPath = join(dir, "cli.sqlite");
  const args = [
    "bootstrap",
    "--db",
    dbPath,
    "--email",
    "same@example.com",
    "--org-name",
    "O",
    "--plan",
    "free",
  ];
  expect((await runCli([...args, "--password", "first-password"])).code).toBe(0);
  const again = await runCli([...args, "--password", "other-password"]);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/already exists/);
  expect(again.stderr).not.toMatch(/other-password|first-password/);
});

test("serve refuses non-loopback hosts and SIGINT stops it cleanly", async () => {
  const dbPath = join(dir, "cli.sqlite");
  const refused = await runCli(["serve", "--db", dbPath, "--port", "0", "--host", "0.0.0.0"]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/loopback/);
  const server = await startServerProcess(dbPath);
  server.child.kill("SIGINT");
  expect((await waitForExit(server.child)).code).toBe(0);
});
