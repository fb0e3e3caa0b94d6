/**
 * `serve --log`: one plain line per request, `METHOD /path STATUS`, written when the
 * response is sent. Only the method, the path without its query (query strings can carry
 * project tokens) and the status: never headers, bodies or cookies, which carry keys,
 * passwords and sessions.
 */
import type { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";

/** The log line of one request. */
export function requestLogLine(method: string, url: string, status: number): string {
  return `${method} ${url.split("?")[0]} ${status}\n`;
}

/** Writes one line per finished request to `stream`. */
export function registerRequestLog(app: FastifyInstance, stream: Writable): void {
  app.addHook("onResponse", async (request, reply) => {
    stream.write(requestLogLine(request.method, request.url, reply.statusCode));
  });
}
