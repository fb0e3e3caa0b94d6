/**
 * `npm run bench`: figures this project tracks. It reports; it never fails on a number.
 *
 * 1. The serialized provider: bytes of `__provider` per resource kind (every resource
 *    of a stack carries one copy in its inputs and one in its outputs).
 * 2. posthog-local: project creates and reads over loopback (latency percentiles,
 *    requests per second) and the server process's memory.
 * 3. The client: listing a large organization through pagination.
 * 4. The real engine: `up` of the standard layout, then a no-change `preview`.
 * 5. Issue 11, for each size in BENCH_SIZES (default 100 and 300 projects, each with its
 *    ProjectToken): requests per operation through a counting proxy, `up`/`preview`/`destroy`
 *    wall time and the Pulumi processes' CPU time as ratios to a floor of as many do-nothing
 *    dynamic resources on the same engine, state bytes per resource. posthog-local runs with
 *    PostHog's limits (480 a minute, 4,800 an hour), so the largest `up` is also the
 *    rate-limited one: its 429 answers are reported.
 *    Wall times are medians of BENCH_REPEATS runs (default 3); BENCH_ONLY=layout runs only this.
 *
 * Request loops are bounded in count and only target loopback.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bootstrap, BootstrapResult, startEmulator } from "posthog-local";
import { openCountedStack } from "./counted-stack";
import type { CountingProxy } from "./counting-proxy";
import { createClient } from "../provider/client";
import { providerStub, ResourceKind } from "../sdk/provider-stub";
import type { Stack } from "@pulumi/pulumi/automation";
import { openOfflineStack } from "../scripts/lib/offline";
import { repoRoot } from "../scripts/lib/paths";

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 300);
const READS = Number(process.env.BENCH_READS ?? 1000);
const SIZES = (process.env.BENCH_SIZES ?? "100,300").split(",").map(Number);
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
/** Only the layout part (issue 11's figures), for iterating on them: BENCH_ONLY=layout. */
const ONLY_LAYOUT = process.env.BENCH_ONLY === "layout";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(name: string, value: string): void {
  console.log(`${name.padEnd(52)} ${value}`);
}

async function timed(samples: number[], work: () => Promise<unknown>): Promise<void> {
  const start = process.hrtime.bigint();
  await work();
  samples.push(Number(process.hrtime.bigint() - start) / 1e6);
}

function latency(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return `p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms, ${((samples.length * 1000) / total).toFixed(0)} req/s`;
}

async function serializedProvider(): Promise<void> {
  for (const kind of ["Organization", "Project", "ProjectToken"] as ResourceKind[]) {
    const provider = providerStub(kind);
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    report(`__provider size, ${kind}`, `${Buffer.byteLength(serialized.text)} bytes`);
  }
}

/** A fresh posthog-local database with an owner of a multi-project organization. */
function benchDatabase(dir: string, file: string): { dbPath: string; admin: BootstrapResult } {
  const dbPath = path.join(dir, file);
  const admin = bootstrap({
    dbPath,
    email: "bench@example.com",
    password: "bench-password-1",
    organizationName: "Bench",
    plan: "scale",
  });
  return { dbPath, admin };
}

async function emulatorAndClient(dir: string): Promise<void> {
  const { dbPath, admin } = benchDatabase(dir, "bench.sqlite");
  const rssBefore = process.memoryUsage().rss;
  const server = await startEmulator({ dbPath, rateLimit: false });
  try {
    const headers = { authorization: `Bearer ${admin.personalApiKey}`, "content-type": "application/json" };
    const creates: number[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      await timed(creates, async () => {
        const response = await fetch(`${server.url}/api/organizations/${admin.organizationId}/projects/`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name: `Bench project ${i}` }),
        });
        if (response.status !== 201) throw new Error(`create answered ${response.status}`);
        await response.arrayBuffer();
      });
    }
    report(`posthog-local: create project (${PROJECTS}x)`, latency(creates));

    const reads: number[] = [];
    for (let i = 0; i < READS; i++) {
      await timed(reads, async () => {
        const response = await fetch(
          `${server.url}/api/organizations/${admin.organizationId}/projects/${admin.defaultProjectId}/`,
          { headers },
        );
        await response.arrayBuffer();
      });
    }
    report(`posthog-local: read project (${READS}x)`, latency(reads));
    report(
      "posthog-local: RSS growth of the process",
      `${((process.memoryUsage().rss - rssBefore) / 1048576).toFixed(1)} MiB`,
    );

    const client = createClient({ host: server.url, apiKey: admin.personalApiKey });
    const lists: number[] = [];
    let count = 0;
    for (let i = 0; i < 5; i++) {
      await timed(lists, async () => {
        count = (await client.projects.list(admin.organizationId)).length;
      });
    }
    report(`client: list ${count} projects (paginated, 5x)`, latency(lists));
  } finally {
    await server.close();
  }
}

async function engine(dir: string): Promise<void> {
  const { dbPath, admin } = benchDatabase(dir, "engine.sqlite");
  const server = await startEmulator({ dbPath });
  const run = await openOfflineStack({
    workDir: path.join(repoRoot(), "examples", "standard-layout"),
    stackName: `bench-${process.pid}`,
    env: {
      POSTHOG_HOST: server.url,
      POSTHOG_API_KEY: admin.personalApiKey,
      POSTHOG_EMAIL: admin.email,
      POSTHOG_PASSWORD: admin.password,
    },
    config: { organizationId: { value: admin.organizationId }, protectProduction: { value: "false" } },
  });
  try {
    const up = await seconds(() => run.stack.up());
    report("engine: up of the standard layout (3 projects, 3 tokens)", `${up.s.toFixed(1)} s`);
    const preview = await seconds(() => run.stack.preview());
    report("engine: preview with no changes", `${preview.s.toFixed(1)} s`);
    const state = JSON.stringify(await run.stack.exportStack());
    report(
      "engine: exported state of the standard layout",
      `${(Buffer.byteLength(state) / 1024).toFixed(1)} KiB`,
    );
    await run.stack.destroy();
  } finally {
    await run.dispose();
    await server.close();
  }
}

/**
 * CPU seconds of this process's finished child processes and theirs (`cutime` + `cstime` of
 * /proc/self/stat, in the kernel's 100 ticks a second), or undefined off Linux. An Automation
 * API operation runs the `pulumi` CLI as a child, which waits for its language host, the
 * program and the provider process, so the difference over one operation is the CPU of the
 * Pulumi side alone: posthog-local and the counting proxy run in this process and are not in it.
 */
function childrenCpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** Wall seconds of `work` and the CPU seconds of the Pulumi processes it ran (see above). */
async function seconds<T>(work: () => Promise<T>): Promise<{ value: T; s: number; cpu?: number }> {
  const cpuBefore = childrenCpuSeconds();
  const start = process.hrtime.bigint();
  const value = await work();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  return {
    value,
    s,
    cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** "12.3 s (11.9 to 13.0)": the median of the repetitions and their range. */
function spread(values: number[]): string {
  const range =
    values.length > 1 ? ` (${Math.min(...values).toFixed(1)} to ${Math.max(...values).toFixed(1)})` : "";
  return `${median(values).toFixed(1)} s${range}`;
}

/** The requests the proxy counted since its last reset, by route, and how many met a 429. */
function countsLine(proxy: CountingProxy): string {
  const parts = Object.entries(proxy.counts()).map(([route, n]) => `${n} ${route}`);
  const throttled = proxy.throttled() > 0 ? `; ${proxy.throttled()} answered 429 and were sent again` : "";
  return `${proxy.total()}${parts.length > 0 ? ` (${parts.join(", ")}${throttled})` : ""}`;
}

type Walls = { up: number; preview: number; destroy: number };

/** Wall times, and the CPU seconds of the Pulumi processes of the same operations (Linux only). */
type Timed = Walls & { cpu?: Walls };

type Timing = { s: number; cpu?: number };

/** The wall times of the three operations, and their CPU figures when all three have one. */
function operationTimes(up: Timing, preview: Timing, destroy: Timing): Timed {
  const walls = { up: up.s, preview: preview.s, destroy: destroy.s };
  return up.cpu === undefined || preview.cpu === undefined || destroy.cpu === undefined
    ? walls
    : { ...walls, cpu: { up: up.cpu, preview: preview.cpu, destroy: destroy.cpu } };
}

/** State bytes per resource (the stack's own resource counted) of a stack as exported. */
async function stateBytesPerResource(stack: Stack, resources: number): Promise<number> {
  return Math.round(Buffer.byteLength(JSON.stringify(await stack.exportStack())) / (resources + 1));
}

/** The floor: 2n do-nothing dynamic resources shaped like n projects with their tokens. */
async function floor(n: number): Promise<Timed & { stateBytesPerResource: number }> {
  const workDir = path.join(repoRoot(), "bench", "floor");
  const stackName = `floor-${n}-${process.pid}`;
  const run = await openOfflineStack({ workDir, stackName, config: { projects: { value: String(n) } } });
  try {
    const up = await seconds(() => run.stack.up());
    const state = await stateBytesPerResource(run.stack, 2 * n);
    const preview = await seconds(() => run.stack.preview());
    const destroy = await seconds(() => run.stack.destroy());
    return { ...operationTimes(up, preview, destroy), stateBytesPerResource: state };
  } finally {
    await run.dispose();
  }
}

/** What one run of the layout measured: wall times, and requests per operation. */
interface LayoutRun extends Timed {
  requests: Record<string, string>;
  perProject: number;
  perResourceDestroy: number;
  throttled: number;
  stateBytesPerResource: number;
}

/**
 * n projects with their tokens through a counting proxy, on a fresh posthog-local with
 * PostHog's limits (480/minute, 4,800/hour): fresh, so one repetition's requests never eat
 * into the next one's budget.
 */
async function layoutRun(dir: string, n: number, repetition: number): Promise<LayoutRun> {
  const { dbPath, admin } = benchDatabase(dir, `layout-${n}-${repetition}.sqlite`);
  const server = await startEmulator({ dbPath });
  const stackName = `bench-${n}-${process.pid}`;
  const { proxy, run } = await openCountedStack({
    target: server.url,
    admin,
    projects: n,
    stackName,
    session: true,
  });
  const requests: Record<string, string> = {};
  try {
    const up = await seconds(() => run.stack.up());
    requests.up = countsLine(proxy);
    const perProject = proxy.total() / n;
    const throttled = proxy.throttled();
    const stateBytes = await stateBytesPerResource(run.stack, 2 * n);

    proxy.reset();
    const preview = await seconds(() => run.stack.preview());
    requests.preview = countsLine(proxy);
    proxy.reset();
    await run.stack.up();
    requests["no-change up"] = countsLine(proxy);
    proxy.reset();
    await run.stack.refresh();
    requests.refresh = countsLine(proxy);
    await run.stack.setConfig("renamed", { value: "Renamed project" });
    proxy.reset();
    await run.stack.up();
    requests["rename one project"] = countsLine(proxy);
    proxy.reset();
    const destroy = await seconds(() => run.stack.destroy());
    requests.destroy = countsLine(proxy);
    const perResourceDestroy = proxy.total() / (2 * n);
    return {
      ...operationTimes(up, preview, destroy),
      requests,
      perProject,
      perResourceDestroy,
      throttled,
      stateBytesPerResource: stateBytes,
    };
  } finally {
    await run.dispose();
    await proxy.close();
    await server.close();
  }
}

/**
 * The layout of n projects against the floor, REPEATS times, floor and layout in turns so
 * that a slow spell of the machine hits both; wall times are the medians, ratios are of the
 * medians.
 */
async function layout(dir: string, n: number): Promise<void> {
  const label = `${n} projects + ${n} tokens`;
  const floors: (Timed & { stateBytesPerResource: number })[] = [];
  const runs: LayoutRun[] = [];
  for (let r = 0; r < REPEATS; r++) {
    floors.push(await floor(n));
    runs.push(await layoutRun(dir, n, r));
  }
  const first = runs[0];
  const walls = (from: Walls[], op: keyof Walls) => from.map((w) => w[op]);
  report(
    `floor (${2 * n} do-nothing resources): up / preview / destroy`,
    (["up", "preview", "destroy"] as const).map((op) => spread(walls(floors, op))).join(" / "),
  );
  report(`${label}: up, requests`, `${first.requests.up}, ${first.perProject.toFixed(2)} per project`);
  report(`${label}: up, 429 answers (480/min, 4,800/h)`, runs.map((r) => String(r.throttled)).join(" / "));
  for (const op of ["up", "preview", "destroy"] as const) {
    const ratio = median(walls(runs, op)) / median(walls(floors, op));
    report(
      `${label}: ${op === "preview" ? "no-change preview" : op}, wall time`,
      `${spread(walls(runs, op))}, ${ratio.toFixed(2)}x the floor`,
    );
  }
  // CPU varies far less than wall time on a shared machine, and leaves out posthog-local, which
  // stands in for PostHog's servers but shares this machine's cores.
  const cpus = (from: Timed[]) => from.map((t) => t.cpu).filter((c): c is Walls => c !== undefined);
  if (cpus(runs).length === runs.length && cpus(floors).length === floors.length) {
    for (const op of ["up", "preview", "destroy"] as const) {
      const ratio = median(walls(cpus(runs), op)) / median(walls(cpus(floors), op));
      report(
        `${label}: ${op === "preview" ? "no-change preview" : op}, CPU of the Pulumi processes`,
        `${spread(walls(cpus(runs), op))} (the floor: ${spread(walls(cpus(floors), op))}), ${ratio.toFixed(2)}x`,
      );
    }
  }
  // The engine rewrites the whole state after every step, so its size drives `up` and `destroy`.
  report(
    `${label}: state bytes per resource`,
    `${first.stateBytesPerResource} bytes (the floor: ${floors[0].stateBytesPerResource})`,
  );
  for (const op of ["preview", "no-change up", "refresh", "rename one project"]) {
    report(`${label}: ${op === "preview" ? "no-change preview" : op}, requests`, first.requests[op]);
  }
  report(
    `${label}: destroy, requests`,
    `${first.requests.destroy}, ${first.perResourceDestroy.toFixed(2)} per resource`,
  );
  // Requests are deterministic but for 429s: another process's requests (the operation before)
  // still count in PostHog's minute, and the pacer of a new provider process cannot know them.
  for (const [i, run] of runs.entries()) {
    for (const [op, line] of Object.entries(run.requests)) {
      if (line !== first.requests[op]) report(`${label}: ${op} requests differ in repetition ${i + 1}`, line);
    }
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-posthog-bench-"));
  console.log(`pulumi-posthog benchmarks (${os.cpus().length} cores, Node ${process.version})`);
  try {
    await serializedProvider();
    if (!ONLY_LAYOUT) {
      await emulatorAndClient(dir);
      await engine(dir);
    }
    for (const n of SIZES) await layout(dir, n);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
