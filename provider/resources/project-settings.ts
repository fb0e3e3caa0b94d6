/**
 * The ProjectSettings resource's spec. What it does for users (which settings, what is managed,
 * what destroy does, how an ignored setting is reported) is documented once, on the sdk class
 * `ProjectSettings` in `sdk/project-settings.ts`; comments here say only how.
 */
import { z } from "zod";
import { Environment, EnvironmentSettingsWire, PostHogApiError, PostHogClient } from "../client";
import { warn } from "../engine-log";
import {
  Setting,
  SETTING_NAMES,
  SETTINGS,
  SettingName,
  SettingValues,
  settingValuesSchema,
} from "../fields/project-settings";
import { FieldPolicy, ResourceSpec } from "./crud";
import { projectIdInput } from "./project";

/** Validated ProjectSettings inputs. */
export const projectSettingsInputs = settingValuesSchema.extend({ projectId: projectIdInput });
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
