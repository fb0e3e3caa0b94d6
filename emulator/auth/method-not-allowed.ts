import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { errors } from "../http/errors";
import { authenticate } from "./authenticate";

const ALL_METHODS: HTTPMethods[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/**
 * Registers DRF's 405 for the methods a path does not serve. It lives with authentication
 * because DRF authenticates first, so an anonymous caller sees 401 rather than learning which
 * methods exist.
 */
export function methodNotAllowedFor(app: FastifyInstance, path: string, allowed: HTTPMethods[]): void {
  const others = ALL_METHODS.filter((m) => !allowed.includes(m));
  if (others.length === 0) return;
  app.route({
    method: others,
    url: path,
    handler: async (request: FastifyRequest, _reply: FastifyReply) => {
      authenticate(app.emulator, request);
      throw errors.methodNotAllowed(request.method);
    },
  });
}
