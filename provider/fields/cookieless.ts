/**
 * `cookieless_server_hash_mode` by name; PostHog stores the index. Apart from the settings
 * table (`project-settings.ts`, which needs zod), the sdk's `ProjectSettings` names these in
 * its public types, so they live here, importing nothing.
 */
export const COOKIELESS_MODES = ["disabled", "stateless", "stateful"] as const;
export type CookielessMode = (typeof COOKIELESS_MODES)[number];
