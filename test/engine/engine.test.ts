/**
 * How the engine is found: an explicit folder, a Pulumi install on PATH, or the
 * cache; and what a user without any of them (and without Go) is told.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureEngine } from "../../scripts/engine";

const saved = { ...process.env };
let scratch: string;
let built: string;

beforeAll(async () => {
  built = (await ensureEngine(() => undefined)).binDir;
});

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "engine-lookup-"));
});

afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(scratch, { recursive: true, force: true });
});

/**
 * A folder that looks like a regular Pulumi install. Hard links (not symlinks), because
 * the lookup follows symlinks to find the language host beside the real binary.
 */
function fakeInstall(withLanguageHost: boolean): string {
  const dir = path.join(scratch, "pulumi-install");
  fs.mkdirSync(dir);
  const place = (name: string) => {
    try {
      fs.linkSync(path.join(built, name), path.join(dir, name));
    } catch {
      fs.copyFileSync(path.join(built, name), path.join(dir, name));
      fs.chmodSync(path.join(dir, name), 0o755);
    }
  };
  place("pulumi");
  if (withLanguageHost) place("pulumi-language-nodejs");
  return dir;
}

test("PULUMI_POSTHOG_ENGINE_DIR wins when it holds a complete engine", async () => {
  process.env.PULUMI_POSTHOG_ENGINE_DIR = path.dirname(built);
  const engine = await ensureEngine(() => undefined);
  expect(engine.source).toBe("env");
  expect(engine.binDir).toBe(built);
});

test("a Pulumi 3.248+ on PATH with its language host is used, linked into one bin folder", async () => {
  delete process.env.PULUMI_POSTHOG_ENGINE_DIR;
  process.env.XDG_CACHE_HOME = path.join(scratch, "cache");
  process.env.PATH = [fakeInstall(true), saved.PATH].join(path.delimiter);
  const engine = await ensureEngine(() => undefined);
  expect(engine.source).toBe("path");
  expect(engine.binDir.startsWith(path.join(scratch, "cache"))).toBe(true);
  for (const name of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
    expect(fs.lstatSync(path.join(engine.binDir, name)).isSymbolicLink()).toBe(true);
  }
});

test("a Pulumi on PATH without a language host beside it is not used", async () => {
  delete process.env.PULUMI_POSTHOG_ENGINE_DIR;
  process.env.XDG_CACHE_HOME = path.dirname(path.dirname(path.dirname(path.dirname(built))));
  process.env.PATH = [fakeInstall(false), saved.PATH].join(path.delimiter);
  const engine = await ensureEngine(() => undefined);
  expect(engine.source).toBe("cache");
  expect(engine.binDir).toBe(built);
});

test("without an engine and without Go, the error says what to install", async () => {
  delete process.env.PULUMI_POSTHOG_ENGINE_DIR;
  process.env.XDG_CACHE_HOME = path.join(scratch, "empty-cache");
  // Nothing on PATH: no pulumi and no go.
  process.env.PATH = path.join(scratch, "empty-bin");
  await expect(ensureEngine(() => undefined)).rejects.toThrow(
    /install the Pulumi CLI 3\.248 or newer.*or install Go 1\.22 or newer/s,
  );
});
