/**
 * The edits layouts/local.yaml's comments name (issue 14, item 0), applied exactly as
 * written to the stack config `npm start` wrote, each followed by `npm start`: a move
 * between the two bootstrapped organizations, a token rotation and a new project.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bootstrap } from "posthog-local";
import { parseDocument } from "yaml";
import { repoRoot } from "../../scripts/lib/paths";

const root = repoRoot();
const stackName = `first-hour-start-${process.pid}`;
const stackConfig = path.join(root, `Pulumi.${stackName}.yaml`);
const localDir = fs.mkdtempSync(path.join(os.tmpdir(), "posthog-first-hour-"));

function runStart(): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    POSTHOG_LOCAL_DIR: localDir,
    PULUMI_POSTHOG_STACK: stackName,
  };
  for (const name of ["POSTHOG_HOST", "POSTHOG_API_KEY", "PULUMI_CONFIG_PASSPHRASE"]) delete env[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, "dist", "scripts", "start.js")],
      { cwd: root, env, timeout: 600_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Fails with what npm start printed, so a failed run says why. */
function expectSucceeded(result: { code: number; stdout: string; stderr: string }): void {
  if (result.code !== 0)
    throw new Error(`npm start exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

/** Edits the stack config as a user would, keeping its comments. */
function edit(change: (doc: ReturnType<typeof parseDocument>) => void): void {
  const doc = parseDocument(fs.readFileSync(stackConfig, "utf8"));
  change(doc);
  fs.writeFileSync(stackConfig, doc.toString());
}

/** The summary row of a project: id and organization key. */
function row(stdout: string, key: string): { id: string; organization: string } {
  const match = new RegExp(`^  ${key}\\s+(\\d+)\\s+(\\S+)`, "m").exec(stdout);
  if (!match) throw new Error(`no summary row for ${key} in:\n${stdout}`);
  return { id: match[1], organization: match[2] };
}

const projects = ["config", "posthog-layout:projects"];

afterAll(() => {
  fs.rmSync(stackConfig, { force: true });
  fs.rmSync(localDir, { recursive: true, force: true });
});

describe("the layout template's example edits, each as its comment says", () => {
  let internalToolsId: string;

  test("an npm start set up before the second organization existed bootstraps it and adds it to the layout", async () => {
    // What the previous npm start left: credentials with one organization, a layout without `second`.
    const old = bootstrap({
      dbPath: path.join(localDir, "posthog.sqlite"),
      email: "owner@example.com",
      password: "local-from-before",
      organizationName: "Local Organization",
      plan: "scale",
      scopes: ["*"],
    });
    fs.writeFileSync(path.join(localDir, "credentials.json"), JSON.stringify(old, null, 2));
    const oldLayout = parseDocument(fs.readFileSync(path.join(root, "layouts", "local.yaml"), "utf8"));
    oldLayout.deleteIn(["config", "posthog-layout:organizations", "second"]);
    oldLayout.setIn(["config", "posthog-layout:organizations", "main", "existingId"], old.organizationId);
    fs.writeFileSync(stackConfig, oldLayout.toString());

    const first = await runStart();
    expect(first.stderr).toBe("");
    expectSucceeded(first);
    expect(first.stdout).toContain("Bootstrapping posthog-local's second organization");
    const credentials = JSON.parse(fs.readFileSync(path.join(localDir, "credentials.json"), "utf8")) as {
      secondOrganizationId?: string;
    };
    expect(credentials.secondOrganizationId).toMatch(/^[0-9a-f-]{36}$/);
    const template = fs.readFileSync(path.join(root, "layouts", "local.yaml"), "utf8");
    expect(template).toContain("change `organization: main` to\n#     `organization: second`");
    const doc = parseDocument(fs.readFileSync(stackConfig, "utf8"));
    const main = doc.getIn(["config", "posthog-layout:organizations", "main", "existingId"]);
    const second = doc.getIn(["config", "posthog-layout:organizations", "second", "existingId"]);
    expect(main).toBe(old.organizationId);
    expect(second).toBe(credentials.secondOrganizationId);
    expect(second).not.toBe(main);
    expect(String(second)).not.toMatch(/^00000000-/);
    internalToolsId = row(first.stdout, "internal-tools").id;
    expect(row(first.stdout, "internal-tools").organization).toBe("main");
  });

  test("move: organization main -> second is one in-place update, same id", async () => {
    edit((doc) => doc.setIn([...projects, "internal-tools", "organization"], "second"));
    const moved = await runStart();
    expectSucceeded(moved);
    expect(moved.stdout).toContain("Applied: 1 update.");
    expect(row(moved.stdout, "internal-tools")).toEqual({ id: internalToolsId, organization: "second" });
  });

  test('rotation: tokenRotation "1" -> "2" replaces the token', async () => {
    expect(
      parseDocument(fs.readFileSync(stackConfig, "utf8")).getIn([
        ...projects,
        "internal-tools",
        "tokenRotation",
      ]),
    ).toBe("1");
    edit((doc) => doc.setIn([...projects, "internal-tools", "tokenRotation"], "2"));
    const rotated = await runStart();
    expectSucceeded(rotated);
    expect(rotated.stdout).toContain("Applied: 1 replace.");
  });

  test("a new project under posthog-layout:projects is created with its token", async () => {
    edit((doc) =>
      doc.setIn([...projects, "analytics"], doc.createNode({ organization: "second", name: "Analytics" })),
    );
    const added = await runStart();
    expectSucceeded(added);
    expect(added.stdout).toContain("Applied: 2 create.");
    expect(row(added.stdout, "analytics").organization).toBe("second");
  });
});
