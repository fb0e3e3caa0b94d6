/**
 * The ProjectToken resource's spec. What it does for users (inputs, outputs, what updates in
 * place and what replaces) is documented once, on the sdk class `ProjectToken` in
 * `sdk/project-token.ts`; comments here say only how.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { PostHogApiError, PostHogClient, Project } from "../client";
import { ResourceSpec } from "./crud";
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

/** The ProjectToken resource. */
export const projectTokenSpec: ResourceSpec<ProjectTokenInputs, ProjectTokenOutputs> = {
  kind: "ProjectToken",
  inputs: projectTokenInputs,
  fields: {
    projectId: {
      onChange: "replace",
      whenAbsent: "compare",
      equals: (a, b) => a !== undefined && b !== undefined && String(a) === String(b),
    },
    keepers: {
      onChange: "replace",
      whenAbsent: "compare",
      equals: (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b)),
    },
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
    return { projectId: outputs.projectId, keepers: outputs.keepers };
  },
};

/** Keepers with sorted keys; absent and empty are the same. */
function sorted(value: unknown): Array<[string, unknown]> {
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
}
