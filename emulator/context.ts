import type { Db } from "./db/database";
import type { FaultOptions } from "./options";
import type { Repositories } from "./repositories";
import type { PersonalApiKey } from "./repositories/personal-api-keys";
import type { UserRow } from "./repositories/users";
import type { RateLimiter } from "./auth/rate-limit";
import type { LoginState } from "./rules/sessions";

/** Everything a route needs, hung on the fastify instance as `app.emulator`. */
export interface EmulatorContext {
  db: Db;
  repos: Repositories;
  rateLimiter: RateLimiter | null;
  allowPersonalKeysOnSessionActions: boolean;
  /** The product page's move rules, which PostHog's code does not check (see `rules/projects.ts`). */
  enforceProductPageMoveRules: boolean;
  /** Login failures (axes) and emailed login links, kept in memory as PostHog keeps them in its cache. */
  login: LoginState;
  /** Mutable at runtime through `PUT /_admin/faults`. */
  faults: FaultOptions;
}

/** Who made a request, as `auth/authenticate.ts` resolves it. */
export interface Principal {
  user: UserRow;
  /** The personal API key used, or null for a logged-in session. */
  key: PersonalApiKey | null;
}

declare module "fastify" {
  interface FastifyInstance {
    emulator: EmulatorContext;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}
