/**
 * Ends the dynamic provider process when the engine that started it is gone.
 *
 * Why: the Node dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`) serves
 * gRPC until it is told to stop and never checks on the engine, and the plugin script
 * that starts it runs node under `sh`, so a `pulumi` CLI killed with SIGKILL leaves
 * both behind for good (the engine's Go plugins watch the engine for this reason:
 * `rpcutil.Healthcheck`). The host passes the engine's address as its argument; while
 * nothing answers there any more, nobody can call this process again.
 */
import { connect } from "node:net";

/** How often the engine's address is tried; cheap (one loopback connection). */
const EVERY_MS = 2_000;

let watching = false;

/** The engine's `host:port` among the host's arguments, if this process is the dynamic provider host. */
export function engineAddressOf(argv: readonly string[]): { host: string; port: number } | undefined {
  if (!/[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(argv[1] ?? "")) return undefined;
  for (const arg of argv.slice(2).reverse()) {
    const match = /^(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(arg);
    if (match) return { host: match[1].replace(/^\[|\]$/g, ""), port: Number(match[2]) };
  }
  return undefined;
}

/** Whether this process is the Node dynamic provider host the engine started. */
export function inProviderHost(argv: readonly string[] = process.argv): boolean {
  return engineAddressOf(argv) !== undefined;
}

/** Whether something accepts connections at the address. */
function answers(address: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * In the dynamic provider host, exits the process once the engine no longer accepts
 * connections; elsewhere (the program, tests) does nothing. Idempotent, and never
 * keeps the process alive by itself.
 */
export function exitWhenEngineGone(argv: readonly string[] = process.argv): void {
  const address = engineAddressOf(argv);
  if (watching || !address) return;
  watching = true;
  const timer = setInterval(() => {
    void answers(address).then((alive) => {
      if (!alive) process.exit(1);
    });
  }, EVERY_MS);
  timer.unref();
}
