import * as pulumi from "@pulumi/pulumi";
import { retainedWithProject } from "./project";
import { PostHogResource } from "./resource";

/** Arguments of a {@link ProjectSecretToken}. Changing either REPLACES the resource, which rotates the key. */
export interface ProjectSecretTokenArgs {
  /** The project (its id, e.g. `project.id`); the key is its main environment's. */
  projectId: pulumi.Input<string | number>;
  /**
   * Arbitrary values; changing any of them rotates the key without downtime (for example
   * `{ rotation: "2026-11" }`). `pulumi up --replace` on the resource rotates too.
   */
  keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The feature-flags secure API key (`phs_...`) of a PostHog project: what server SDKs such as
 * posthog-node use to load flag definitions for local evaluation. PostHog keeps a backup slot
 * for it, so it can be rotated without a moment where a running server's key is refused.
 *
 * - Creating the resource adopts the project's current key, or generates one when the project
 *   has none.
 * - Replacing it (changed `keepers`, or `pulumi up --replace`) is create-before-delete: the
 *   new resource rotates (PostHog keeps the old key working as the backup), everything that
 *   uses {@link ProjectSecretToken.token} is updated in the same `up`, and only then does the
 *   old resource's delete end the backup. One `pulumi up` is a complete rotation. Do not set
 *   `deleteBeforeReplace` on it: that would end the old key before its users have the new one.
 * - A changed `projectId` also replaces it, but that is no rotation: the new resource adopts
 *   (or generates) the other project's key, and the old resource's delete revokes the old
 *   project's key.
 * - Removing the resource revokes its key, except for an adopted project's: as with
 *   {@link ProjectToken}, `projectId` being the `id` of a {@link Project} kept on delete makes
 *   `retainOnDelete: true` the default (`retainOnDelete: false` opts out).
 * - `pulumi refresh` picks up a rotation done elsewhere, and a backup deleted elsewhere.
 * - Rotating and ending keys are session-only in PostHog: configure `posthog:email` and
 *   `posthog:password` (and `posthog:totpSecret` with 2FA). Project admin is needed.
 * - {@link ProjectSecretToken.token} is a secret output.
 */
export class ProjectSecretToken extends PostHogResource {
  /** The project's id. */
  declare public readonly projectId: pulumi.Output<string>;
  /** The keepers the key was created with. */
  declare public readonly keepers: pulumi.Output<Record<string, string> | undefined>;
  /** The secure API key (`phs_...`). Secret. */
  declare public readonly token: pulumi.Output<string>;

  /**
   * @param name The unique name of the resource in the Pulumi program.
   * @param args The project and the rotation keepers.
   * @param opts Resource options; `token` is always added to `additionalSecretOutputs`.
   */
  constructor(name: string, args: ProjectSecretTokenArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ProjectSecretToken",
      name,
      // Every output needs its key in the props, given or not (Pulumi makes outputs from the keys).
      { keepers: undefined, ...args, token: undefined },
      {
        ...opts,
        retainOnDelete: opts?.retainOnDelete ?? retainedWithProject(args.projectId),
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "token"],
      },
    );
  }
}
