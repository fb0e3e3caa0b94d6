/**
 * The three environments PostHog recommends a project for, the one list of them:
 * `StandardProjects` and the root program's layout config both derive from it. It
 * imports nothing, so config parsing can load it without the Pulumi SDK.
 */
export const ENVIRONMENTS = ["localDevelopment", "staging", "production"] as const;

/** One of the three environments, in the order PostHog's documentation lists them. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** The project names PostHog's documentation uses for the recommended layout. */
export const DEFAULT_ENVIRONMENT_NAMES: Readonly<Record<Environment, string>> = {
  localDevelopment: "Local Development",
  staging: "Staging",
  production: "Production",
};
