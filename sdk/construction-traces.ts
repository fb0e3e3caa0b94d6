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
 *
 * Every other trace goes to the formatter untouched, including the error Pulumi keeps for a
 * registration the engine refuses: V8 formats that one when it is read, after the constructor
 * has put the formatter back. Without a formatter (a program compiled to JavaScript, or Node's
 * `--enable-source-maps`), V8 formats by itself, quickly, and nothing changes: the source
 * position is then this package's constructor, as it was before.
 */
import * as path from "node:path";

/** Top frames, by function name, of the traces Pulumi takes during a construction. */
const PROMISE_TRACE = "debuggablePromise";
const SOURCE_POSITION_TRACE = "callsites";

/** Read once, when the module loads, as Pulumi reads it (`runtime/debuggable`). */
const KEEP_PROMISE_TRACES = Boolean(process.env.PULUMI_DEBUG_PROMISE_LEAKS);

/** Whether the frame is in this package's sdk modules: the resource classes and their base. */
function inSdk(frame: NodeJS.CallSite): boolean {
  const file = frame.getFileName();
  // V8 gives native frames no file name.
  return file ? path.dirname(file) === __dirname : false;
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
    if (top === SOURCE_POSITION_TRACE)
      return formatter(
        error,
        frames.filter((frame) => !inSdk(frame)),
      );
    return formatter(error, frames);
  };
  return () => {
    Error.prepareStackTrace = formatter;
  };
}
