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
    latencyAfterCommitMs: z.number().int().min(0).max(60_000).optional(),
    count: z.number().int().min(0).optional(),
    methods: z.array(z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"])).optional(),
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
/** A request marked, when it arrived, for a dropped answer under these faults. */
type Flagged = FastifyRequest & { [dropFlag]?: { faults: FaultOptions; decision: Decision } };

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

function matches(faults: FaultOptions, request: FastifyRequest): boolean {
  if (request.url.startsWith("/_admin")) return false;
  if (faults.count === 0) return false;
  if (faults.methods && !faults.methods.includes(request.method)) return false;
  if (!faults.paths) return true;
  return new RegExp(faults.paths).test(request.url.split("?")[0]);
}

/** What the faults do to one request, decided once when it arrives. */
interface Decision {
  readonly latencyMs: number;
  /** Held after the change committed, before the answer (a client killed meanwhile never learns of it). */
  readonly latencyAfterCommitMs: number;
  readonly errorStatus?: number;
  /** Drop the answer if the change commits. */
  readonly drop: boolean;
  /** Whether the request already took one of `count` (for an error or latency). */
  readonly counted: boolean;
}

function decide(faults: FaultOptions, request: FastifyRequest): Decision | undefined {
  if (!matches(faults, request)) return undefined;
  const error = Boolean(faults.errorRate) && Math.random() < (faults.errorRate ?? 0);
  const drop =
    !error &&
    Boolean(faults.dropResponseAfterCommit) &&
    UNSAFE.has(request.method) &&
    Math.random() < (faults.dropResponseAfterCommit ?? 0);
  const latencyMs = faults.latencyMs ?? 0;
  const latencyAfterCommitMs = !error && UNSAFE.has(request.method) ? (faults.latencyAfterCommitMs ?? 0) : 0;
  const counted = error || latencyMs > 0 || latencyAfterCommitMs > 0;
  if (!counted && !drop) return undefined;
  // Taken here, before any await, so concurrent requests cannot both take the last one.
  if (counted && faults.count !== undefined) faults.count -= 1;
  return {
    latencyMs,
    latencyAfterCommitMs,
    errorStatus: error ? (faults.errorStatus ?? 500) : undefined,
    drop,
    counted,
  };
}

/** Whether to drop a committed answer; one not already counted takes one of `count` now. */
function takeDrop(faults: FaultOptions, decision: Decision): boolean {
  if (decision.counted || faults.count === undefined) return true;
  if (faults.count === 0) return false;
  faults.count -= 1;
  return true;
}

/**
 * Test-only faults, read from `ctx.faults` on every request so `PUT /_admin/faults` takes effect
 * at once. Errors are injected before the request touches data; a dropped response happens only
 * after a successful change was committed, which is what makes a client's retry ambiguous.
 * With `count`, only that many requests are faulted, then the faults lift themselves: tests
 * assert on what happened, not on how fast.
 */
export function registerFaults(app: FastifyInstance, ctx: EmulatorContext): void {
  app.addHook("onRequest", async (request, reply) => {
    const faults = ctx.faults;
    const decision = decide(faults, request);
    if (!decision) return;
    if (decision.latencyMs) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    if (decision.errorStatus !== undefined) return sendError(reply, injectedError(decision.errorStatus));
    if (decision.drop || decision.latencyAfterCommitMs) (request as Flagged)[dropFlag] = { faults, decision };
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const flagged = (request as Flagged)[dropFlag];
    const committed = reply.statusCode >= 200 && reply.statusCode < 300;
    if (flagged && committed && flagged.decision.latencyAfterCommitMs) {
      await new Promise((resolve) => setTimeout(resolve, flagged.decision.latencyAfterCommitMs));
    }
    if (flagged?.decision.drop && committed && takeDrop(flagged.faults, flagged.decision)) {
      request.raw.socket.destroy();
    }
    return payload;
  });
}
