import { buildApp } from "./app";
import type { EmulatorOptions, RunningEmulator } from "./options";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

/** Starts posthog-local on a loopback address; port 0 picks a free port, reported in `url`. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(
      `posthog-local only listens on loopback addresses (127.0.0.1, ::1, localhost), not ${host}.`,
    );
  }
  const app = buildApp(options);
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === "string")
    throw new Error("posthog-local: unexpected server address");
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () => {
      closed ??= app.close();
      return closed;
    },
  };
}
