/**
 * Provides the real Pulumi engine without Pulumi's release download: one bin folder
 * holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`.
 *
 * Order of preference:
 * 1. `PULUMI_POSTHOG_ENGINE_DIR` (a folder with `bin/` inside) when it is set.
 * 2. A `pulumi` on PATH at 3.248.0 or newer, with the language host beside it.
 * 3. A build from the Go module proxy through the wrapper module in `scripts/engine/`,
 *    cached in the user's cache folder under a key made of the version and the hash of
 *    the wrapper's sources, so fresh clones on one machine share it and a second run
 *    takes seconds.
 *
 * Other versions (`ENGINE_VERSIONS`: the newest release, for the Node 22 compatibility
 * run) come only from the cache or a build: each has its own pinned go.mod and go.sum,
 * used with `go build -modfile`, so the one language host source compiles against the
 * sdk of that version.
 *
 * Run as `npm run engine` (`node dist/scripts/engine.js v3.276.0` for another version);
 * `ensureEngine()` is what tests and scripts call.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "./lib/paths";

/** The engine of the development setup: the last release whose SDK runs on Node 20. */
export const PULUMI_VERSION = "v3.248.0";
/** The newest release the Go module proxy serves, for the Node 22 compatibility run. */
export const NEWEST_PULUMI_VERSION = "v3.276.0";

/** Each buildable version and its go.mod, relative to `WRAPPER_DIR` (go.sum lies beside it). */
const ENGINE_VERSIONS: Readonly<Record<string, string>> = {
  [PULUMI_VERSION]: "go.mod",
  [NEWEST_PULUMI_VERSION]: path.join("v3.276", "go.mod"),
};
const MIN_PATH_VERSION: readonly [number, number, number] = [3, 248, 0];
const ENGINE_DIR_ENV = "PULUMI_POSTHOG_ENGINE_DIR";
const PLUGIN_SCRIPT = "pulumi-resource-pulumi-nodejs";

/** The wrapper module's folder, where every go command of this project runs. */
export const WRAPPER_DIR = path.join(repoRoot(), "scripts", "engine");

/**
 * The environment of every go command: no cgo and trimmed paths, as the engine build,
 * so `go vet` and `go test` reuse what the build compiled (Go applies a GOFLAGS flag
 * only to the commands that know it).
 */
export function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CGO_ENABLED: "0", GOFLAGS: `${process.env.GOFLAGS ?? ""} -trimpath`.trim() };
}

export interface Engine {
  /** Folder that holds `bin/`; what the Automation API calls the CLI's root. */
  root: string;
  /** Folder to put first on PATH: the CLI, the language host and the dynamic provider plugin. */
  binDir: string;
  /** How the engine was obtained, for progress output. */
  source: "env" | "path" | "cache" | "build";
}

type Log = (line: string) => void;

const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

/**
 * Returns the engine, building it once if nothing usable is present. A `version` other
 * than the default skips the environment and PATH choices: those name one engine, and a
 * run that asks for a specific version must get exactly that one.
 */
export async function ensureEngine(log: Log = stderrLog, version: string = PULUMI_VERSION): Promise<Engine> {
  const modfile = ENGINE_VERSIONS[version];
  if (!modfile) {
    throw new Error(
      `No wrapper module for the Pulumi engine ${version}; known: ${Object.keys(ENGINE_VERSIONS).join(", ")}.`,
    );
  }
  const build = (root: string) => buildEngine(root, version, modfile, log);
  if (version !== PULUMI_VERSION) return fromCacheOrBuild(version, modfile, build);

  const fromEnv = process.env[ENGINE_DIR_ENV];
  if (fromEnv) {
    const binDir = path.join(fromEnv, "bin");
    if (isCompleteEngine(binDir)) return { root: fromEnv, binDir, source: "env" };
    if (!isBuildable()) {
      throw new Error(
        `${ENGINE_DIR_ENV}=${fromEnv} has no complete engine in ${binDir}, and Go is not installed to build one.`,
      );
    }
    return build(fromEnv);
  }

  const onPath = engineFromPath();
  if (onPath) return onPath;

  return fromCacheOrBuild(version, modfile, build);
}

function fromCacheOrBuild(
  version: string,
  modfile: string,
  build: (root: string) => Promise<Engine>,
): Promise<Engine> {
  const root = path.join(cacheFolder(), "engine", `${version}-${wrapperHash(modfile)}`);
  if (isCompleteEngine(path.join(root, "bin")))
    return Promise.resolve({ root, binDir: path.join(root, "bin"), source: "cache" });
  return build(root);
}

/** This project's folder in the user's cache (`XDG_CACHE_HOME` or `~/.cache`). */
export function cacheFolder(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "pulumi-posthog");
}

/** Changes to the version's go.mod, go.sum or the language host's sources give a new cache key. */
function wrapperHash(modfile: string): string {
  const hash = createHash("sha256");
  const sources = fs
    .readdirSync(path.join(WRAPPER_DIR, "langhost"))
    .filter((name) => name.endsWith(".go") && !name.endsWith("_test.go"))
    .sort()
    .map((name) => path.join("langhost", name));
  for (const file of [modfile, modfile.replace(/\.mod$/, ".sum"), ...sources]) {
    hash.update(file).update(fs.readFileSync(path.join(WRAPPER_DIR, file)));
  }
  return hash.digest("hex").slice(0, 12);
}

function isCompleteEngine(binDir: string): boolean {
  return ["pulumi", "pulumi-language-nodejs", PLUGIN_SCRIPT].every((name) =>
    isExecutable(path.join(binDir, name)),
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function parseVersion(text: string): [number, number, number] | undefined {
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function atLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    if (v[i] !== min[i]) return v[i] > min[i];
  }
  return true;
}

/**
 * A Pulumi installed the usual way ships its language hosts beside the CLI; the
 * dynamic provider plugin script comes from the installed @pulumi/pulumi package when
 * the install lacks it. The three are linked into one folder so PATH order cannot mix
 * two installations.
 */
function engineFromPath(): Engine | undefined {
  const cli = which("pulumi");
  if (!cli) return undefined;
  let version: [number, number, number] | undefined;
  try {
    version = parseVersion(execFileSync(cli, ["version"], { encoding: "utf8", timeout: 30_000 }));
  } catch {
    return undefined;
  }
  if (!version || !atLeast(version, MIN_PATH_VERSION)) return undefined;
  const cliDir = path.dirname(fs.realpathSync(cli));
  const langHost = [path.join(cliDir, "pulumi-language-nodejs"), which("pulumi-language-nodejs")].find(
    (candidate) => candidate && isExecutable(candidate),
  );
  if (!langHost) return undefined;
  const plugin = [path.join(cliDir, PLUGIN_SCRIPT), pluginScriptFromSdk()].find((c) => isExecutable(c));
  if (!plugin) return undefined;

  const root = path.join(cacheFolder(), "engine", `path-${version.join(".")}`);
  const binDir = path.join(root, "bin");
  fs.mkdirSync(binDir, { recursive: true });
  for (const [name, target] of [
    ["pulumi", cli],
    ["pulumi-language-nodejs", langHost],
    [PLUGIN_SCRIPT, plugin],
  ] as const) {
    // Link under a private name, then rename: two processes may do this at once.
    const link = path.join(binDir, name);
    const staging = `${link}.${process.pid}`;
    fs.rmSync(staging, { force: true });
    fs.symlinkSync(fs.realpathSync(target), staging);
    fs.renameSync(staging, link);
  }
  return { root, binDir, source: "path" };
}

function pluginScriptFromSdk(): string {
  return path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), PLUGIN_SCRIPT);
}

/** Whether Go is installed, to build the engine (and to vet and test the language host). */
export function isBuildable(): boolean {
  return which("go") !== undefined;
}

async function buildEngine(root: string, version: string, modfile: string, log: Log): Promise<Engine> {
  if (!isBuildable()) {
    throw new Error(
      "The Pulumi engine is needed and none was found: install the Pulumi CLI 3.248 or newer " +
        "(https://www.pulumi.com/docs/install/), or install Go 1.22 or newer so it can be built " +
        "from the Go module proxy (Debian: apt-get install golang; or https://go.dev/dl/).",
    );
  }
  const started = Date.now();
  const staging = `${root}.partial-${process.pid}`;
  const stagingBin = path.join(staging, "bin");
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(stagingBin, { recursive: true });
  log(
    `Building the Pulumi engine ${version} from the Go module proxy into ${root} (first time only; several minutes on two cores).`,
  );

  const ldflags = `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`;
  const targets: Array<[string, string]> = [
    ["pulumi", "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"],
    ["pulumi-language-nodejs", "./langhost"],
  ];
  try {
    for (const [name, pkg] of targets) {
      await goBuild(name, pkg, path.join(stagingBin, name), modfile, ldflags, log, started);
    }
    fs.copyFileSync(pluginScriptFromSdk(), path.join(stagingBin, PLUGIN_SCRIPT));
    fs.chmodSync(path.join(stagingBin, PLUGIN_SCRIPT), 0o755);
    const printed = execFileSync(path.join(stagingBin, "pulumi"), ["version"], { encoding: "utf8" }).trim();
    if (printed !== version)
      throw new Error(`the built CLI reports version "${printed}", expected ${version}`);

    // Move file by file, `pulumi` last, so the folder counts as complete only when it
    // is, and nothing else in it (PULUMI_POSTHOG_ENGINE_DIR may be any folder) is
    // touched. A concurrent build of the same version may win; either result is good.
    const binDir = path.join(root, "bin");
    fs.mkdirSync(binDir, { recursive: true });
    for (const name of [PLUGIN_SCRIPT, "pulumi-language-nodejs", "pulumi"]) {
      fs.renameSync(path.join(stagingBin, name), path.join(binDir, name));
    }
    fs.rmSync(staging, { recursive: true, force: true });
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  log(`Pulumi engine ${version} ready in ${elapsed(started)}: ${path.join(root, "bin")}`);
  return { root, binDir: path.join(root, "bin"), source: "build" };
}

function elapsed(since: number): string {
  const seconds = Math.round((Date.now() - since) / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

/** Runs one `go build -v`, reporting how many packages it has compiled as it goes. */
function goBuild(
  name: string,
  pkg: string,
  output: string,
  modfile: string,
  ldflags: string,
  log: Log,
  started: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ["build", "-modfile", modfile, "-v", "-trimpath", "-ldflags", ldflags, "-o", output, pkg];
    const child = spawn("go", args, {
      cwd: WRAPPER_DIR,
      env: goEnv(),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let compiled = 0;
    let errors = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) {
        if (/^[\w.-]+(\/[\w.~-]+)*$/.test(line.trim())) compiled++;
        else if (line.trim()) errors += `${line}\n`;
      }
    });
    log(`  building ${name} ...`);
    const heartbeat = setInterval(
      () => log(`  building ${name}: ${compiled} packages compiled, ${elapsed(started)} elapsed`),
      20_000,
    );
    child.on("error", (error) => {
      clearInterval(heartbeat);
      reject(error);
    });
    child.on("close", (code) => {
      clearInterval(heartbeat);
      if (code === 0) {
        log(`  built ${name} (${compiled} packages compiled, ${elapsed(started)} elapsed)`);
        resolve();
      } else {
        reject(new Error(`go build of ${name} failed with exit code ${code}:\n${errors.slice(-4000)}`));
      }
    });
  });
}

if (require.main === module) {
  ensureEngine(stderrLog, process.argv[2] ?? PULUMI_VERSION)
    .then((engine) => {
      const version = execFileSync(path.join(engine.binDir, "pulumi"), ["version"], {
        encoding: "utf8",
      }).trim();
      console.log(`Pulumi engine ${version} (${engine.source}): ${engine.binDir}`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
