/**
 * Environments (PostHog's teams): `/api/environments/{id}/`, which holds a project's settings
 * and its feature-flags secure API key (`secret_api_token`, `phs_`) with the backup slot, and
 * the two session-only key actions `rotate_secret_token` and `delete_secret_token_backup`.
 * A project's main environment has the project's id.
 */
import { z } from "zod";
import { OperationContext, registerSecret } from "./errors";
import { apiPath, HttpClient } from "./http";
import { withRecovery } from "./recovery";
import { Session } from "./session";

/** The settings this client reads and writes, in PostHog's wire names. */
export const environmentSettingsSchema = z.looseObject({
  app_urls: z.array(z.string()).nullish(),
  recording_domains: z.array(z.string()).nullish(),
  anonymize_ips: z.boolean().nullish(),
  session_recording_opt_in: z.boolean().nullish(),
  session_recording_sample_rate: z.union([z.string(), z.number()]).nullish(),
  session_recording_minimum_duration_milliseconds: z.number().nullish(),
  heatmaps_opt_in: z.boolean().nullish(),
  autocapture_opt_out: z.boolean().nullish(),
  autocapture_exceptions_opt_in: z.boolean().nullish(),
  autocapture_web_vitals_opt_in: z.boolean().nullish(),
  capture_console_log_opt_in: z.boolean().nullish(),
  capture_performance_opt_in: z.boolean().nullish(),
  surveys_opt_in: z.boolean().nullish(),
  cookieless_server_hash_mode: z.number().int().nullish(),
});
export type EnvironmentSettingsWire = z.infer<typeof environmentSettingsSchema>;

/** `GET/PATCH /api/environments/{id}/` and the secure key actions. */
export const environmentSchema = environmentSettingsSchema.extend({
  id: z.number().int(),
  organization: z.string(),
  name: z.string(),
  secret_api_token: z.string().nullish(),
  secret_api_token_backup: z.string().nullish(),
  is_pending_deletion: z.boolean().nullish(),
});
export type Environment = z.infer<typeof environmentSchema>;

function resource(id: number | string): string {
  return `Environment ${id}`;
}

/** Environment calls of the PostHog client. */
export class EnvironmentsApi {
  constructor(
    private readonly http: HttpClient,
    private readonly session: Session,
  ) {}

  private remember(environment: Environment): Environment {
    registerSecret(environment.secret_api_token ?? undefined);
    registerSecret(environment.secret_api_token_backup ?? undefined);
    return environment;
  }

  async get(id: number | string, op?: OperationContext): Promise<Environment> {
    return this.remember(
      await this.http.request({
        op: op ?? { action: "read", resource: resource(id) },
        method: "GET",
        path: apiPath("environments", id),
        schema: environmentSchema,
      }),
    );
  }

  /** PATCHes only the given settings; the answer shows what PostHog actually stored. */
  async updateSettings(id: number | string, patch: EnvironmentSettingsWire): Promise<Environment> {
    return this.remember(
      await this.http.request({
        op: { action: "update the settings of", resource: resource(id) },
        method: "PATCH",
        path: apiPath("environments", id),
        body: patch,
        schema: environmentSchema,
        idempotent: true,
      }),
    );
  }

  /**
   * A new secure key; the old primary becomes the backup and keeps working until
   * {@link deleteSecretTokenBackup}. Session-only in PostHog. After an ambiguous failure the
   * environment is read again: a primary that differs from the one read before means the
   * rotation happened, and it is not repeated (a second one would end the key just moved to
   * the backup slot).
   */
  async rotateSecretToken(id: number | string): Promise<Environment> {
    const op: OperationContext = { action: "rotate the secure API key of", resource: resource(id) };
    const before = await this.get(id, op);
    const environment = await withRecovery(this.http, {
      attempt: () =>
        this.session.send({
          op,
          method: "PATCH",
          path: apiPath("environments", id, "rotate_secret_token"),
          body: {},
          schema: environmentSchema,
          idempotent: false,
        }),
      lookup: async () => {
        const now = await this.get(id, op);
        return now.secret_api_token !== before.secret_api_token ? now : undefined;
      },
    });
    return this.remember(environment);
  }

  /** Ends the backup secure key (idempotent in PostHog: without a backup nothing changes). */
  async deleteSecretTokenBackup(id: number | string): Promise<Environment> {
    return this.remember(
      await this.session.send({
        op: { action: "delete the backup secure API key of", resource: resource(id) },
        method: "PATCH",
        path: apiPath("environments", id, "delete_secret_token_backup"),
        body: {},
        schema: environmentSchema,
        idempotent: true,
      }),
    );
  }
}
