#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from "commander";
import { bootstrap } from "./bootstrap";
import { DEFAULT_RATE_LIMIT } from "./options";
import { startEmulator } from "./server";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("must be an integer 0..65535");
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

const program = new Command();
program.name("posthog-local").description("A PostHog-compatible management API server backed by SQLite.");

program
  .command("serve")
  .description("Run the server until SIGTERM or SIGINT")
  .requiredOption("--db <file>", "SQLite database file (created if missing)")
  .option("--port <port>", "port to listen on (0 picks a free one)", port, 8010)
  .option("--host <host>", "loopback address to listen on", "127.0.0.1")
  .option("--no-rate-limit", "switch off the per-key rate limit (480/minute, 4800/hour)")
  .option(
    "--rate-limit-per-minute <n>",
    `requests a personal API key may send per minute (default ${DEFAULT_RATE_LIMIT.perMinute}, PostHog's)`,
    positiveInteger,
  )
  .option(
    "--rate-limit-per-hour <n>",
    `requests a personal API key may send per hour (default ${DEFAULT_RATE_LIMIT.perHour}, PostHog's)`,
    positiveInteger,
  )
  .option(
    "--allow-personal-keys-on-session-actions",
    "let phx_ keys call reset_token and change_organization",
  )
  .option(
    "--enforce-product-page-move-rules",
    "refuse moves the product page forbids (source keeps two projects, free target holds one)",
  )
  .option("--log", "log requests (method, path, status; never secrets)")
  .action(
    async (opts: {
      db: string;
      port: number;
      host: string;
      rateLimit: boolean;
      rateLimitPerMinute?: number;
      rateLimitPerHour?: number;
      allowPersonalKeysOnSessionActions?: boolean;
      enforceProductPageMoveRules?: boolean;
      log?: boolean;
    }) => {
      const server = await startEmulator({
        dbPath: opts.db,
        port: opts.port,
        host: opts.host,
        rateLimit: opts.rateLimit
          ? {
              perMinute: opts.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT.perMinute,
              perHour: opts.rateLimitPerHour ?? DEFAULT_RATE_LIMIT.perHour,
            }
          : false,
        allowPersonalKeysOnSessionActions: opts.allowPersonalKeysOnSessionActions ?? false,
        enforceProductPageMoveRules: opts.enforceProductPageMoveRules ?? false,
        logger: opts.log ?? false,
      });
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
      // Printed last: whoever waits for this line may signal us at once.
      console.log(`posthog-local listening on ${server.url}`);
    },
  );

program
  .command("bootstrap")
  .description(
    "Create a user, an organization with its default project and a personal API key; print them as JSON",
  )
  .requiredOption("--db <file>", "SQLite database file (created if missing)")
  .requiredOption("--email <email>", "user email")
  .requiredOption("--password <password>", "user password")
  .requiredOption("--org-name <name>", "organization name")
  .addOption(new Option("--plan <plan>", "billing plan").choices(["free", "scale"]).makeOptionMandatory())
  .option("--scopes <scopes>", "comma-separated personal API key scopes", "*")
  .option("--totp-secret <secret>", "enable TOTP two-factor login with this base32 secret")
  .option("--active-subscription", "the organization has an active billing subscription")
  .option(
    "--email-mfa",
    "a password login needs an emailed link unless the user has TOTP (PostHog Cloud's email MFA)",
  )
  .action(
    (opts: {
      db: string;
      email: string;
      password: string;
      orgName: string;
      plan: "free" | "scale";
      scopes: string;
      totpSecret?: string;
      activeSubscription?: boolean;
      emailMfa?: boolean;
    }) => {
      const result = bootstrap({
        dbPath: opts.db,
        email: opts.email,
        password: opts.password,
        organizationName: opts.orgName,
        plan: opts.plan,
        scopes: opts.scopes
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
        totpSecret: opts.totpSecret,
        emailMfa: opts.emailMfa,
        activeSubscription: opts.activeSubscription ?? false,
      });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    },
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`posthog-local: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
