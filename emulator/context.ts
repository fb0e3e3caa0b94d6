import type { Db } from "./db/database";
import type { FaultOptions } from "./options";
import type { Repositories } from "./repositories";
import type { RateLimiter } from "./auth/rate-limit";
import type { Principal } from "./auth/authenticate";

/** Everything a route needs, hung on the fastify instance as `app.emulator`. */
export interface EmulatorContext {
  db: Db;
  repos: Repositories;
  rateLimiter: RateLimiter | null;
  allowPersonalKeysOnSessionActions: boolean;
  /** Mutable at runtime through `PUT /_admin/faults`. */
  faults: FaultOptions;
}

declare module "fastify" {
  interface FastifyInstance {
    emulator: EmulatorContext;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}
