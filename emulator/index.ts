/**
 * posthog-local: a PostHog-compatible management API server with real persistence.
 * See emulator/README.md for what it covers and how it differs from PostHog.
 */
export type { EmulatorOptions, FaultOptions, RunningEmulator } from "./options";
export { DEFAULT_RATE_LIMIT } from "./options";
export { startEmulator } from "./server";
export { buildApp, type BuildAppOptions } from "./app";
export { bootstrap, type BootstrapInput, type BootstrapResult } from "./bootstrap";
