/**
 * How the provider's failures reach the user: once, as the engine prints them, without
 * JavaScript stack frames.
 *
 * The Node dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`) writes
 * `${err}: ${err.stack}` to stderr before it passes a failed check, diff, read or delete
 * to the engine, and the engine relays that stderr as a diagnostic of its own: the
 * message a second time, with 10 to 20 frames down into grpc-js. Every message this
 * provider throws is already complete (what, to what, PostHog's words, the fix), so the
 * frames only bury it. {@link quiet} gives an error a marker stack, and the filter below
 * drops exactly the host's line that carries that marker; the engine still gets the
 * message through gRPC and prints it with the resource it belongs to.
 */

/** `PULUMI_POSTHOG_DEBUG=true` keeps the stacks, for debugging the provider itself. */
const QUIET_STACK = "(stack hidden; PULUMI_POSTHOG_DEBUG=true shows it)";

let filterInstalled = false;

function installFilter(): void {
  if (filterInstalled) return;
  filterInstalled = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    // The host's exact shape: one string, the error and its stack joined by ": ".
    if (args.length === 1 && typeof args[0] === "string" && args[0].endsWith(`: ${QUIET_STACK}`)) return;
    original(...args);
  };
}

/** Marks an error so the host prints no stack for it; returns the same object (class and fields kept). */
export function quiet<E>(err: E): E {
  if (err instanceof Error && process.env.PULUMI_POSTHOG_DEBUG !== "true") {
    err.stack = QUIET_STACK;
    installFilter();
  }
  return err;
}
