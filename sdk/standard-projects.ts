import * as pulumi from "@pulumi/pulumi";
import { Project } from "./project";
import { ProjectToken } from "./project-token";
import { projectWithToken } from "./project-with-token";

import { DEFAULT_ENVIRONMENT_NAMES, Environment, ENVIRONMENTS } from "./environments";

export { DEFAULT_ENVIRONMENT_NAMES, ENVIRONMENTS };
export type { Environment };

/** Arguments of {@link StandardProjects}. */
export interface StandardProjectsArgs {
  /** The organization that holds the three projects. Its plan must allow three projects. */
  organizationId: pulumi.Input<string>;
  /** Project names per environment; defaults to "Local Development", "Staging" and "Production". */
  names?: Partial<Record<Environment, string>>;
  /** IANA timezone for all three projects; PostHog's default is "UTC". */
  timezone?: pulumi.Input<string>;
  /**
   * Which environment takes over the organization's "Default project" (created with
   * every organization) instead of leaving it as a stray: `"production"` by default, or
   * `"none"` to create all three. The project is renamed to the environment's name.
   */
  adoptDefaultProject?: Environment | "none";
  /**
   * The default project's id, when known (for example `organization.defaultProjectId`).
   * Without it, the provider finds the project named "Default project" when it creates.
   */
  defaultProjectId?: pulumi.Input<number>;
  /**
   * Protects the Production project and its token (`pulumi destroy` refuses, and no
   * change may replace them). Defaults to true. The token is protected too because
   * deleting a token revokes it: a destroy that stops at the protected project would
   * otherwise already have cut off production ingestion. To rotate Production's token,
   * set this to false for that update, then back.
   */
  protectProduction?: boolean;
  /** Per-environment rotation values: changing one rotates that environment's token. */
  tokenRotation?: Partial<Record<Environment, string>>;
}

/** What the component exposes for each environment. */
export interface EnvironmentOutputs {
  /** The project's id (PostHog's numeric id, as a string). */
  projectId: pulumi.Output<string>;
  /** The project's name. */
  name: pulumi.Output<string>;
  /** The project token (`phc_...`), a secret output. */
  token: pulumi.Output<string>;
}

/**
 * PostHog's recommended layout in one resource: Local Development, Staging and
 * Production projects in one organization, each with a managed {@link ProjectToken}.
 */
export class StandardProjects extends pulumi.ComponentResource {
  /** The three projects, by environment. */
  public readonly projects: Readonly<Record<Environment, Project>>;
  /** The three token resources, by environment. */
  public readonly tokens: Readonly<Record<Environment, ProjectToken>>;
  /** Project id, name and token (secret) per environment. */
  public readonly environments: Readonly<Record<Environment, EnvironmentOutputs>>;

  /**
   * @param name The component's name; the projects are `<name>-local-development`,
   *  `<name>-staging` and `<name>-production`, their tokens `<project>-token`.
   * @param args The organization and the layout's settings.
   * @param opts Component options, passed on as the children's parent.
   */
  constructor(name: string, args: StandardProjectsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("posthog:index:StandardProjects", name, {}, opts);
    const adopt = args.adoptDefaultProject ?? "production";
    const projects = {} as Record<Environment, Project>;
    const tokens = {} as Record<Environment, ProjectToken>;
    const environments = {} as Record<Environment, EnvironmentOutputs>;

    for (const environment of ENVIRONMENTS) {
      const adopting = adopt === environment;
      const protect = environment === "production" ? (args.protectProduction ?? true) : undefined;
      const { project, token } = projectWithToken(
        `${name}-${kebab(environment)}`,
        {
          organizationId: args.organizationId,
          name: args.names?.[environment] ?? DEFAULT_ENVIRONMENT_NAMES[environment],
          timezone: args.timezone,
          existingProjectId: adopting ? args.defaultProjectId : undefined,
          adoptDefaultProject: adopting && args.defaultProjectId === undefined ? true : undefined,
        },
        { rotation: args.tokenRotation?.[environment], protect, parent: this },
      );
      projects[environment] = project;
      tokens[environment] = token;
      environments[environment] = { projectId: project.id, name: project.name, token: token.token };
    }

    this.projects = projects;
    this.tokens = tokens;
    this.environments = environments;
    this.registerOutputs({ environments });
  }
}

function kebab(value: string): string {
  return value.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
