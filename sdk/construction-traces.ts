/**
 * The stack traces Pulumi takes while one of this package's resources is constructed.
 *
 * - Pulumi's program side gives every output of a resource four promises and wraps each one in
 *   `debuggablePromise` (`@pulumi/pulumi/runtime/debuggable`), which reads `new Error().stack`
 *   at once to keep a trace for its promise-leak report. Reading `.stack` formats the trace
 *   there and then, and under ts-node (how `pulumi` runs a TypeScript program unless told
 *   otherwise) formatting goes through source-map-support's `Error.prepareStackTrace`, which
 *   maps every frame through its source map. With a project's eight outputs and a token's six,
 *   that was a fifth of a no-change preview's program CPU for 300 projects with their tokens.
 *   Pulumi prints those traces only when `PULUMI_DEBUG_PROMISE_LEAKS` is set, so otherwise
 *   they are left empty.
 * - Pulumi records a resource's source position (`Resource.callsites`: the state's
 *   `sourcePosition`, the engine's stack trace of the registration) by skipping a fixed number
 *   of frames, as many as a provider's generated class has. This package's classes add their
 *   own constructors on top, so the position was this package's code, not the program's line.
 *   Their frames are taken out of that trace.
 * - The same trace is the stack trace the engine stores with the resource. Below the program's
 *   outermost frame it holds how the program was started (Node's module loader, ts-node, Pulumi's
 *   `run`): a dozen frames, the same for every resource, about 430 of a resource's 2,900 bytes of
 *   state. The engine rewrites the whole state after every step of an update, so for a stack of
 *   hundreds of resources those frames were most of what `up` spent beyond a minimal dynamic
 *   resource. They are cut off: the trace ends at the program's outermost frame.
 *
 * Every other trace goes to the formatter untouched, including the error Pulumi keeps for a
 * registration the engine refuses: V8 formats that one when it is read, after the constructor
 * has put the formatter back. Node 20.20 installs its own formatter (which also applies
 * `--enable-source-maps`), so a program run without ts-node (`typescript: false`) is wrapped the
 * same way. Where no formatter is installed at all (older Node releases, without ts-node), V8
 * formats by itself, quickly, and nothing changes: the source position is then this package's
 * constructor and the stored trace keeps its end.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** Top frames, by function name, of the traces Pulumi takes during a construction. */
const PROMISE_TRACE = "debuggablePromise";
const SOURCE_POSITION_TRACE = "callsites";

/** Read once, when the module loads, as Pulumi reads it (`runtime/debuggable`). */
const KEEP_PROMISE_TRACES = Boolean(process.env.PULUMI_DEBUG_PROMISE_LEAKS);

/** The frame's file as a path, or undefined for a native frame (V8 gives it no file name). */
function frameFile(frame: NodeJS.CallSite): string | undefined {
  const name = frame.getFileName();
  if (!name) return undefined;
  // An ES module's frames name a file URL.
  return name.startsWith("file:") ? fileURLToPath(name) : name;
}

/** Whether the frame is in this package's sdk modules: the resource classes and their base. */
function inSdk(frame: NodeJS.CallSite): boolean {
  const file = frameFile(frame);
  return file !== undefined && path.dirname(file) === __dirname;
}

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/**
 * Whether the frame is the program's own code: a file outside every `node_modules` folder. Node's
 * built-in modules (`node:` files), native frames and installed packages (ts-node, Pulumi, a
 * component library) are not.
 */
function inProgram(frame: NodeJS.CallSite): boolean {
  const file = frameFile(frame);
  return file !== undefined && path.isAbsolute(file) && !file.includes(NODE_MODULES);
}

/**
 * The source-position trace as Pulumi should see it: without the sdk's frames, and ending at the
 * program's outermost frame. A trace with no frame of the program (a program installed as a
 * package) keeps its end.
 */
function programTrace(frames: NodeJS.CallSite[]): NodeJS.CallSite[] {
  const kept = frames.filter((frame) => !inSdk(frame));
  let end = kept.length;
  while (end > 0 && !inProgram(kept[end - 1])) end--;
  return end > 0 ? kept.slice(0, end) : kept;
}

/**
 * Puts in the formatter for the construction of a resource; call the function it returns in a
 * `finally`, right after the construction.
 */
export function formatConstructionTraces(): () => void {
  const formatter = Error.prepareStackTrace;
  if (formatter === undefined) return () => {};
  Error.prepareStackTrace = (error, frames) => {
    const top = frames[0]?.getFunctionName();
    if (top === PROMISE_TRACE && !KEEP_PROMISE_TRACES) return "";
    if (top === SOURCE_POSITION_TRACE) return formatter(error, programTrace(frames));
    return formatter(error, frames);
  };
  return () => {
    Error.prepareStackTrace = formatter;
  };
}
