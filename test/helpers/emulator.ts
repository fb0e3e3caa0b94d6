import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrap, startEmulator, type BootstrapResult, type EmulatorOptions } from "posthog-local";

export interface TestEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** The SQLite file, in a temporary directory removed by `close()`. */
  dbPath: string;
  /** An OWNER of an organization on the "scale" plan (many projects), with a `*` personal API key. */
  admin: BootstrapResult;
  close(): Promise<void>;
}

/**
 * Starts posthog-local on an ephemeral loopback port with a fresh database in its own temporary
 * directory, bootstrapped with one owner. `overrides` are passed to `startEmulator` (e.g.
 * `{ rateLimit: false }` or `{ allowPersonalKeysOnSessionActions: true }`).
 */
export async function startTestEmulator(overrides: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const dir = mkdtempSync(join(tmpdir(), "posthog-local-"));
  const dbPath = join(dir, "posthog.sqlite");
  try {
    const admin = bootstrap({
      dbPath,
      email: "owner@example.com",
      password: "owner-password-123",
      organizationName: "Test organization",
      plan: "scale",
    });
    const server = await startEmulator({ ...overrides, dbPath });
    return {
      url: server.url,
      dbPath,
      admin,
      close: async () => {
        try {
          await server.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
