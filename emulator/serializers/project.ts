import type { ProjectRow } from "../repositories/projects";

const bool = (v: number) => v === 1;

/** The basic shape PostHog uses in project lists and the whoami's `team`. */
export function serializeProjectBasic(p: ProjectRow) {
  return {
    id: p.id,
    uuid: p.uuid,
    organization: p.organization_id,
    api_token: p.api_token,
    name: p.name,
    completed_snippet_onboarding: bool(p.completed_snippet_onboarding),
    has_completed_onboarding_for: null,
    ingested_event: bool(p.ingested_event),
    is_demo: bool(p.is_demo),
    timezone: p.timezone,
    access_control: false,
  };
}

/**
 * The full project (ProjectBackwardCompatSerializer), with the caller's effective level.
 * `settings`: the environment's settings fields in wire form (the rules' `serializeSettings`),
 * over the defaults below.
 */
export function serializeProject(
  p: ProjectRow,
  effectiveMembershipLevel: number,
  settings: Record<string, unknown> = {},
) {
  return {
    id: p.id,
    uuid: p.uuid,
    organization: p.organization_id,
    api_token: p.api_token,
    name: p.name,
    product_description: p.product_description,
    created_at: p.created_at,
    updated_at: p.updated_at,
    effective_membership_level: effectiveMembershipLevel,
    has_group_types: false,
    group_types: [],
    live_events_token: null,
    app_urls: JSON.parse(p.app_urls) as string[],
    slack_incoming_webhook: null,
    anonymize_ips: bool(p.anonymize_ips),
    completed_snippet_onboarding: bool(p.completed_snippet_onboarding),
    ingested_event: bool(p.ingested_event),
    test_account_filters: [],
    test_account_filters_default_checked: null,
    path_cleaning_filters: [],
    is_demo: bool(p.is_demo),
    timezone: p.timezone,
    data_attributes: ["data-attr"],
    person_display_name_properties: null,
    correlation_config: {},
    autocapture_opt_out: null,
    autocapture_exceptions_opt_in: null,
    capture_console_log_opt_in: null,
    capture_performance_opt_in: null,
    session_recording_opt_in: false,
    access_control: false,
    week_start_day: p.week_start_day,
    primary_dashboard: null,
    live_events_columns: null,
    recording_domains: null,
    person_on_events_querying_enabled: true,
    inject_web_apps: null,
    extra_settings: null,
    modifiers: null,
    default_modifiers: {},
    has_completed_onboarding_for: null,
    surveys_opt_in: null,
    heatmaps_opt_in: null,
    product_intents: [],
    is_pending_deletion: p.pending_deletion_at !== null,
    ...settings,
  };
}
