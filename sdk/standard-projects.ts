import * as pulumi from "@pulumi/pulumi";
import { Project } from "./project";
import { ProjectToken } from "./project-token";
import { projectWithToken } from "./project-with-token";
import { ProjectSecretToken } from "./project-secret-token";
import { ProjectSettings, ProjectSettingsValues } from "./project-settings";

import { DEFAULT_ENVIRONMENT_NAMES, Environment, ENVIRONMENTS } from "./environments";

export { DEFAULT_ENVIRONMENT_NAMES, ENVIRONMENTS };
export type { Environment };

/**
 * The settings each environment gets when `settings` does not say otherwise: Local Development
 * authorizes `http://localhost:3000` (a dev server's usual address; the toolbar and web analytics
 * work there) and records no sessions; Staging and Production manage nothing by default, since
 * their domains are yours to give. An environment's entry in `settings` is merged over its
 * default key by key; an environment with no settings at all gets no {@link ProjectSettings}.
 */
export const DEFAULT_ENVIRONMENT_SETTINGS: Readonly<Record<Environment, Readonly<ProjectSettingsValues>>> = {
  localDevelopment: { appUrls: ["http://localhost:3000"], sessionRecordingOptIn: false },
  staging: {},
  production: {},
};

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
   * Whether `pulumi destroy` leaves the adopted project, its token and secure key in PostHog
   * (`retainOnDelete`, shown as `delete[retain]`): true by default, since the "Default
   * project" often holds all the data. False: destroy deletes it with the others.
   */
  retainAdopted?: boolean;
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
  /**
   * Per-environment {@link ProjectSettings}, merged over {@link DEFAULT_ENVIRONMENT_SETTINGS}
   * key by key (for example Production's real `appUrls` and `recordingDomains`).
   */
  settings?: Partial<Record<Environment, ProjectSettingsValues>>;
  /**
   * Manage each environment's feature-flags secure API key with a {@link ProjectSecretToken}
   * (`environments.<env>.secureKey`). Off by default: adopting works with a personal API key,
   * but a project without a key gets one through a rotation, which PostHog allows only in a
   * session login (`posthog:email`/`posthog:password`). Production's is protected with
   * Production.
   */
  secureKeys?: boolean;
  /** Per-environment rotation values of the secure keys (with `secureKeys`): a new value rotates without downtime. */
  secureKeyRotation?: Partial<Record<Environment, string>>;
}

/** A setting's value as PostHog holds it (null: PostHog has none). */
export type SettingValue = string | number | boolean | string[] | null;

/** What the component exposes for each environment. */
export interface EnvironmentOutputs {
  /** The project's id (PostHog's numeric id, as a string). */
  projectId: pulumi.Output<string>;
  /** The project's name. */
  name: pulumi.Output<string>;
  /** The project token (`phc_...`), a secret output. */
  token: pulumi.Output<string>;
  /** The managed settings as PostHog holds them (`{}` when the environment has none). */
  settings: pulumi.Output<Record<string, SettingValue>>;
  /** The feature-flags secure API key (`phs_...`), a secret output; only with `secureKeys`. */
  secureKey?: pulumi.Output<string>;
}

/**
 * PostHog's recommended layout in one resource: Local Development, Staging and
 * Production projects in one organization, each with a managed {@link ProjectToken},
 * its {@link ProjectSettings} (see {@link DEFAULT_ENVIRONMENT_SETTINGS}) and, with
 * `secureKeys`, its {@link ProjectSecretToken}.
 */
export class StandardProjects extends pulumi.ComponentResource {
  /** The three projects, by environment. */
  public readonly projects: Readonly<Record<Environment, Project>>;
  /** The three token resources, by environment. */
  public readonly tokens: Readonly<Record<Environment, ProjectToken>>;
  /** The settings resources, for the environments that have settings. */
  public readonly settings: Readonly<Partial<Record<Environment, ProjectSettings>>>;
  /** The secure key resources, with `secureKeys`. */
  public readonly secureKeys: Readonly<Partial<Record<Environment, ProjectSecretToken>>>;
  /** Project id, name and token (secret) per environment. */
  public readonly environments: Readonly<Record<Environment, EnvironmentOutputs>>;

  /**
   * @param name The component's name; the projects are `<name>-local-development`,
   *  `<name>-staging` and `<name>-production`, their tokens `<project>-token`, their
   *  settings `<project>-settings` and secure keys `<project>-secure-key`.
   * @param args The organization and the layout's settings.
   * @param opts Component options, passed on as the children's parent.
   */
  constructor(name: string, args: StandardProjectsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("posthog:index:StandardProjects", name, {}, opts);
    const adopt = args.adoptDefaultProject ?? "production";
    const projects = {} as Record<Environment, Project>;
    const tokens = {} as Record<Environment, ProjectToken>;
    const settingsResources: Partial<Record<Environment, ProjectSettings>> = {};
    const secureKeys: Partial<Record<Environment, ProjectSecretToken>> = {};
    const environments = {} as Record<Environment, EnvironmentOutputs>;

    for (const environment of ENVIRONMENTS) {
      const adopting = adopt === environment;
      const protect = environment === "production" ? (args.protectProduction ?? true) : undefined;
      const projectName = `${name}-${kebab(environment)}`;
      const { project, token } = projectWithToken(
        projectName,
        {
          organizationId: args.organizationId,
          name: args.names?.[environment] ?? DEFAULT_ENVIRONMENT_NAMES[environment],
          timezone: args.timezone,
          existingProjectId: adopting ? args.defaultProjectId : undefined,
          adoptDefaultProject: adopting && args.defaultProjectId === undefined ? true : undefined,
        },
        {
          rotation: args.tokenRotation?.[environment],
          protect,
          retainOnDelete: adopting ? (args.retainAdopted ?? true) : undefined,
          parent: this,
        },
      );
      projects[environment] = project;
      tokens[environment] = token;

      const values = { ...DEFAULT_ENVIRONMENT_SETTINGS[environment], ...args.settings?.[environment] };
      const managed = Object.keys(values).filter(
        (key) => values[key as keyof ProjectSettingsValues] !== undefined,
      );
      let settings: pulumi.Output<Record<string, SettingValue>> = pulumi.output(
        {} as Record<string, SettingValue>,
      );
      if (managed.length > 0) {
        const resource = new ProjectSettings(
          `${projectName}-settings`,
          { projectId: project.id, ...values },
          { parent: this },
        );
        settingsResources[environment] = resource;
        const outputs = resource as unknown as Record<string, pulumi.Output<SettingValue>>;
        const live = Object.fromEntries(managed.map((key) => [key, outputs[key]]));
        settings = pulumi.all(live);
      }

      let secureKey: pulumi.Output<string> | undefined;
      if (args.secureKeys) {
        const rotation = args.secureKeyRotation?.[environment];
        const key = new ProjectSecretToken(
          `${projectName}-secure-key`,
          { projectId: project.id, keepers: rotation === undefined ? {} : { rotation } },
          // Deleting the resource revokes the key: protected with the project, like the token.
          { parent: this, protect },
        );
        secureKeys[environment] = key;
        secureKey = key.token;
      }

      environments[environment] = {
        projectId: project.id,
        name: project.name,
        token: token.token,
        settings,
        ...(secureKey ? { secureKey } : {}),
      };
    }

    this.projects = projects;
    this.tokens = tokens;
    this.settings = settingsResources;
    this.secureKeys = secureKeys;
    this.environments = environments;
    this.registerOutputs({ environments });
  }
}

function kebab(value: string): string {
  return value.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
