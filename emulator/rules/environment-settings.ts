/**
 * Environment settings (PostHog's team settings on `/api/environments/{id}/`, passed through
 * by the project routes): their wire validation, their defaults, and the plan-gated setting that
 * PostHog accepts and ignores on the free plan.
 */
import { z } from "zod";
import { inTransaction } from "../db/database";
import { errors } from "../http/errors";
import { booleanField, choiceField, listOf } from "../http/fields";
import type { Repositories, Store } from "../repositories";
import type { OrganizationRow } from "../repositories/organizations";
import type { ProjectRow } from "../repositories/projects";

const nullableBoolean = () => booleanField().nullable().optional();

/** DRF DecimalField(max_digits=3, decimal_places=2) in [0, 1]: PostHog answers it as a string ("0.50"). */
const sampleRate = z
  .preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
    z
      .number({ error: "A valid number is required." })
      .refine((n) => Number.isFinite(n), "A valid number is required.")
      .min(0, "Ensure this value is greater than or equal to 0.")
      .max(1, "Ensure this value is less than or equal to 1.")
      .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9, {
        message: "Ensure that there are no more than 2 decimal places.",
      }),
  )
  .nullable()
  .optional();

const minimumDuration = z
  .number({ error: "A valid integer is required." })
  .int("A valid integer is required.")
  .min(0, "Ensure this value is greater than or equal to 0.")
  .max(30000, "Ensure this value is less than or equal to 30000.")
  .nullable()
  .optional();

/** PostHog caps `*` in an authorized URL's host (validate_authorized_url_wildcards). */
export const MAX_HOST_WILDCARDS = 5;

function hostWildcards(url: string): number | null {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  if (!match) return 0; // no parseable host: PostHog does not count anything
  const host = match[1].replace(/^.*@/, "").replace(/:\d*$/, "");
  if (host.startsWith("[") && !host.endsWith("]")) return null;
  return (host.match(/\*/g) ?? []).length;
}

/** Empty entries are dropped, as PostHog's `validate_app_urls` does. */
const appUrls = listOf(z.string({ error: "Not a valid string." }).nullable())
  .transform((urls) => urls.filter((u): u is string => Boolean(u)))
  .superRefine((urls, ctx) => {
    for (const url of urls) {
      const count = hostWildcards(url);
      if (count === null) ctx.addIssue({ code: "custom", message: `Invalid URL: ${url}` });
      else if (count > MAX_HOST_WILDCARDS) {
        ctx.addIssue({
          code: "custom",
          message: `Authorized URLs may contain at most ${MAX_HOST_WILDCARDS} wildcards in the host: ${url}`,
        });
      }
    }
  });

const recordingDomains = listOf(z.string({ error: "Not a valid string." }).nullable())
  .transform((domains) => domains.filter((d): d is string => Boolean(d)))
  .nullable();

/** The settings fields, in PostHog's wire names, as the environment and project routes accept them. */
export const settingsFields = {
  app_urls: appUrls.optional(),
  anonymize_ips: booleanField().optional(),
  recording_domains: recordingDomains.optional(),
  session_recording_opt_in: booleanField().optional(),
  session_recording_sample_rate: sampleRate,
  session_recording_minimum_duration_milliseconds: minimumDuration,
  heatmaps_opt_in: nullableBoolean(),
  autocapture_opt_out: nullableBoolean(),
  autocapture_exceptions_opt_in: nullableBoolean(),
  autocapture_web_vitals_opt_in: nullableBoolean(),
  capture_console_log_opt_in: nullableBoolean(),
  capture_performance_opt_in: nullableBoolean(),
  surveys_opt_in: nullableBoolean(),
  cookieless_server_hash_mode: choiceField([0, 1, 2]).nullable().optional(),
};
export const SettingsBody = z.object(settingsFields);
export type SettingsChanges = z.output<typeof SettingsBody>;

/** Settings kept in `environment_settings` (the other two are columns of `projects`). */
const STORED_DEFAULTS: Record<string, unknown> = {
  recording_domains: null,
  session_recording_opt_in: false,
  session_recording_sample_rate: null,
  session_recording_minimum_duration_milliseconds: null,
  heatmaps_opt_in: null,
  autocapture_opt_out: null,
  autocapture_exceptions_opt_in: null,
  autocapture_web_vitals_opt_in: null,
  capture_console_log_opt_in: null,
  capture_performance_opt_in: null,
  surveys_opt_in: null,
  cookieless_server_hash_mode: null,
};

/**
 * The setting PostHog sells with paid plans (the replay minimum duration): a free organization's
 * PATCH is answered 200 but the value does not change. The provider must notice and say so.
 */
export const PLAN_GATED_SETTINGS = ["session_recording_minimum_duration_milliseconds"] as const;

/** Every settings field of an environment, in wire form. */
export function serializeSettings(repos: Repositories, project: ProjectRow) {
  const stored = { ...STORED_DEFAULTS, ...repos.environmentSettings.get(project.id) };
  const rate = stored.session_recording_sample_rate;
  return {
    app_urls: JSON.parse(project.app_urls) as string[],
    anonymize_ips: project.anonymize_ips === 1,
    ...stored,
    session_recording_sample_rate: typeof rate === "number" ? rate.toFixed(2) : null,
  };
}

/**
 * The project routes' body split in two: the fields that are columns of `projects` (which the
 * project rules change, `app_urls` and `anonymize_ips` among them) and the other settings,
 * for {@link applySettings}.
 */
export function splitSettings<T extends Record<string, unknown>>(
  body: T,
): { fields: Omit<T, keyof typeof STORED_DEFAULTS>; settings: SettingsChanges } {
  const fields: Record<string, unknown> = {};
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key in STORED_DEFAULTS) settings[key] = value;
    else fields[key] = value;
  }
  return { fields: fields as Omit<T, keyof typeof STORED_DEFAULTS>, settings: settings as SettingsChanges };
}

/** Settings that need project admin to change (in PostHog's TEAM_CONFIG_ADMIN_FIELDS). */
const ADMIN_SETTINGS = ["anonymize_ips", "app_urls"] as const;

/**
 * Applies validated settings changes to one environment in one transaction and returns it. Only
 * the given keys change; plan-gated ones are dropped silently on the free plan, as PostHog does.
 */
export function applySettings(
  { db, repos }: Store,
  project: ProjectRow,
  organization: OrganizationRow,
  isAdmin: boolean,
  changes: SettingsChanges,
): ProjectRow {
  const touchedAdmin = ADMIN_SETTINGS.filter((f) => changes[f] !== undefined);
  if (touchedAdmin.length > 0 && !isAdmin) {
    throw errors.permissionDenied(
      `Only project admins can modify these settings: ${touchedAdmin.join(", ")}`,
    );
  }
  const { app_urls, anonymize_ips, ...rest } = changes;
  const columns: { app_urls?: string[]; anonymize_ips?: boolean } = {};
  if (app_urls !== undefined) columns.app_urls = app_urls;
  if (anonymize_ips !== undefined) columns.anonymize_ips = anonymize_ips;
  return inTransaction(db, () => {
    if (Object.keys(columns).length > 0) repos.projects.update(project.id, columns);
    const stored: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined) continue;
      if ((PLAN_GATED_SETTINGS as readonly string[]).includes(key) && organization.plan === "free") continue;
      stored[key] = value;
    }
    if (Object.keys(stored).length > 0) repos.environmentSettings.merge(project.id, stored);
    return repos.projects.get(project.id) as ProjectRow;
  });
}
