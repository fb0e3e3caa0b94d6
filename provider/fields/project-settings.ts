/**
 * The project settings, the one list of them: each input name (as `ProjectSettings`,
 * `StandardProjects` and the root program's layout config take it) with its local validation
 * (what PostHog would refuse, checked before any request) and PostHog's wire field. It imports
 * only zod and the cookieless modes, so the layout config can load it alone; the sdk takes
 * the setting names as a type, in code only (its declarations stay free of zod's).
 */
import { z } from "zod";
import { COOKIELESS_MODES, type CookielessMode } from "./cookieless";

/** PostHog refuses an authorized URL with more wildcards than this in its host. */
export const MAX_HOST_WILDCARDS = 5;

/** PostHog's range for the replay minimum duration. */
export const MAX_MINIMUM_DURATION_MS = 30_000;

export { COOKIELESS_MODES, type CookielessMode } from "./cookieless";

const URL_SHAPE = /^(https?):\/\/([^/?#]+)(.*)$/i;

/** Why `url` would be refused (by PostHog, or as no URL at all), or undefined when it is fine. */
export function urlProblem(url: string): string | undefined {
  const match = URL_SHAPE.exec(url);
  if (!match) return `"${url}" is not an http(s) URL such as https://app.example.com`;
  const host = match[2].replace(/^.*@/, "");
  const wildcards = (host.match(/\*/g) ?? []).length;
  if (wildcards > MAX_HOST_WILDCARDS) {
    return `"${url}" has ${wildcards} wildcards in its host; PostHog allows at most ${MAX_HOST_WILDCARDS}`;
  }
  try {
    new URL(url.replace(/\*/g, "x"));
  } catch {
    return `"${url}" is not a valid URL`;
  }
  return undefined;
}

const urlList = z.array(z.string({ error: "must be a list of URLs" })).superRefine((urls, ctx) => {
  urls.forEach((url, index) => {
    const problem = urlProblem(url);
    if (problem) ctx.addIssue({ code: "custom", path: [index], message: problem });
  });
});

const flag = () => z.boolean({ error: "must be a boolean" });

/** One setting: its input schema and its PostHog wire field, with conversions where they differ. */
export interface Setting {
  /** PostHog's field on `/api/environments/{id}/`. */
  readonly wire: string;
  readonly input: z.ZodType;
  readonly toWire?: (value: unknown) => unknown;
  readonly fromWire?: (value: unknown) => unknown;
}

/** Every setting the resource offers, by input name. */
export const SETTINGS = {
  appUrls: { wire: "app_urls", input: urlList },
  recordingDomains: { wire: "recording_domains", input: urlList },
  anonymizeIps: { wire: "anonymize_ips", input: flag() },
  autocaptureOptOut: { wire: "autocapture_opt_out", input: flag() },
  autocaptureExceptionsOptIn: { wire: "autocapture_exceptions_opt_in", input: flag() },
  autocaptureWebVitalsOptIn: { wire: "autocapture_web_vitals_opt_in", input: flag() },
  captureConsoleLogOptIn: { wire: "capture_console_log_opt_in", input: flag() },
  capturePerformanceOptIn: { wire: "capture_performance_opt_in", input: flag() },
  heatmapsOptIn: { wire: "heatmaps_opt_in", input: flag() },
  surveysOptIn: { wire: "surveys_opt_in", input: flag() },
  sessionRecordingOptIn: { wire: "session_recording_opt_in", input: flag() },
  sessionRecordingSampleRate: {
    wire: "session_recording_sample_rate",
    input: z
      .number({ error: "must be a number from 0 to 1" })
      .min(0, "must be from 0 to 1")
      .max(1, "must be from 0 to 1")
      .refine(
        (n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9,
        "PostHog keeps at most 2 decimal places",
      ),
    // PostHog answers this DecimalField as a string ("0.50").
    fromWire: (value) => (value === null || value === undefined ? value : Number(value)),
  },
  sessionRecordingMinimumDurationMilliseconds: {
    wire: "session_recording_minimum_duration_milliseconds",
    input: z
      .number({ error: "must be a whole number of milliseconds" })
      .int("must be a whole number of milliseconds")
      .min(0, `must be from 0 to ${MAX_MINIMUM_DURATION_MS}`)
      .max(MAX_MINIMUM_DURATION_MS, `must be from 0 to ${MAX_MINIMUM_DURATION_MS}`),
  },
  cookielessServerHashMode: {
    wire: "cookieless_server_hash_mode",
    input: z.enum(COOKIELESS_MODES, { error: `must be one of ${COOKIELESS_MODES.join(", ")}` }),
    toWire: (value) => COOKIELESS_MODES.indexOf(value as CookielessMode),
    fromWire: (value) => (typeof value === "number" ? (COOKIELESS_MODES[value] ?? value) : value),
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export type SettingValues = { -readonly [K in SettingName]?: z.output<(typeof SETTINGS)[K]["input"]> };

/** The settings object of the layout config and `StandardProjects`: any of the settings, nothing else. */
export const settingValuesSchema = z
  .object(
    Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].input.optional()])) as {
      [K in SettingName]: z.ZodOptional<(typeof SETTINGS)[K]["input"]>;
    },
  )
  .strict();
