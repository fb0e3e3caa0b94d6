/**
 * ProjectSecretToken: the feature-flags secure API key (`phs_`, PostHog's `secret_api_token`)
 * of a project's main environment (`projectId`, `keepers`).
 *
 * - Create adopts the current key, or generates one when the project has none.
 * - Replacing (keepers, `--replace`) is create-before-delete: the new resource rotates (the
 *   old key moves to PostHog's backup slot and keeps working), the engine updates whatever
 *   uses the new key, and only then deletes the old resource, which ends the backup slot.
 *   `check` tells `create` which case it is in: it marks the inputs with `rotate` when there
 *   is an old state for the same project (the engine passes none for a new resource).
 * - Delete revokes the resource's key: the backup slot is deleted when that is where the key
 *   is; a primary key is rotated away and the backup then deleted. A key already gone is not
 *   an error, nor is a project that is gone.
 * - Read picks up a rotation done elsewhere (and a backup deleted elsewhere): `token` becomes
 *   the current primary.
 */
import { createHash } from "node:crypto";
import type { CheckResult, ResourceProvider } from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { Environment, PostHogApiError, PostHogClient } from "../client";
import { providerContext } from "../context";
import { makeProvider, Props, ResourceSpec } from "./crud";
import { projectIdInput } from "./project";
import { TOKEN_REPLACING_FIELDS } from "./project-token";

/** Validated ProjectSecretToken inputs. */
export const projectSecretTokenInputs = z.object({
  projectId: projectIdInput,
  keepers: z.record(z.string(), z.string({ error: "keepers values must be strings" })).optional(),
  /** Set by `check`, not by programs: this create replaces a key of the same project, so it rotates. */
  rotate: z.boolean({ error: "must be a boolean" }).optional(),
});
export type ProjectSecretTokenInputs = z.infer<typeof projectSecretTokenInputs>;

/** ProjectSecretToken outputs. */
export interface ProjectSecretTokenOutputs {
  [key: string]: unknown;
  projectId: string;
  keepers?: Record<string, string>;
  rotate?: boolean;
  /** The secure API key (`phs_...`): secret, see the sdk class. */
  token: string;
}

/**
 * The resource id: the project and a short fingerprint of the key, so the old and the new
 * resource of a create-before-delete replacement never share an id.
 */
export function projectSecretTokenId(projectId: string, token: string): string {
  const fingerprint = createHash("sha256").update(token).digest("hex").slice(0, 12);
  return `${projectId}/secret-token/${fingerprint}`;
}

async function findEnvironment(client: PostHogClient, projectId: string): Promise<Environment | undefined> {
  try {
    const environment = await client.environments.get(projectId);
    return environment.is_pending_deletion === true ? undefined : environment;
  } catch (err) {
    if (err instanceof PostHogApiError && err.isGone) return undefined;
    throw err;
  }
}

function outputsOf(inputs: ProjectSecretTokenInputs, token: string): ProjectSecretTokenOutputs {
  return { projectId: inputs.projectId, keepers: inputs.keepers, rotate: inputs.rotate, token };
}

/** The ProjectSecretToken resource. */
export const projectSecretTokenSpec: ResourceSpec<ProjectSecretTokenInputs, ProjectSecretTokenOutputs> = {
  kind: "ProjectSecretToken",
  inputs: projectSecretTokenInputs,
  fields: {
    ...TOKEN_REPLACING_FIELDS,
    // Bookkeeping between check and create: never a change by itself.
    rotate: { onChange: "update", whenAbsent: "keep", equals: () => true },
  },

  async create(client, inputs) {
    const current = await client.environments.get(inputs.projectId);
    const environment =
      inputs.rotate === true || !current.secret_api_token
        ? await client.environments.rotateSecretToken(inputs.projectId)
        : current;
    const token = environment.secret_api_token;
    if (!token) {
      throw new Error(
        `PostHog answered the rotation of Project ${inputs.projectId}'s secure API key without a key.`,
      );
    }
    return { id: projectSecretTokenId(inputs.projectId, token), outputs: outputsOf(inputs, token) };
  },

  async read(client, _id, state) {
    const environment = await findEnvironment(client, state.projectId);
    const token = environment?.secret_api_token;
    return token ? { ...state, token } : undefined;
  },

  async update(_client, _id, olds, news) {
    return outputsOf(news, olds.token);
  },

  async delete(client, _id, state) {
    const environment = await findEnvironment(client, state.projectId);
    if (!environment) return;
    if (environment.secret_api_token_backup === state.token) {
      await client.environments.deleteSecretTokenBackup(state.projectId);
    } else if (environment.secret_api_token === state.token) {
      await client.environments.rotateSecretToken(state.projectId);
      await client.environments.deleteSecretTokenBackup(state.projectId);
    }
  },

  inputsOf(outputs) {
    return { projectId: outputs.projectId, keepers: outputs.keepers };
  },
};

/**
 * The provider: the CRUD flow, with two ways of telling `create` that it replaces a key of the
 * same project, so that it rotates instead of adopting:
 * - `check` marks the inputs with `rotate` when it is given the old inputs (a `--replace`);
 * - `diff` remembers, in this provider process, each project whose key resource it answered
 *   "replace" for, with the key that resource holds. The engine re-runs `check` WITHOUT the old
 *   inputs once it has decided on a replacement (to recompute defaults), which clears `rotate`;
 *   diff, re-check and create of one `up` run in the same provider process, so `create` finds
 *   the project here and rotates when the current primary is still the replaced resource's key.
 */
export function projectSecretTokenProvider(): ResourceProvider<Props, Props> {
  const base = makeProvider(projectSecretTokenSpec);
  const check = base.check as NonNullable<typeof base.check>;
  const diff = base.diff as NonNullable<typeof base.diff>;
  const create = base.create as NonNullable<typeof base.create>;
  const replacing = new Map<string, string>();
  return {
    ...base,
    async check(olds: Props, news: Props): Promise<CheckResult<Props>> {
      const result = await check(olds, news);
      if ((result.failures?.length ?? 0) > 0 || !result.inputs) return result;
      const sameProject =
        olds.projectId !== undefined && String(olds.projectId) === String(result.inputs.projectId);
      return { ...result, inputs: { ...result.inputs, rotate: sameProject } };
    },
    async diff(id: string, olds: Props, news: Props) {
      const result = await diff(id, olds, news);
      const sameProject = olds.projectId !== undefined && String(olds.projectId) === String(news.projectId);
      if ((result.replaces?.length ?? 0) > 0 && sameProject && typeof olds.token === "string") {
        replacing.set(String(olds.projectId), olds.token);
      }
      return result;
    },
    async create(props: Props) {
      const projectId = String(props.projectId);
      const replacedKey = replacing.get(projectId);
      if (props.rotate !== true && replacedKey !== undefined) {
        const current = await findEnvironment(providerContext().client, projectId);
        // Rotate only while the primary is still the replaced resource's key: a key rotated
        // elsewhere since the diff is already a new key, which this resource adopts.
        if (current?.secret_api_token === replacedKey) props = { ...props, rotate: true };
      }
      replacing.delete(projectId);
      return create(props);
    },
  };
}
