/**
 * Warnings from the provider process to the Pulumi engine, so that they show in `pulumi up`.
 *
 * `pulumi.log` is not connected in the Node dynamic provider host (`@pulumi/pulumi/cmd/
 * dynamic-provider`): it only connects in the program's process. The host is started with the
 * engine's address as its first argument, and the engine serves its Log service there, so a
 * warning is one `Log` call. The dynamic provider interface never sees a resource's URN: the
 * engine attributes a message without one to the stack, so every message names its resource.
 * Outside the host (provider code called directly, as unit tests do) the warning goes to stderr.
 */
import { createRequire } from "node:module";
import type * as grpc from "@grpc/grpc-js";
import type * as EngineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as EngineProto from "@pulumi/pulumi/proto/engine_pb";

const HOST_SCRIPT = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/;

interface EngineLink {
  readonly client: EngineGrpc.EngineClient;
  readonly proto: typeof EngineProto;
}

let link: EngineLink | null | undefined;

/**
 * Unlike the engine's own `warning: ` prefix, so that a test of `pulumi up`'s output can tell a
 * warning the engine received from one that only reached stderr.
 */
export const FALLBACK_PREFIX = "pulumi-posthog warning (stderr): ";

/** The engine's address when this process is the dynamic provider host, else undefined. */
export function engineAddress(argv: readonly string[] = process.argv): string | undefined {
  if (!HOST_SCRIPT.test(argv[1] ?? "")) return undefined;
  // The engine may pass flags (logging, tracing) before the address.
  return argv.slice(2).find((arg) => /^[\w.[\]:-]+:\d+$/.test(arg));
}

/** The host's own copies of the gRPC modules: the engine client must share the host's grpc-js. */
function connect(): EngineLink | null {
  const address = engineAddress();
  if (!address) return null;
  const hostRequire = createRequire(process.argv[1]);
  const grpcJs = hostRequire("@grpc/grpc-js") as typeof grpc;
  const services = hostRequire("../../proto/engine_grpc_pb") as typeof EngineGrpc;
  const proto = hostRequire("../../proto/engine_pb") as typeof EngineProto;
  return { client: new services.EngineClient(address, grpcJs.credentials.createInsecure()), proto };
}

/**
 * Sends a warning to the engine (or to stderr outside the host). Never throws: a warning that
 * cannot be delivered must not fail the operation it is about, so it falls back to stderr.
 */
export async function warn(message: string): Promise<void> {
  if (link === undefined) {
    try {
      link = connect();
    } catch {
      link = null;
    }
  }
  if (!link) {
    console.error(`${FALLBACK_PREFIX}${message}`);
    return;
  }
  const { client, proto } = link;
  const request = new proto.LogRequest();
  request.setSeverity(proto.LogSeverity.WARNING);
  request.setMessage(message);
  await new Promise<void>((resolve) => {
    client.log(request, (error) => {
      if (error) console.error(`${FALLBACK_PREFIX}${message}`);
      resolve();
    });
  });
}
