/**
 * The ProjectToken resource's spec. What it does for users (inputs, outputs, what updates in
 * place and what replaces) is documented once, on the sdk class `ProjectToken` in
 * `sdk/project-token.ts`; comments here say only how.
 */
import { createHash } from "node:crypto";
import type { CheckResult, ResourceProvider } from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { PostHogApiError, PostHogClient, Project } from "../client";
import { providerContext } from "../context";
import { FieldPolicy, hasUnknowns, makeProvider, Props, ResourceSpec } from "./crud";
import { projectIdInput } from "./project";

/** Validated ProjectToken inputs. */
export const projectTokenInputs = z.object({
  projectId: projectIdInput,
  keepers: z
    .record(
      z.string(),
      z.string({
        error: (issue) =>
          `keepers values must be strings; got ${issue.input === null ? "null" : typeof issue.input}`,
      }),
    )
    .optional(),
  /**
   * Not the program's: `check` fills it in (see {@link projectTokenProvider}) with the
   * fingerprint of the token the state holds, so that a refresh, which diffs the read outputs
   * against the state's inputs, shows a token rotated elsewhere as `~ fingerprint`.
   */
  fingerprint: z.string().optional(),
});
export type ProjectTokenInputs = z.infer<typeof projectTokenInputs>;

/** ProjectToken outputs. */
export interface ProjectTokenOutputs {
  [key: string]: unknown;
  projectId: string;
  keepers?: Record<string, string>;
  /** The project's token (`phc_...`): secret, see the sdk class. */
  token: string;
  /** Not secret: what makes a token rotated out of band show as a change at refresh. */
  fingerprint: string;
  /** Where the project was last seen, to find it quickly (it may move). */
  organizationId: string;
}

/**
 * The first 8 hex digits of the token's SHA-256: secret outputs compare as equal in the
 * engine's display, so without a plain value that follows the token a rotation made
 * elsewhere would be written into state silently. 32 bits tell nothing about the token.
 */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 8);
}

/** The resource id of the token of project `projectId`. */
export function projectTokenId(projectId: string): string {
  return `${projectId}/token`;
}

function outputsOf(project: Project, keepers: Record<string, string> | undefined): ProjectTokenOutputs {
  return {
    projectId: String(project.id),
    keepers,
    token: project.api_token,
    fingerprint: tokenFingerprint(project.api_token),
    organizationId: project.organization,
  };
}

async function locateOrThrow(client: PostHogClient, projectId: string, hint?: string): Promise<Project> {
  const project = await client.projects.locate(projectId, hint);
  if (!project) {
    throw new Error(
      `Cannot read the token of Project ${projectId}: the project does not exist, is being deleted, or the credentials cannot see it.`,
    );
  }
  return project;
}

/**
 * What replaces a token resource (ProjectToken and ProjectSecretToken alike): another project,
 * or other keepers (ids compared as strings, keepers whatever their key order).
 */
export const TOKEN_REPLACING_FIELDS = {
  projectId: {
    onChange: "replace",
    whenAbsent: "compare",
    equals: (a: unknown, b: unknown) => a !== undefined && b !== undefined && String(a) === String(b),
  },
  keepers: {
    onChange: "replace",
    whenAbsent: "compare",
    equals: (a: unknown, b: unknown) => sameKeepers(a, b),
  },
} as const satisfies Record<string, FieldPolicy>;

/** The ProjectToken resource. */
export const projectTokenSpec: ResourceSpec<ProjectTokenInputs, ProjectTokenOutputs> = {
  kind: "ProjectToken",
  inputs: projectTokenInputs,
  fields: {
    ...TOKEN_REPLACING_FIELDS,
    // Absent (a new or replaced token, or a state from before the field) is no change.
    fingerprint: { onChange: "update", whenAbsent: "keep" },
  },
  deleteBeforeReplace: true,
  // Replacing the token deletes the old one, which is `reset_token`: session only.
  sessionAction: (_id, olds, _news, diff) =>
    diff.replaces && diff.replaces.length > 0
      ? `replace the token of Project ${String(olds.projectId ?? "?")} (rotation)`
      : undefined,

  async create(client, inputs) {
    const project = await locateOrThrow(client, inputs.projectId);
    return { id: projectTokenId(String(project.id)), outputs: outputsOf(project, inputs.keepers) };
  },

  async read(client, _id, state) {
    const project = await client.projects.locate(state.projectId, state.organizationId);
    return project ? outputsOf(project, state.keepers) : undefined;
  },

  async update(client, _id, olds, news) {
    const project = await locateOrThrow(client, news.projectId, olds.organizationId);
    return outputsOf(project, news.keepers);
  },

  async delete(client, _id, state) {
    // One request: rotate where the project was last seen, with the token in state as the one
    // to revoke (a recovery after a lost answer compares against it). A 404 means it moved or went.
    try {
      await client.projects.resetToken(state.organizationId, state.projectId, undefined, state.token);
      return;
    } catch (err) {
      if (!(err instanceof PostHogApiError && err.isGone)) throw err;
    }
    const project = await client.projects.locate(state.projectId, state.organizationId);
    if (!project) return; // gone or pending deletion: nothing to revoke
    await client.projects.resetToken(project.organization, project.id, project.name, state.token);
  },

  inputsOf(outputs) {
    return { projectId: outputs.projectId, keepers: outputs.keepers, fingerprint: outputs.fingerprint };
  },
};

/**
 * The provider: the CRUD flow, with `check` putting into the inputs the fingerprint of the
 * token the state will hold, so that even the first refresh after a create can show a rotation
 * made elsewhere (the engine's refresh diff compares the read outputs with the state's inputs;
 * an output that is not an input never shows):
 * - an unchanged token (same project and keepers): copied forward from the old inputs, no request;
 * - a new token on a project that exists: the project's current token, which `create` adopts
 *   (a project created earlier in the same `up` is in the read cache: no request);
 * - a replacement (a rotation): left out, since the new token is not known until `create`. The
 *   engine re-runs `check` without the old inputs once it decides to replace, so `diff`
 *   remembers, in this provider process, the projects whose token it replaces. The next refresh
 *   writes the fingerprint in (the read's inputs become the state's).
 * `diff` also remembers the token a replacement revokes: when the old resource is kept on delete
 * (an adopted project's token), `create` does the rotation itself.
 */
export function projectTokenProvider(): ResourceProvider<Props, Props> {
  const base = makeProvider(projectTokenSpec);
  const check = base.check as NonNullable<typeof base.check>;
  const diff = base.diff as NonNullable<typeof base.diff>;
  const replacing = new Set<string>();
  // Project id -> the token a replacement of the same project is to revoke. A token kept on
  // delete (an adopted project's: `retainOnDelete`) skips the old resource's delete, and with it
  // the rotation, so `create` rotates when it still finds that token.
  const toRevoke = new Map<string, string>();
  const create = base.create.bind(base);
  return {
    ...base,
    async create(props: Props) {
      const projectId = String(props.projectId);
      const oldToken = toRevoke.get(projectId);
      toRevoke.delete(projectId);
      if (oldToken !== undefined) {
        const { client } = providerContext();
        const project = await client.projects.locate(projectId);
        if (project && project.api_token === oldToken) {
          await client.projects.resetToken(project.organization, project.id, project.name, oldToken);
        }
      }
      return create(props);
    },
    async check(olds: Props, news: Props): Promise<CheckResult<Props>> {
      const result = await check(olds, news);
      const inputs = result.inputs;
      if ((result.failures?.length ?? 0) > 0 || !inputs || hasUnknowns(inputs.projectId)) return result;
      const projectId = String(inputs.projectId);
      const { fingerprint: _ignored, ...declared } = inputs;
      if (olds.projectId !== undefined) {
        const unchanged = String(olds.projectId) === projectId && sameKeepers(olds.keepers, inputs.keepers);
        return unchanged && typeof olds.fingerprint === "string"
          ? { ...result, inputs: { ...declared, fingerprint: olds.fingerprint } }
          : { ...result, inputs: declared };
      }
      if (replacing.has(projectId)) return { ...result, inputs: declared };
      // A lookup failing here is reported by `create`, which needs the project too.
      const project = await providerContext()
        .client.projects.locate(projectId)
        .catch(() => undefined);
      return project
        ? { ...result, inputs: { ...declared, fingerprint: tokenFingerprint(project.api_token) } }
        : { ...result, inputs: declared };
    },
    async diff(id: string, olds: Props, news: Props) {
      const result = await diff(id, olds, news);
      if ((result.replaces?.length ?? 0) > 0 && olds.projectId !== undefined) {
        replacing.add(String(olds.projectId));
        if (String(news.projectId) === String(olds.projectId) && typeof olds.token === "string") {
          toRevoke.set(String(olds.projectId), olds.token);
        }
        if (news.projectId !== undefined && !hasUnknowns(news.projectId))
          replacing.add(String(news.projectId));
      }
      return result;
    },
  };
}

/** Keepers with sorted keys; absent and empty are the same. */
function sorted(value: unknown): Array<[string, unknown]> {
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
}

/** Whether two keeper maps hold the same values, whatever their key order. */
function sameKeepers(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
