/**
 * The package a user installs: `npm pack` of the provider, installed into a fresh Pulumi
 * TypeScript project on Node 20 with @pulumi/pulumi 3.248 and TypeScript 5.9 from the npm cache,
 * then a `pulumi preview` of a one-Project program against posthog-local with the real engine.
 * test/compat runs the newest versions on Node 22; this is the oldest supported set.
 *
 * Needs `npm run build` first: the tarball holds `dist/`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { packProvider, runCommand, TYPESCRIPT_SPEC } from "../../scripts/compat";
import { repoRoot } from "../../scripts/lib/paths";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api, credentialsConfig, tearDown } from "../helpers/engine";

/** The oldest @pulumi/pulumi the peer range admits, the one the other end-to-end tests run. */
const OLDEST_SDK_SPEC = "@pulumi/pulumi@3.248";
const fixtureDir = path.join(__dirname, "program");

const lockSchema = z.object({
  packages: z.record(
    z.string(),
    z.object({
      version: z.string().optional(),
      hasInstallScript: z.boolean().optional(),
    }),
  ),
});

/** The folders the provider package publishes; everything else in the repository stays out. */
const PUBLISHED_DIRS = ["dist/sdk", "dist/provider"];

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(repoRoot(), dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(repoRoot(), path.join(entry.parentPath, entry.name)));
}

describe("the packed provider in a fresh Node 20 project", () => {
  let dir: string;
  let tarball: string;
  let userInstall: { stdout: string; stderr: string };
  let emulator: TestEmulator;
  let run: OfflineStack;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(repoRoot(), "dist", "sdk", "index.js")))
      throw new Error("dist/ is missing: run `npm run build` first (the tarball holds dist/)");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-posthog-package-"));
    for (const name of fs.readdirSync(fixtureDir)) {
      fs.copyFileSync(path.join(fixtureDir, name), path.join(dir, name));
    }
    // The project as `pulumi new typescript` leaves it. protobufjs (inside @pulumi/pulumi) has
    // a postinstall script this npm asks every Pulumi project to decide on once; the project has
    // decided, so any install-script notice below would come from pulumi-posthog.
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify(
        { name: "packaged-provider", private: true, allowScripts: { protobufjs: false } },
        null,
        2,
      ),
    );
    const npmInstall = (packages: string[]) =>
      runCommand("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...packages], {
        cwd: dir,
      });
    await npmInstall([OLDEST_SDK_SPEC, TYPESCRIPT_SPEC, "@types/node@20"]);
    tarball = await packProvider(dir);
    userInstall = await npmInstall([`./${tarball}`]);

    emulator = await startTestEmulator();
    run = await openOfflineStack({
      workDir: dir,
      config: { ...credentialsConfig(emulator), organizationId: { value: emulator.admin.organizationId } },
    });
  }, 900_000);

  afterAll(async () => {
    try {
      await tearDown(run, emulator, { destroy: false });
    } finally {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("npm runs on Node 20 and prints no warning installing pulumi-posthog", async () => {
    const { stdout } = await runCommand("node", ["--version"], { cwd: dir });
    expect(stdout.trim()).toMatch(/^v20\./);
    const output = `${userInstall.stdout}\n${userInstall.stderr}`;
    expect(output).toMatch(/added \d+ package/);
    expect(output).not.toMatch(/warn/i);
  });

  test("the tarball holds only the built sdk and provider, the README, the licence and package.json", async () => {
    const listing = (await runCommand("tar", ["-tzf", tarball], { cwd: dir })).stdout
      .trim()
      .split("\n")
      .map((entry) => entry.replace(/^package\//, ""));
    const expected = ["LICENSE", "README.md", "package.json", ...PUBLISHED_DIRS.flatMap(filesUnder)];
    expect([...listing].sort()).toEqual([...expected].sort());
    expect(listing.filter((file) => /^dist\/(emulator|test|bench|scripts|program)\//.test(file))).toEqual([]);
  });

  test("the install brings no server, no native build, no install script and no cookie@2", () => {
    const lock = lockSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")));
    const installed = Object.entries(lock.packages).filter(([location]) => location !== "");
    const names = installed.map(([location]) => location.replace(/^.*node_modules\//, ""));
    expect(names).toContain("pulumi-posthog");
    for (const absent of ["fastify", "better-sqlite3", "posthog-local", "commander"]) {
      expect(names).not.toContain(absent);
    }
    const cookies = installed.filter(([location]) => /(^|\/)cookie$/.test(location));
    expect(cookies.filter(([, entry]) => !entry.version?.startsWith("1."))).toEqual([]);
    // Only @pulumi/pulumi's protobufjs, which the project already decided on.
    const withScripts = installed
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([location]) => location.replace(/^.*node_modules\//, ""));
    expect(withScripts).toEqual(["protobufjs"]);
  });

  test("the program's type check reads the sdk's declarations and none of the provider's libraries", async () => {
    // Pulumi type-checks a TypeScript program with ts-node before every preview and up; what
    // the sdk's .d.ts files import is read and bound each time.
    const { stdout } = await runCommand("npx", ["tsc", "--noEmit", "--listFiles", "-p", "."], { cwd: dir });
    const files = stdout.trim().split("\n");
    expect(files.some((file) => file.endsWith("node_modules/pulumi-posthog/dist/sdk/index.d.ts"))).toBe(true);
    expect(
      files.filter((file) => /node_modules\/(zod|axios|axios-retry|tough-cookie|otplib)\//.test(file)),
    ).toEqual([]);
    expect(
      files.filter((file) => /pulumi-posthog\/dist\/provider\/(index|client|resources)/.test(file)),
    ).toEqual([]);
  });

  test("pulumi preview of a one-Project program plans the create against posthog-local", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(preview.stdout).toMatch(/Project\s+app\s+create/);
    expect(preview.stderr).not.toMatch(/warn/i);
    const projects = await api(
      emulator.url,
      emulator.admin.personalApiKey,
      "GET",
      `/api/organizations/${emulator.admin.organizationId}/projects/`,
    );
    expect(projects.status).toBe(200);
    expect(JSON.stringify(projects.body)).not.toContain("Packaged App");
  });
});
