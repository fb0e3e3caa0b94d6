import * as pulumi from "@pulumi/pulumi";
import type { CookielessMode } from "../provider/fields/cookieless";
import type { SettingName } from "../provider/fields/project-settings";
import { PostHogResource } from "./resource";

export type { CookielessMode };

/**
 * The settings a {@link ProjectSettings} can manage; each is optional, and only the ones given
 * are managed. URLs are `http(s)://host[:port][/path]`; PostHog allows `*` in the host (at most
 * 5), for example `https://*.example.com`.
 */
export interface ProjectSettingsValues {
  /** Authorized URLs (PostHog's `app_urls`): where the toolbar and web analytics may run. */
  appUrls?: pulumi.Input<pulumi.Input<string>[]>;
  /** Domains allowed to record sessions (`recording_domains`); empty records everywhere. */
  recordingDomains?: pulumi.Input<pulumi.Input<string>[]>;
  /** Drop the IP address of every event (`anonymize_ips`). Needs project admin. */
  anonymizeIps?: pulumi.Input<boolean>;
  /** Turn autocapture off (`autocapture_opt_out`). */
  autocaptureOptOut?: pulumi.Input<boolean>;
  /** Capture exceptions automatically (`autocapture_exceptions_opt_in`). */
  autocaptureExceptionsOptIn?: pulumi.Input<boolean>;
  /** Capture web vitals automatically (`autocapture_web_vitals_opt_in`). */
  autocaptureWebVitalsOptIn?: pulumi.Input<boolean>;
  /** Record console logs with session replays (`capture_console_log_opt_in`). */
  captureConsoleLogOptIn?: pulumi.Input<boolean>;
  /** Record network performance with session replays (`capture_performance_opt_in`). */
  capturePerformanceOptIn?: pulumi.Input<boolean>;
  /** Heatmaps (`heatmaps_opt_in`). */
  heatmapsOptIn?: pulumi.Input<boolean>;
  /** Surveys (`surveys_opt_in`). */
  surveysOptIn?: pulumi.Input<boolean>;
  /** Session replay (`session_recording_opt_in`). */
  sessionRecordingOptIn?: pulumi.Input<boolean>;
  /** Share of sessions recorded, 0 to 1 with at most 2 decimals (`session_recording_sample_rate`). */
  sessionRecordingSampleRate?: pulumi.Input<number>;
  /**
   * Sessions shorter than this are not kept, 0 to 30000 ms
   * (`session_recording_minimum_duration_milliseconds`). A paid-plan setting: on the free plan
   * PostHog accepts it and keeps the old value, which `pulumi up` reports as a warning.
   */
  sessionRecordingMinimumDurationMilliseconds?: pulumi.Input<number>;
  /** Cookieless tracking on the server (`cookieless_server_hash_mode`). */
  cookielessServerHashMode?: pulumi.Input<CookielessMode>;
}

/** Every setting as an output property (a property only exists when it is in the props). */
const SETTING_OUTPUTS: Record<SettingName, undefined> = {
  appUrls: undefined,
  recordingDomains: undefined,
  anonymizeIps: undefined,
  autocaptureOptOut: undefined,
  autocaptureExceptionsOptIn: undefined,
  autocaptureWebVitalsOptIn: undefined,
  captureConsoleLogOptIn: undefined,
  capturePerformanceOptIn: undefined,
  heatmapsOptIn: undefined,
  surveysOptIn: undefined,
  sessionRecordingOptIn: undefined,
  sessionRecordingSampleRate: undefined,
  sessionRecordingMinimumDurationMilliseconds: undefined,
  cookielessServerHashMode: undefined,
};

/** Arguments of a {@link ProjectSettings}: the project, and the settings to manage. */
export interface ProjectSettingsArgs extends ProjectSettingsValues {
  /** The project (its id, e.g. `project.id`); the settings are its main environment's. A different project replaces the resource. */
  projectId: pulumi.Input<string | number>;
}

/**
 * Settings of a PostHog project's main environment (PostHog's `/api/environments/{id}/`), like
 * the Terraform provider's `posthog_project_settings`.
 *
 * - Only the settings given are managed; the others keep whatever value they have, set in the
 *   PostHog app or left at PostHog's default. Removing a setting from the program stops
 *   managing it and leaves its value.
 * - Inputs are checked at preview: URL shape and host wildcards, the sample rate's range and
 *   decimals, the minimum duration's range, the cookieless mode's name.
 * - A managed setting changed elsewhere shows as drift at `pulumi refresh`, and the next `up`
 *   sets it back.
 * - A setting PostHog accepted but did not apply (a paid-plan setting on a free organization)
 *   is reported by name as a warning in `pulumi up`'s output, with the value asked and the value
 *   kept; the output holds the value PostHog kept, so every `up` tries again until the plan
 *   allows it or the setting is removed.
 * - Destroying the resource leaves every value as it is (there is no "previous" value to go back
 *   to, and turning replay or autocapture off on destroy would be a surprise).
 * - `appUrls` and `anonymizeIps` need project admin; the others need write access to the project.
 * - A separate resource rather than a `settings` input of `Project`: it also works on projects
 *   the program does not manage (adopted by id, or created in the app), `Project` keeps only what
 *   creating and moving need, and settings changes never touch the project resource's diff.
 */
export class ProjectSettings extends PostHogResource {
  /** The project's id. */
  declare public readonly projectId: pulumi.Output<string>;
  declare public readonly appUrls: pulumi.Output<string[] | undefined>;
  declare public readonly recordingDomains: pulumi.Output<string[] | undefined>;
  declare public readonly anonymizeIps: pulumi.Output<boolean | undefined>;
  declare public readonly autocaptureOptOut: pulumi.Output<boolean | undefined>;
  declare public readonly autocaptureExceptionsOptIn: pulumi.Output<boolean | undefined>;
  declare public readonly autocaptureWebVitalsOptIn: pulumi.Output<boolean | undefined>;
  declare public readonly captureConsoleLogOptIn: pulumi.Output<boolean | undefined>;
  declare public readonly capturePerformanceOptIn: pulumi.Output<boolean | undefined>;
  declare public readonly heatmapsOptIn: pulumi.Output<boolean | undefined>;
  declare public readonly surveysOptIn: pulumi.Output<boolean | undefined>;
  declare public readonly sessionRecordingOptIn: pulumi.Output<boolean | undefined>;
  declare public readonly sessionRecordingSampleRate: pulumi.Output<number | undefined>;
  declare public readonly sessionRecordingMinimumDurationMilliseconds: pulumi.Output<number | undefined>;
  declare public readonly cookielessServerHashMode: pulumi.Output<CookielessMode | undefined>;

  /**
   * @param name The unique name of the resource in the Pulumi program.
   * @param args The project and the settings to manage.
   * @param opts Resource options.
   */
  constructor(name: string, args: ProjectSettingsArgs, opts?: pulumi.CustomResourceOptions) {
    super("ProjectSettings", name, { ...SETTING_OUTPUTS, ...args }, opts);
  }
}
