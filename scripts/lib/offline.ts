/**
 * Runs a Pulumi program folder with the real engine, fully offline: a file backend,
 * its own PULUMI_HOME, a passphrase, no update check and no plugin download, with the
 * engine's bin folder first on PATH. Tests, `npm start` and the examples' scripts all
 * go through here so they run Pulumi the same way.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { Engine, ensureEngine } from "../engine";

export interface OfflineOptions {
  /** The program folder (holds Pulumi.yaml). */
  workDir: string;
  stackName?: string;
  /**
   * Where the file backend and PULUMI_HOME live. Defaults to a new temporary folder
   * that `dispose()` removes; pass a folder to keep state between runs.
   */
  stateDir?: string;
  /** Encrypts the stack's secrets; defaults to a fixed value suitable only for throwaway state. */
  passphrase?: string;
  /** Extra environment for the engine and the provider process (e.g. POSTHOG_HOST). */
  env?: Record<string, string>;
  /** Stack config, `posthog:apiKey` style keys; `secret` values are encrypted in state. */
  config?: Record<string, { value: string; secret?: boolean }>;
}

export interface OfflineStack {
  stack: Stack;
  engine: Engine;
  /** The environment the engine runs with, for running the `pulumi` CLI directly. */
  env: Record<string, string>;
  stateDir: string;
  /** Runs the `pulumi` CLI in the program folder on this stack; resolves with stdout. */
  cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  /** Removes the stack and, for a temporary state folder, the folder itself. */
  dispose(): Promise<void>;
}

const THROWAWAY_PASSPHRASE = "pulumi-posthog-offline";

/** The environment that makes the engine work without any network besides the PostHog host. */
export function offlineEnv(engine: Engine, stateDir: string, passphrase: string): Record<string, string> {
  const backendDir = path.join(stateDir, "backend");
  const homeDir = path.join(stateDir, "home");
  fs.mkdirSync(backendDir, { recursive: true });
  fs.mkdirSync(homeDir, { recursive: true });
  return {
    PATH: [engine.binDir, process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: homeDir,
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    // Programs are TypeScript run through ts-node; type checking is the build's job.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
  };
}

/** Creates (or selects) a stack of the program folder on an offline file backend. */
export async function openOfflineStack(options: OfflineOptions): Promise<OfflineStack> {
  const engine = await ensureEngine();
  const temporary = options.stateDir === undefined;
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-posthog-state-"));
  const passphrase = options.passphrase ?? THROWAWAY_PASSPHRASE;
  const env = { ...offlineEnv(engine, stateDir, passphrase), ...(options.env ?? {}) };
  const stackName = options.stackName ?? "dev";
  const pulumiCommand = await PulumiCommand.get({ root: engine.root, skipVersionCheck: true });

  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, workDir: options.workDir },
    { envVars: env, pulumiHome: env.PULUMI_HOME, pulumiCommand },
  );
  if (options.config) await stack.setAllConfig(options.config);

  const cli = (args: string[]) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(
        path.join(engine.binDir, "pulumi"),
        [...args, "--stack", stackName, "--non-interactive"],
        { cwd: options.workDir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ stdout, stderr, code });
        },
      );
    });

  return {
    stack,
    engine,
    env,
    stateDir,
    cli,
    async dispose() {
      try {
        await stack.workspace.removeStack(stackName, { force: true });
      } finally {
        if (temporary) fs.rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
}
