/**
 * The main job as a user runs it: `node dist/scripts/start.js` (what `npm start` runs
 * after building), twice, against its own posthog-local in a temporary folder.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../scripts/lib/paths";

const root = repoRoot();
const stackName = `start-test-${process.pid}`;
const localDir = fs.mkdtempSync(path.join(os.tmpdir(), "posthog-start-"));

/** Runs the main job with a clean PostHog/Pulumi environment plus `env`. */
function runStart(env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const full: NodeJS.ProcessEnv = { ...process.env, POSTHOG_LOCAL_DIR: localDir };
  for (const name of [
    "POSTHOG_HOST",
    "POSTHOG_API_KEY",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_POSTHOG_STACK",
  ]) {
    delete full[name];
  }
  Object.assign(full, env);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, "dist", "scripts", "start.js")],
      { cwd: root, env: full, timeout: 240_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const runLocal = () => runStart({ PULUMI_POSTHOG_STACK: stackName });

afterAll(() => {
  fs.rmSync(path.join(root, `Pulumi.${stackName}.yaml`), { force: true });
  fs.rmSync(localDir, { recursive: true, force: true });
});

describe("npm start", () => {
  test("provisions the layout on posthog-local and prints a masked summary", async () => {
    const first = await runLocal();
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Bootstrapping posthog-local");
    expect(first.stdout).toMatch(/Applied: \d+ create\./);
    for (const key of [
      "main/localDevelopment",
      "main/staging",
      "main/production",
      "internal-tools",
      "labs-prototype",
    ]) {
      expect(first.stdout).toMatch(new RegExp(`^  ${key.replace("/", "\\/")}\\s+\\d+\\s`, "m"));
    }
    expect(first.stdout).toMatch(/phc_\w{4}…\w{4}/);
    // layouts/local.yaml declares a teammate who is not a member yet: invited.
    expect(first.stdout).toMatch(/^Members .*\n {2}main\n {4}teammate@example\.com\s+admin\s+invited$/m);
    // No whole token, API key or password anywhere in the output.
    expect(first.stdout).not.toMatch(/phc_[A-Za-z0-9_-]{20,}/);
    expect(first.stdout).not.toMatch(/phx_[A-Za-z0-9_-]{20,}/);
    const credentials = JSON.parse(fs.readFileSync(path.join(localDir, "credentials.json"), "utf8"));
    expect(first.stdout).not.toContain(credentials.password);
    expect(fs.statSync(path.join(localDir, "credentials.json")).mode & 0o077).toBe(0);
  });

  test("a second run changes nothing", async () => {
    const second = await runLocal();
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain("Bootstrapping posthog-local");
    expect(second.stdout).toContain("No changes: the layout already matches the config.");
  });

  test("against another PostHog it keeps a separate stack and asks for what it needs first", async () => {
    const env = { POSTHOG_HOST: "http://127.0.0.1:9", POSTHOG_API_KEY: "phx_not_used" };
    const withoutPassphrase = await runStart(env);
    expect(withoutPassphrase.code).toBe(1);
    expect(withoutPassphrase.stderr).toContain("also set PULUMI_CONFIG_PASSPHRASE");

    const withoutLayout = await runStart({ ...env, PULUMI_CONFIG_PASSPHRASE: "remote-secret" });
    expect(withoutLayout.code).toBe(1);
    expect(withoutLayout.stderr).toContain(
      "Pulumi.127-0-0-1-9.yaml does not exist. Copy layouts/local.yaml to it",
    );
    expect(fs.existsSync(path.join(root, "Pulumi.127-0-0-1-9.yaml"))).toBe(false);
  });
});
