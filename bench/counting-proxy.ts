/**
 * A counting proxy for loopback: forwards every request to a PostHog API (posthog-local in
 * the bench and the tests) unchanged and counts them by method and route, ids replaced by
 * placeholders. The provider is pointed at the proxy's URL; nothing inside the product is
 * replaced.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  /** The proxy's base URL, to use as the provider's host. */
  readonly url: string;
  /** Requests since the last reset, by `METHOD /route/` (e.g. `GET /api/organizations/{org}/projects/`). */
  counts(): Record<string, number>;
  /** Requests since the last reset. */
  total(): number;
  /** Of those, answered 429. */
  throttled(): number;
  reset(): void;
  close(): Promise<void>;
}

/** `/api/organizations/<uuid>/projects/12/` becomes `/api/organizations/{org}/projects/{id}/`. */
export function routeOf(url: string): string {
  const pathname = new URL(url, "http://proxy").pathname;
  return pathname
    .replace(/\/organizations\/[0-9a-f-]{36}/g, "/organizations/{org}")
    .replace(/\/(projects|environments)\/\d+/g, "/$1/{id}");
}

/** Starts a counting proxy on an ephemeral loopback port in front of `target`. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let counts = new Map<string, number>();
  let throttled = 0;
  const server = http.createServer((req, res) => {
    const key = `${req.method ?? "GET"} ${routeOf(req.url ?? "/")}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const forward = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (answer.statusCode === 429) throttled++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b))),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    throttled: () => throttled,
    reset: () => {
      counts = new Map();
      throttled = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
