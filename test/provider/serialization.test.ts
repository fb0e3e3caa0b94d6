/**
 * The serialized provider, done as Pulumi does it: the sdk classes are constructed
 * in a program process (under mocks) and their `__provider` text captured; a second
 * process rebuilds each provider from that text the way the engine's dynamic provider
 * host does, configures it with stack config, and drives it against the emulator.
 *
 * Both run as child `node` processes: Jest's module sandbox does not mix with closure
 * serialization, and the rebuilt stub loads the compiled package by name.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { ownerClient } from "./support";

const run = promisify(execFile);
const root = join(__dirname, "..", "..");
const kinds = ["Organization", "Project", "ProjectToken"] as const;

/** Newest modification time of the .ts files under a folder. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith(".ts")) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds the package when dist/ is missing or older than provider/ and sdk/. */
async function ensureBuilt(): Promise<void> {
  const built = ["dist/provider/index.js", "dist/sdk/index.js"].map((f) => join(root, f));
  const sources = Math.max(newest(join(root, "provider")), newest(join(root, "sdk")));
  if (built.every((f) => existsSync(f) && statSync(f).mtimeMs >= sources)) return;
  await run("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root }).catch((err: { stdout?: string }) => {
    // Type errors elsewhere in the repo still emit; only a missing output is fatal.
    if (!built.every((f) => existsSync(f))) throw new Error(`build failed: ${err.stdout ?? String(err)}`);
  });
}

/** The environment of the children, without any POSTHOG_* fallback. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("POSTHOG_")) env[k] = v;
  return { ...env, ...extra };
}

interface Serialized {
  direct: Record<string, { text: string; containsSecrets: boolean }>;
  viaResources: Record<string, string>;
}

let emu: TestEmulator;
let serialized: Serialized;
let workDir: string;

beforeAll(async () => {
  await ensureBuilt();
  emu = await startTestEmulator({ rateLimit: false });
  workDir = mkdtempSync(join(tmpdir(), "posthog-roundtrip-"));
  const { stdout } = await run("node", [join(__dirname, "roundtrip", "serialize.js")], {
    cwd: root,
    env: cleanEnv({}),
    maxBuffer: 1 << 20,
  });
  serialized = JSON.parse(stdout) as Serialized;
}, 120_000);

afterAll(async () => {
  await emu?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test("the sdk classes serialize the thin stub: small, one per kind, and the same as serializeFunction makes", () => {
  for (const kind of kinds) {
    const text = serialized.viaResources[kind];
    expect(text).toBeDefined();
    expect(text).toBe(serialized.direct[kind].text);
    expect(serialized.direct[kind].containsSecrets).toBe(false);
    expect(Buffer.byteLength(text)).toBeLessThan(700);
    expect(text).toContain(`kind: "${kind}"`);
    expect(text).toContain('"pulumi-posthog/provider"');
  }
  // Only the kind string differs between kinds.
  const normalize = (t: string) => t.replace(/kind: "\w+"/, 'kind: "?"');
  expect(new Set(kinds.map((k) => normalize(serialized.viaResources[k]))).size).toBe(1);
});

test("the serialized text stays identical across provider changes (tripwire)", () => {
  // The stub captures only the kind string and loads the implementation by package
  // name, so this hash changes only when sdk/provider-stub.ts (or Pulumi's closure
  // serializer) changes. A new text is written into every resource's state at the next
  // `up` and must keep working next to the old ones (see the 0.1.0 test below): update
  // the hash only for a deliberate stub change.
  const hash = createHash("sha256").update(serialized.viaResources.Project).digest("hex").slice(0, 16);
  expect(hash).toBe(STUB_HASH);
});

/** Rebuilds providers from `texts` the way the engine's host does and drives the emulator with them. */
async function roundTrip(texts: Record<string, string>, label: string): Promise<void> {
  const textsFile = join(workDir, `${label}.json`);
  writeFileSync(textsFile, JSON.stringify(texts));
  const stackConfig = {
    "posthog:host": emu.url,
    "posthog:apiKey": emu.admin.personalApiKey,
    "posthog:email": emu.admin.email,
    "posthog:password": emu.admin.password,
  };
  const { stdout } = await run("node", [join(__dirname, "roundtrip", "host.js"), textsFile], {
    cwd: root,
    env: cleanEnv({ ROUNDTRIP_CONFIG: JSON.stringify(stackConfig), ROUNDTRIP_ORG: emu.admin.organizationId }),
    maxBuffer: 1 << 20,
  });
  const out = JSON.parse(stdout);

  // After configure, every method delegates to the implementation.
  expect(out.methods).toEqual(["check", "configure", "create", "delete", "diff", "kind", "read", "update"]);
  // Configured but nothing sent yet (a no-change preview's whole life): the HTTP, cookie and
  // TOTP libraries are not loaded (provider/client/libraries.ts); the first request loads them.
  expect(out.librariesAfterConfigure).toEqual(["zod"]);
  expect(out.librariesAtEnd).toEqual(expect.arrayContaining(["axios", "zod"]));
  expect(out.orgCheck.failures[0]).toEqual({
    property: "name",
    reason: 'Organization input "name": must not be empty',
  });
  expect(out.org.outs).toMatchObject({ name: "Round trip org", membershipLevel: 15 });
  expect(out.orgRead).toMatchObject({ id: out.org.id, props: { name: "Round trip org" } });
  expect(out.projectCheck).toEqual({
    inputs: { organizationId: emu.admin.organizationId, name: "Round trip" },
  });
  expect(out.projectDiff).toEqual({ changes: true, replaces: [] });
  expect(out.projectUpdate.outs).toMatchObject({ name: "Round trip 2", timezone: "Europe/Berlin" });
  expect(out.tokenDiff).toEqual({ changes: true, replaces: ["keepers"], deleteBeforeReplace: true });
  expect(out.token1).toMatch(/^phc_/);
  expect(out.token2).toMatch(/^phc_/);
  expect(out.token2).not.toBe(out.token1);
  expect(out.tokenRead.props.token).toBe(out.token2);
  expect(out.projectReadAfterDelete).toEqual({});
  expect(out.orgReadAfterDelete).toEqual({});

  // The emulator agrees: the project, which never ingested events, was removed at once.
  await expect(ownerClient(emu).projects.get(emu.admin.organizationId, out.project.id)).rejects.toMatchObject(
    { status: 404 },
  );
}

test("rebuilt from text like the engine does, the stub configures from stack config and drives the emulator", async () => {
  await roundTrip(serialized.viaResources, "current");
});

test("state written by 0.1.0 (a longer stub that delegates by itself) still runs the current provider", async () => {
  const old = JSON.parse(readFileSync(join(__dirname, "roundtrip", "stub-0.1.0.json"), "utf8")) as Record<
    string,
    string
  >;
  expect(old.Project).not.toBe(serialized.viaResources.Project);
  expect(old.Project).toContain("mod.resourceProvider(this.kind)");
  await roundTrip(old, "0.1.0");
});

test("the serialized text holds no credential, host or token", () => {
  const secrets = [emu.admin.personalApiKey, emu.admin.password, emu.admin.email, emu.url, "phx_", "phc_"];
  for (const kind of kinds) {
    for (const secret of secrets) expect(serialized.viaResources[kind]).not.toContain(secret);
  }
});

/** sha256 (first 16 hex digits) of the Project stub's serialized text; see the tripwire test. */
const STUB_HASH = "732387d30b4ad291";
