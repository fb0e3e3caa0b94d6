/**
 * An interrupted `up` recovers: the real engine runs test/fixtures/interrupted-e2e, the
 * `pulumi` CLI is killed with SIGKILL while posthog-local holds one of its requests (fault
 * injection with a `count`, so the kill point is the request, not a timer), and the
 * recovery the README and the preview message give is walked to a converged stack with
 * no orphan and no duplicate. Nothing the CLI started may outlive it.
 */
import { ChildProcess, spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { adminCall, api, createScaleOrganization, credentialsConfig, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "fixtures", "interrupted-e2e");
const PROJECTS_PATH = "^/api/organizations/[^/]+/projects/$";

/** The pids of every live descendant of `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z") parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

jest.setTimeout(900_000);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("an interrupted up recovers", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let orgId: string;
  const stackName = `interrupted-${process.pid}`;

  const key = () => emulator.admin.personalApiKey;
  const projectsNamed = async (name: string) => {
    const list = await api(emulator.url, key(), "GET", `/api/organizations/${orgId}/projects/`);
    return (list.body.results as Array<{ id: number; name: string }>).filter((p) => p.name === name);
  };

  /** Starts `pulumi up`, waits until posthog-local holds the faulted request, and SIGKILLs the CLI. */
  async function killUpWhileHeld(): Promise<number[]> {
    const child: ChildProcess = spawn(
      path.join(run.engine.binDir, "pulumi"),
      ["up", "--yes", "--skip-preview", "--stack", stackName, "--non-interactive"],
      { cwd: program, env: { ...process.env, ...run.env }, stdio: "ignore" },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    for (;;) {
      const faults = await adminCall(emulator.url, "GET", "/_admin/faults");
      if (faults.count === 0) break;
      if (child.exitCode !== null)
        throw new Error(`pulumi up ended (${child.exitCode}) before the held request`);
      await pause(50);
    }
    const started = descendants(child.pid as number);
    child.kill("SIGKILL");
    await exited;
    return started;
  }

  /** Every process the killed CLI had started ends by itself (the language host, the program, the provider). */
  async function expectNoneLeft(pids: number[]): Promise<void> {
    expect(pids.length).toBeGreaterThan(0);
    for (let waited = 0; pids.some(alive) && waited < 60_000; waited += 200) await pause(200);
    expect(pids.filter(alive)).toEqual([]);
  }

  /** The stack's pending operations, as `pulumi stack export` shows them. */
  async function pendingOperations(): Promise<Array<{ type: string; urn: string }>> {
    const state = await run.stack.exportStack();
    const ops = (state.deployment.pending_operations ?? []) as Array<{
      type: string;
      resource: { urn: string };
    }>;
    return ops.map((op) => ({ type: op.type, urn: op.resource.urn }));
  }

  async function expectConverged(count: number): Promise<void> {
    const up = await run.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 2 * count + 1 });
    expect(await pendingOperations()).toEqual([]);
    for (let i = 0; i < count; i++) expect(await projectsNamed(`Interrupted ${i}`)).toHaveLength(1);
  }

  beforeAll(async () => {
    emulator = await startTestEmulator();
    orgId = emulator.admin.organizationId;
    run = await openOfflineStack({
      workDir: program,
      stackName,
      config: {
        ...credentialsConfig(emulator),
        count: { value: "2" },
        organizationId: { value: orgId },
      },
    });
    const up = await run.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 5 });
  });

  afterAll(() => tearDown(run, emulator));

  test("killed after PostHog committed the create: the preview names the fix, which adopts the orphan", async () => {
    await run.stack.setConfig("count", { value: "3" });
    await adminCall(emulator.url, "PUT", "/_admin/faults", {
      latencyAfterCommitMs: 5_000,
      count: 1,
      methods: ["POST"],
      paths: PROJECTS_PATH,
    });
    const started = await killUpWhileHeld();
    await expectNoneLeft(started);

    const urn = `urn:pulumi:${stackName}::interrupted-e2e::pulumi-nodejs:dynamic/posthog:Project::project-2`;
    expect(await pendingOperations()).toEqual([{ type: "creating", urn }]);
    const [orphan] = await projectsNamed("Interrupted 2");
    expect(orphan).toBeDefined();

    // The lock the killed CLI held goes first; then the preview's message has the recovery.
    expect((await run.cli(["cancel", "--yes"])).code).toBe(0);
    const preview = await run.cli(["preview"]);
    expect(preview.code).not.toBe(0);
    const output = `${preview.stdout}${preview.stderr}`.replace(/\s+/g, " ");
    // The engine names the resource in front of the check failure; the provider adds the steps.
    expect(output).toMatch(
      new RegExp(
        `pulumi-nodejs:dynamic/posthog:Project resource 'project-2': property name value \\{Interrupted 2\\} has a problem: ` +
          // the rest of the same failure: no other resource's failure starts in between
          `There is already a project called "Interrupted 2" (?:(?! resource ').)*?` +
          escapeRegExp(
            `\`pulumi refresh --yes --clear-pending-creates\`, set existingProjectId: "${orphan.id}" on this resource, then \`pulumi up\`.`,
          ),
      ),
    );

    expect((await run.cli(["refresh", "--yes", "--clear-pending-creates"])).code).toBe(0);
    await run.stack.setConfig("existingProjectIds", { value: JSON.stringify({ "2": String(orphan.id) }) });
    await expectConverged(3);
    expect((await projectsNamed("Interrupted 2"))[0].id).toBe(orphan.id);
  });

  test("killed before PostHog created anything: clearing the pending create is enough", async () => {
    await run.stack.setConfig("count", { value: "4" });
    await adminCall(emulator.url, "PUT", "/_admin/faults", {
      latencyMs: 5_000,
      count: 1,
      methods: ["POST"],
      paths: PROJECTS_PATH,
    });
    const started = await killUpWhileHeld();
    await expectNoneLeft(started);
    // The held request's client is gone: wait out its latency so a late commit would show.
    await pause(6_000);
    expect(await projectsNamed("Interrupted 3")).toEqual([]);

    expect((await run.cli(["cancel", "--yes"])).code).toBe(0);
    expect((await run.cli(["refresh", "--yes", "--clear-pending-creates"])).code).toBe(0);
    await expectConverged(4);
  });

  /** Settles whatever the killed `up` left: the lock, then any pending create (none was made). */
  async function settle(): Promise<void> {
    expect((await run.cli(["cancel", "--yes"])).code).toBe(0);
    expect((await run.cli(["refresh", "--yes", "--clear-pending-creates"])).code).toBe(0);
  }

  test("killed during a token rotation after PostHog rotated: the next up converges", async () => {
    const before = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${orgId}/projects/${(await projectsNamed("Interrupted 1"))[0].id}/`,
    );
    await run.stack.setConfig("rotation", { value: "second" });
    await adminCall(emulator.url, "PUT", "/_admin/faults", {
      latencyAfterCommitMs: 5_000,
      count: 1,
      methods: ["PATCH"],
      paths: "/reset_token/?$",
    });
    await expectNoneLeft(await killUpWhileHeld());
    await settle();
    await expectConverged(4);
    // Rotated, by the killed run or by the recovery.
    const after = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${orgId}/projects/${before.body.id}/`,
    );
    expect(after.body.api_token).not.toBe(before.body.api_token);
  });

  test("killed during a move after PostHog moved the project: the next up converges", async () => {
    const targetId = await createScaleOrganization(emulator.url, key(), "Interrupted move target");
    const [moved] = await projectsNamed("Interrupted 0");
    await run.stack.setConfig("firstProjectOrganizationId", { value: targetId });
    await adminCall(emulator.url, "PUT", "/_admin/faults", {
      latencyAfterCommitMs: 5_000,
      count: 1,
      methods: ["POST"],
      paths: "/change_organization/?$",
    });
    await expectNoneLeft(await killUpWhileHeld());
    await settle();
    const up = await run.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect((await run.stack.preview()).changeSummary).toEqual({ same: 9 });
    const there = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${targetId}/projects/${moved.id}/`,
    );
    expect(there.status).toBe(200);
    expect(await projectsNamed("Interrupted 0")).toEqual([]);
  });
});
