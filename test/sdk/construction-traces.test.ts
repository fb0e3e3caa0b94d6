/**
 * The traces Pulumi takes while one of the sdk's resources is constructed
 * (`sdk/construction-traces.ts`): its per-promise debug traces are left empty instead of going
 * through the stack-trace formatter (under ts-node, source-map-support: the largest share of a
 * large program's CPU), and the source-position trace skips the sdk's own constructors, so the
 * position Pulumi records is the program's line, and ends at the program's outermost frame, so
 * the stack trace the engine stores leaves out how the program was started. Every other trace is
 * formatted as before, such as the error Pulumi keeps for a registration the engine refuses.
 *
 * The resources run in a child `node` under Pulumi's mocks (as in outputs.test.ts), from the
 * built package, with source-map-support installed as ts-node installs it, or with Node's own
 * formatter alone, as for a program run without ts-node.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { RESOURCE_KINDS } from "../../provider/kinds";
import { formatConstructionTraces } from "../../sdk/construction-traces";

const run = promisify(execFile);
const root = join(__dirname, "..", "..");
const program = join(__dirname, "construction-traces-program.js");
/** Where the child program's resources are constructed: the program's line, as far as Pulumi knows. */
const constructedIn = join(__dirname, "minimal-resources.js");

interface Construction {
  counts: Record<string, number>;
  /** The files of the source-position trace's frames, top first ("" for a native frame). */
  sourcePositionTrace: string[];
  formatterRestored: boolean;
}
type Report = Record<string, Construction> & { refused: { message: string; stack: string } };

/** The first frame's file past Pulumi's own frames. */
function pastPulumi(trace: string[]): string | undefined {
  return trace.find((file) => !file.includes("@pulumi"));
}

async function runProgram(env: NodeJS.ProcessEnv): Promise<Report> {
  const { stdout } = await run("node", [program], {
    cwd: root,
    env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "", ...env },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as Report;
}

/** The child program's report for `env`, run once per environment and shared by the tests. */
const reports = new Map<string, Promise<Report>>();
function construct(env: NodeJS.ProcessEnv = {}): Promise<Report> {
  const key = JSON.stringify(env);
  let report = reports.get(key);
  if (!report) {
    report = runProgram(env);
    reports.set(key, report);
  }
  return report;
}

/** The formatters the checks run under: ts-node's, and Node's own when ts-node is not there. */
const FORMATTERS: [string, NodeJS.ProcessEnv][] = [
  ["source-map-support, as ts-node installs it", {}],
  ["Node's own formatter, as without ts-node", { NODE_FORMATTER: "1" }],
];

test.each(FORMATTERS)(
  "under %s, constructing a resource formats no promise trace, and the source position is the program's line",
  async (_, env) => {
    const report = await construct(env);
    // The control: a plain dynamic resource has Pulumi format a trace per promise.
    expect(report.plain.counts.debuggablePromise).toBeGreaterThan(20);
    for (const kind of RESOURCE_KINDS) {
      const { counts, sourcePositionTrace, formatterRestored } = report[kind];
      expect({ kind, promiseTraces: counts.debuggablePromise ?? 0 }).toEqual({ kind, promiseTraces: 0 });
      // Pulumi's `Resource.callsites`, formatted once, and past Pulumi's frames comes the program.
      expect({ kind, sourcePositionTraces: counts.callsites }).toEqual({ kind, sourcePositionTraces: 1 });
      expect({ kind, next: pastPulumi(sourcePositionTrace) }).toEqual({ kind, next: constructedIn });
      expect({ kind, restored: formatterRestored }).toEqual({ kind, restored: true });
    }
  },
);

test.each(FORMATTERS)(
  "under %s, the source-position trace ends at the program's outermost frame",
  async (_, env) => {
    const report = await construct(env);
    // The control: below the program, Node's module loader started it.
    expect(report.plain.sourcePositionTrace.at(-1)).toMatch(/^node:internal\//);
    for (const kind of RESOURCE_KINDS) {
      const trace = report[kind].sourcePositionTrace;
      expect({ kind, last: trace.at(-1) }).toEqual({ kind, last: program });
      // Only the end is cut: between Pulumi's frames and the program's, nothing is left out.
      expect({ kind, frames: trace.slice(trace.indexOf(constructedIn)) }).toEqual({
        kind,
        frames: [constructedIn, program, program],
      });
    }
  },
);

test("the error of a refused registration keeps its trace down to the program's line", async () => {
  const { refused } = await construct();
  expect(refused.message).toContain("failed to register new resource refused");
  // Formatted by source-map-support after the constructor: mapped to the sdk's source, and
  // reaching the line of the program that constructed the resource.
  expect(refused.stack).toMatch(/at new Project \(.*sdk[/\\]project\.ts:\d+:\d+\)/);
  expect(refused.stack).toContain(`${program}:`);
});

test("with PULUMI_DEBUG_PROMISE_LEAKS set, Pulumi gets its promise traces", async () => {
  const report = await construct({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
  for (const kind of RESOURCE_KINDS) expect(report[kind].counts.debuggablePromise).toBeGreaterThan(10);
});

describe("formatConstructionTraces", () => {
  const installed: typeof Error.prepareStackTrace | undefined = Error.prepareStackTrace;
  /** Node's types declare the formatter as always there; V8 formats by itself when it is not. */
  function install(formatter: typeof Error.prepareStackTrace | undefined): void {
    if (formatter) Error.prepareStackTrace = formatter;
    else Reflect.deleteProperty(Error, "prepareStackTrace");
  }
  afterEach(() => install(installed));

  // Named as Pulumi's function is: the formatter tells traces apart by their top frame.
  function debuggablePromise(): string | undefined {
    return new Error("promise").stack;
  }
  function elsewhere(): string | undefined {
    return new Error("other").stack;
  }
  const frameFiles = (error: Error, frames: NodeJS.CallSite[]): string =>
    `${error.message}: ${frames.map((frame) => frame.getFileName()).join(" ")}`;

  test("empties the promise traces, leaves others alone, and puts the formatter back", () => {
    const formatter = jest.fn(frameFiles);
    install(formatter);
    const restore = formatConstructionTraces();
    expect(debuggablePromise()).toBe("");
    expect(elsewhere()).toMatch(/^other: /);
    restore();
    expect(Error.prepareStackTrace).toBe(formatter);
    expect(debuggablePromise()).toMatch(/^promise: /);
  });

  test("leaves V8's own formatting alone when no formatter is installed", () => {
    install(undefined);
    const restore = formatConstructionTraces();
    expect(Error.prepareStackTrace).toBeUndefined();
    expect(debuggablePromise()).toContain("at debuggablePromise");
    restore();
    expect(Error.prepareStackTrace).toBeUndefined();
  });
});
