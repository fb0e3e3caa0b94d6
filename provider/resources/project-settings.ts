/**
 * The ProjectSettings resource's spec. What it does for users (which settings, what is managed,
 * what destroy does, how an ignored setting is reported) is documented once, on the sdk class
 * `ProjectSettings` in `sdk/project-settings.ts`; comments here say only how.
 */
import { z } from "zod";
import { Environment, EnvironmentSettingsWire, PostHogApiError, PostHogClient } from "../client";
import { warn } from "../engine-log";
import { FieldPolicy, ResourceSpec } from "./crud";
import { projectIdInput } from "./project";

/** PostHog refuses an authorized URL with more wildcards than this in its host. */
export const MAX_HOST_WILDCARDS = 5;

/** PostHog's range for the replay minimum duration. */
export const MAX_MINIMUM_DURATION_MS = 30_000;

/** `cookieless_server_hash_mode` by name; PostHog stores the index. */
export const COOKIELESS_MODES = ["disabled", "stateless", "stateful"] as const;
export type CookielessMode = (typeof COOKIELESS_MODES)[number];

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
interface Setting {
  readonly wire: keyof EnvironmentSettingsWire & string;
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

type SettingValues = { -readonly [K in SettingName]?: z.output<(typeof SETTINGS)[K]["input"]> };

/** Validated ProjectSettings inputs. */
export const projectSettingsInputs = z
  .object({
    projectId: projectIdInput,
    ...(Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].input.optional()])) as {
      [K in SettingName]: z.ZodOptional<(typeof SETTINGS)[K]["input"]>;
    }),
  })
  .strict();
export type ProjectSettingsInputs = { projectId: string } & SettingValues;

/** ProjectSettings outputs: the managed settings as PostHog last answered them. */
export type ProjectSettingsOutputs = { [key: string]: unknown; projectId: string } & {
  [K in SettingName]?: unknown;
};

/** The resource id of the settings of project `projectId`. */
export function projectSettingsId(projectId: string): string {
  return `${projectId}/settings`;
}

function given(values: Record<string, unknown>): SettingName[] {
  return SETTING_NAMES.filter((name) => values[name] !== undefined);
}

function toWire(values: SettingValues): EnvironmentSettingsWire {
  const patch: Record<string, unknown> = {};
  for (const name of given(values)) {
    const setting: Setting = SETTINGS[name];
    patch[setting.wire] = setting.toWire ? setting.toWire(values[name]) : values[name];
  }
  return patch as EnvironmentSettingsWire;
}

function liveValue(environment: Environment, name: SettingName): unknown {
  const setting: Setting = SETTINGS[name];
  const raw = (environment as Record<string, unknown>)[setting.wire];
  return setting.fromWire ? setting.fromWire(raw) : raw;
}

/** The managed settings (`names`) as the environment holds them; null where PostHog has none. */
function outputsOf(
  projectId: string,
  environment: Environment,
  names: SettingName[],
): ProjectSettingsOutputs {
  const outputs: ProjectSettingsOutputs = { projectId };
  for (const name of names) outputs[name] = liveValue(environment, name) ?? null;
  return outputs;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * PATCHes the given settings and reports, by name, those PostHog answered with another value:
 * it accepts plan-gated settings on plans without them and leaves them as they were.
 */
async function apply(client: PostHogClient, inputs: ProjectSettingsInputs): Promise<ProjectSettingsOutputs> {
  const names = given(inputs);
  const environment =
    names.length > 0
      ? await client.environments.updateSettings(inputs.projectId, toWire(inputs))
      : await client.environments.get(inputs.projectId);
  const outputs = outputsOf(inputs.projectId, environment, names);
  const ignored = names.filter((name) => !same(outputs[name], inputs[name]));
  if (ignored.length > 0) {
    const details = ignored
      .map((name) => `${name} (asked ${JSON.stringify(inputs[name])}, kept ${JSON.stringify(outputs[name])})`)
      .join(", ");
    await warn(
      `ProjectSettings of Project ${inputs.projectId}: PostHog accepted but ignored ${details}. ` +
        "These settings usually need a paid plan on the organization; until it has one, every `pulumi up` " +
        "tries again and this warning repeats. Remove them from the program to stop managing them.",
    );
  }
  return outputs;
}

const settingPolicy: FieldPolicy = { onChange: "update", whenAbsent: "compare" };

/** The ProjectSettings resource. */
export const projectSettingsSpec: ResourceSpec<ProjectSettingsInputs, ProjectSettingsOutputs> = {
  kind: "ProjectSettings",
  inputs: projectSettingsInputs as unknown as z.ZodType<ProjectSettingsInputs>,
  fields: {
    projectId: {
      onChange: "replace",
      whenAbsent: "compare",
      equals: (a, b) => a !== undefined && b !== undefined && String(a) === String(b),
    },
    ...(Object.fromEntries(SETTING_NAMES.map((name) => [name, settingPolicy])) as Record<
      SettingName,
      FieldPolicy
    >),
  },

  async create(client, inputs) {
    return { id: projectSettingsId(inputs.projectId), outputs: await apply(client, inputs) };
  },

  async read(client, _id, state) {
    try {
      const environment = await client.environments.get(state.projectId);
      if (environment.is_pending_deletion === true) return undefined;
      return outputsOf(state.projectId, environment, given(state));
    } catch (err) {
      if (err instanceof PostHogApiError && err.isGone) return undefined;
      throw err;
    }
  },

  async update(client, _id, _olds, news) {
    return apply(client, news);
  },

  // Settings stay as they are: there is nothing to delete, and no "previous value" to restore.
  async delete() {},

  inputsOf(outputs) {
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== null));
  },
};
