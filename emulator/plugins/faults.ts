import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { ApiError, errors, sendError } from "../http/errors";
import type { FaultOptions } from "../options";

export const FaultOptionsSchema = z
  .object({
    errorRate: z.number().min(0).max(1).optional(),
    errorStatus: z.number().int().min(400).max(599).optional(),
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    dropResponseAfterCommit: z.number().min(0).max(1).optional(),
    paths: z
      .string()
      .refine((p) => {
        try {
          new RegExp(p);
          return true;
        } catch {
          return false;
        }
      }, "Not a valid regular expression.")
      .optional(),
  })
  .strict();

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const dropFlag = Symbol("dropAfterCommit");

function injectedError(status: number): ApiError {
  if (status === 429) return errors.throttled(1);
  if (status === 503) return errors.serviceUnavailable();
  if (status === 500) return errors.server();
  return new ApiError(status, {
    type: status < 500 ? "invalid_request" : "server_error",
    code: "injected_fault",
    detail: `Injected fault (HTTP ${status}).`,
    attr: null,
  });
}

function applies(faults: FaultOptions, request: FastifyRequest): boolean {
  if (request.url.startsWith("/_admin")) return false;
  if (!faults.paths) return true;
  return new RegExp(faults.paths).test(request.url.split("?")[0]);
}

/**
 * Test-only faults, read from `ctx.faults` on every request so `PUT /_admin/faults` takes effect
 * at once. Errors are injected before the request touches data; a dropped response happens only
 * after a successful change was committed, which is what makes a client's retry ambiguous.
 */
export function registerFaults(app: FastifyInstance, ctx: EmulatorContext): void {
  app.addHook("onRequest", async (request, reply) => {
    const faults = ctx.faults;
    if (!applies(faults, request)) return;
    if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.errorRate && Math.random() < faults.errorRate) {
      return sendError(reply, injectedError(faults.errorStatus ?? 500));
    }
    if (
      faults.dropResponseAfterCommit &&
      UNSAFE.has(request.method) &&
      Math.random() < faults.dropResponseAfterCommit
    ) {
      (request as FastifyRequest & { [dropFlag]?: boolean })[dropFlag] = true;
    }
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const flagged = (request as FastifyRequest & { [dropFlag]?: boolean })[dropFlag];
    if (flagged && reply.statusCode >= 200 && reply.statusCode < 300) {
      request.raw.socket.destroy();
    }
    return payload;
  });
}
