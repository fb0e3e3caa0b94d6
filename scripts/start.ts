/**
 * `npm start`: provisions the layout declared in `Pulumi.local.yaml` with the real
 * Pulumi engine, then prints a summary. `npm run preview` (`--preview`) only shows
 * what `npm start` would change, as `pulumi preview --diff` prints it for a reviewer.
 *
 * Without POSTHOG_HOST it runs against posthog-local (the emulator in this package),
 * persisted in `.posthog-local/`, bootstrapping a user, two organizations on a plan that
 * allows several projects (so a move between them works as the layout's comments say) and
 * a personal API key the first time. With POSTHOG_HOST and
 * POSTHOG_API_KEY set it runs against that PostHog instead, on its own stack and state.
 * Credentials reach the provider through the environment only, never through config
 * or state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CommandError } from "@pulumi/pulumi/automation";
import { parseDocument } from "yaml";
import { z } from "zod";
import { bootstrap, RunningEmulator, startEmulator } from "posthog-local";
import { openOfflineStack } from "./lib/offline";
import { repoRoot } from "./lib/paths";

const root = repoRoot();
// Both overridable so tests can run the whole main job without touching a developer's demo.
const localDir = process.env.POSTHOG_LOCAL_DIR ?? path.join(root, ".posthog-local");
const layoutTemplate = path.join(root, "layouts", "local.yaml");

/**
 * Where the layout goes. Each target has its own stack and state folder, so state made
 * against posthog-local (ids 1, 2, 3...) is never applied to a real PostHog, where the
 * same ids are somebody else's projects.
 */
interface Target {
  host: string;
  env: Record<string, string>;
  organizationId?: string;
  /** The bootstrapped second organization, the target of the layout's example move. */
  secondOrganizationId?: string;
  /** The second organization was bootstrapped into a posthog-local set up before it existed. */
  addedSecondOrganization?: boolean;
  stackName: string;
  stateDir: string;
  passphrase: string;
  close(): Promise<void>;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function localTarget(): Promise<Target> {
  fs.mkdirSync(localDir, { recursive: true, mode: 0o700 });
  const dbPath = path.join(localDir, "posthog.sqlite");
  const credentialsFile = path.join(localDir, "credentials.json");
  let credentials: Credentials;
  let addedSecondOrganization = false;
  if (fs.existsSync(credentialsFile)) {
    const parsed = credentialsSchema.safeParse(JSON.parse(fs.readFileSync(credentialsFile, "utf8")));
    if (!parsed.success) {
      throw new Error(`${credentialsFile} is not what npm start wrote; remove ${localDir} to start afresh.`);
    }
    credentials = parsed.data;
    if (credentials.secondOrganizationId === undefined) {
      // Written before npm start bootstrapped a second organization: add it, same user.
      log(
        "Bootstrapping posthog-local's second organization (multi-project plan), the target of the example move.",
      );
      const second = bootstrap({
        dbPath,
        email: credentials.email,
        password: credentials.password,
        organizationName: "Second Organization",
        plan: "scale",
        scopes: ["*"],
      });
      credentials = { ...credentials, secondOrganizationId: second.organizationId };
      fs.writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
      addedSecondOrganization = true;
    }
  } else {
    log(
      "Bootstrapping posthog-local: a user, two organizations on a multi-project plan and a personal API key.",
    );
    const owner = {
      dbPath,
      email: "owner@example.com",
      password: `local-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`,
      plan: "scale" as const,
      scopes: ["*"],
    };
    const main = bootstrap({ ...owner, organizationName: "Local Organization" });
    // The same user again: a second organization, as PostHog's billing page upgrades one.
    const second = bootstrap({ ...owner, organizationName: "Second Organization" });
    credentials = { ...main, secondOrganizationId: second.organizationId };
    fs.writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  }
  const emulator: RunningEmulator = await startEmulator({ dbPath });
  log(`posthog-local is serving ${emulator.url} (data in ${path.relative(root, localDir)}/).`);
  return {
    host: emulator.url,
    organizationId: credentials.organizationId,
    secondOrganizationId: credentials.secondOrganizationId,
    addedSecondOrganization,
    stackName: process.env.PULUMI_POSTHOG_STACK ?? "local",
    stateDir: path.join(localDir, "pulumi-state"),
    // Only protects posthog-local's throwaway credentials; a real PostHog needs a real one.
    passphrase: process.env.PULUMI_CONFIG_PASSPHRASE ?? "pulumi-posthog-local-demo",
    env: {
      POSTHOG_HOST: emulator.url,
      POSTHOG_API_KEY: credentials.personalApiKey,
      POSTHOG_EMAIL: credentials.email,
      POSTHOG_PASSWORD: credentials.password,
    },
    close: () => emulator.close(),
  };
}

function remoteTarget(host: string): Target {
  if (!process.env.POSTHOG_API_KEY) {
    throw new Error(
      "POSTHOG_HOST is set but POSTHOG_API_KEY is not: create a personal API key in PostHog and export it.",
    );
  }
  const env: Record<string, string> = { POSTHOG_HOST: host };
  for (const name of ["POSTHOG_API_KEY", "POSTHOG_EMAIL", "POSTHOG_PASSWORD", "POSTHOG_TOTP_SECRET"]) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE;
  if (!passphrase) {
    throw new Error(
      "POSTHOG_HOST is set: also set PULUMI_CONFIG_PASSPHRASE, which encrypts the secrets in this stack's state.",
    );
  }
  const stackName = process.env.PULUMI_POSTHOG_STACK ?? new URL(host).host.replace(/[^A-Za-z0-9]+/g, "-");
  return {
    host,
    env,
    stackName,
    stateDir: path.join(root, ".pulumi-state", stackName),
    passphrase,
    close: async () => undefined,
  };
}

/**
 * The stack config file is the team's layout. The first run writes it from the
 * template, pointing the main organization at the bootstrapped one. Later runs leave
 * it as the user edited it, except that a freshly bootstrapped posthog-local (its data
 * folder was removed) gets its new organization id written into `main.existingId`.
 */
function ensureStackConfig(target: Target): void {
  const stackConfigFile = path.join(root, `Pulumi.${target.stackName}.yaml`);
  const exists = fs.existsSync(stackConfigFile);
  if (!target.organizationId) {
    if (exists) return;
    throw new Error(
      `${path.basename(stackConfigFile)} does not exist. Copy layouts/local.yaml to it and set ` +
        "posthog-layout:organizations.main.existingId to your PostHog organization's id.",
    );
  }
  const document = parseDocument(fs.readFileSync(exists ? stackConfigFile : layoutTemplate, "utf8"));
  const ids: Array<[string, string | undefined]> = [
    ["main", target.organizationId],
    ["second", target.secondOrganizationId],
  ];
  const idPath = (key: string) => ["config", "posthog-layout:organizations", key, "existingId"];
  const secondPath = ["config", "posthog-layout:organizations", "second"];
  // A layout written before the second organization existed gets it once, with it.
  const addSecond =
    exists &&
    target.addedSecondOrganization === true &&
    target.secondOrganizationId !== undefined &&
    document.hasIn(["config", "posthog-layout:organizations"]) &&
    !document.hasIn(secondPath);
  if (addSecond) document.setIn(secondPath, document.createNode({ existingId: target.secondOrganizationId }));
  // Only entries the layout still declares: a user may have removed `second`.
  const stale = ids.filter(
    ([key, id]) => id !== undefined && document.hasIn(idPath(key)) && document.getIn(idPath(key)) !== id,
  );
  if (exists && stale.length === 0 && !addSecond) return;
  for (const [key, id] of stale) document.setIn(idPath(key), id);
  fs.writeFileSync(stackConfigFile, document.toString());
  if (addSecond) {
    log(
      `Added organizations.second (the new posthog-local organization) to ${path.basename(stackConfigFile)}: ` +
        "layouts/local.yaml's comments show a move into it.",
    );
  }
  if (exists && stale.length === 0) return;
  log(
    exists
      ? `Pointed ${path.basename(stackConfigFile)}'s organizations at the new posthog-local organizations.`
      : `Wrote ${path.basename(stackConfigFile)} from layouts/local.yaml: edit it to move projects or rotate tokens.`,
  );
}

function mask(token: string): string {
  return token.length > 12 ? `${token.slice(0, 8)}…${token.slice(-4)}` : "****";
}

/** The root program's stack outputs, as `program/index.ts` exports them. */
const summarySchema = z.object({
  organizations: z
    .record(
      z.string(),
      z.object({
        id: z.string(),
        name: z.string(),
        managed: z.boolean(),
        members: z.record(z.string(), z.object({ level: z.string(), status: z.string() })).optional(),
      }),
    )
    .default({}),
  projects: z
    .record(
      z.string(),
      z.object({
        id: z.coerce.string(),
        name: z.string(),
        organization: z.string(),
        token: z.string(),
        settings: z.record(z.string(), z.unknown()).optional(),
        secureKey: z.string().optional(),
      }),
    )
    .default({}),
});
type Summary = z.infer<typeof summarySchema>;

/** What `bootstrap` returned and npm start keeps in `credentials.json`. */
const credentialsSchema = z.object({
  /** Absent in files written before npm start bootstrapped a second organization. */
  secondOrganizationId: z.string().optional(),
  email: z.string(),
  password: z.string(),
  userId: z.string(),
  organizationId: z.string(),
  defaultProjectId: z.number(),
  personalApiKey: z.string(),
});

type Credentials = z.infer<typeof credentialsSchema>;

function printSummary(summary: Summary): void {
  log("");
  log("Organizations");
  for (const [key, org] of Object.entries(summary.organizations)) {
    log(
      `  ${key.padEnd(24)} ${org.id}  ${org.managed ? org.name : "(existing organization, not managed here)"}`,
    );
  }
  const withMembers = Object.entries(summary.organizations).filter(
    ([, org]) => Object.keys(org.members ?? {}).length > 0,
  );
  if (withMembers.length > 0) {
    log("");
    log("Members (invited: the invite is pending until the person accepts it)");
    for (const [key, org] of withMembers) {
      log(`  ${key}`);
      for (const [email, member] of Object.entries(org.members ?? {})) {
        log(`    ${email.padEnd(40)} ${member.level.padEnd(7)} ${member.status}`);
      }
    }
  }
  log("");
  log("Projects");
  log(
    `  ${"key".padEnd(28)} ${"id".padEnd(6)} ${"organization".padEnd(14)} ${"name".padEnd(22)} ${"token".padEnd(14)} secure key`,
  );
  for (const [key, project] of Object.entries(summary.projects)) {
    const secureKey = project.secureKey === undefined ? "-" : mask(project.secureKey);
    log(
      `  ${key.padEnd(28)} ${String(project.id).padEnd(6)} ${project.organization.padEnd(14)} ${project.name.padEnd(22)} ${mask(project.token).padEnd(14)} ${secureKey}`,
    );
  }
  const withSettings = Object.entries(summary.projects).filter(
    ([, project]) => Object.keys(project.settings ?? {}).length > 0,
  );
  if (withSettings.length > 0) {
    log("");
    log("Settings (managed ones only, as PostHog holds them)");
    for (const [key, project] of withSettings) {
      log(`  ${key}`);
      for (const [name, value] of Object.entries(project.settings ?? {})) {
        log(`    ${name.padEnd(44)} ${JSON.stringify(value)}`);
      }
    }
  }
  log("");
  log(
    "Tokens and secure keys are masked; `pulumi stack output --show-secrets` (with the same environment) shows them.",
  );
}

async function main(): Promise<void> {
  const target = process.env.POSTHOG_HOST ? remoteTarget(process.env.POSTHOG_HOST) : await localTarget();
  try {
    ensureStackConfig(target);
    const run = await openOfflineStack({
      workDir: root,
      stackName: target.stackName,
      stateDir: target.stateDir,
      passphrase: target.passphrase,
      env: target.env,
    });
    if (process.argv.includes("--preview")) {
      log(`Running pulumi preview --diff on stack "${target.stackName}" against ${target.host} ...`);
      const preview = await run.cli(["preview", "--diff", "--color", "never"]);
      process.stdout.write(preview.stdout);
      if (preview.code !== 0) throw new Error(`pulumi preview failed:\n${preview.stderr}`);
      return;
    }
    log(`Running pulumi up on stack "${target.stackName}" against ${target.host} ...`);
    const result = await run.stack.up({ onOutput: (out) => process.stdout.write(out), color: "never" });
    const changes = Object.entries(result.summary.resourceChanges ?? {})
      .filter(([op]) => op !== "same")
      .map(([op, count]) => `${count} ${op}`);
    log(
      changes.length === 0
        ? "No changes: the layout already matches the config."
        : `Applied: ${changes.join(", ")}.`,
    );
    const outputs = await run.stack.outputs();
    printSummary(
      summarySchema.parse({ organizations: outputs.organizations?.value, projects: outputs.projects?.value }),
    );
  } finally {
    await target.close();
  }
}

main().catch((error: unknown) => {
  // The engine's own output, diagnostics included, was already streamed; its error
  // message would print all of it again.
  if (error instanceof CommandError) console.error("\npulumi failed: the diagnostics above say why.");
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
