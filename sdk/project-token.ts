import * as pulumi from "@pulumi/pulumi";
import { retainedWithProject } from "./project";
import { PostHogResource } from "./resource";

/** Arguments of a {@link ProjectToken}. Changing either REPLACES the token resource, which rotates the token. */
export interface ProjectTokenArgs {
  /** The project (its id, e.g. `project.id`). A different project replaces the resource. */
  projectId: pulumi.Input<string | number>;
  /**
   * Arbitrary values; changing any of them rotates the token (for example
   * `{ rotation: "2026-11" }`). `pulumi up --replace` on the resource rotates too.
   */
  keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The token (`phc_...`) of a PostHog project. PostHog has one token per project, and
 * regenerating it revokes the old one at once.
 *
 * - Creating the resource adopts the project's current token: no rotation, safe to
 *   add to a live project.
 * - A token of an adopted project is adopted too: when `projectId` is the `id` of a
 *   {@link Project} kept on delete (adopted, see {@link Project}), this resource defaults to
 *   `retainOnDelete: true`, so `pulumi destroy` leaves the token working. Pass
 *   `retainOnDelete: false` to revoke it on destroy, or `true` for a project this program
 *   does not declare.
 * - Deleting it revokes the token (PostHog's `reset_token`), unless the project is
 *   gone (a project being deleted has its token revoked too: the delete is one request,
 *   from state). PostHog allows that only in a logged-in session: configure
 *   `posthog:email` and `posthog:password` (and `posthog:totpSecret` with 2FA).
 * - Changing `keepers` or `projectId` replaces it delete-first (always; this class
 *   sets `deleteBeforeReplace`): exactly one rotation, after which the resource holds
 *   the new token.
 * - `pulumi refresh` picks up a token rotated elsewhere, and shows it as a change (`~`)
 *   of {@link ProjectToken.fingerprint}, from the first refresh after the token was created
 *   or adopted. After a rotation by Pulumi the next refresh records the new fingerprint, and
 *   shows a rotation made elsewhere from then on (the new token is not known at preview).
 * - {@link ProjectToken.token} is a secret output.
 */
export class ProjectToken extends PostHogResource {
  /** The project's id. */
  declare public readonly projectId: pulumi.Output<string>;
  /** The keepers the token was created with. */
  declare public readonly keepers: pulumi.Output<Record<string, string> | undefined>;
  /** The project token (`phc_...`). Secret. */
  declare public readonly token: pulumi.Output<string>;
  /**
   * Not secret: the first 8 hex digits of the token's SHA-256. It changes whenever the
   * token does, so a rotation made outside Pulumi shows in `pulumi refresh --diff`
   * (the secret token itself always displays as unchanged). Compare it with
   * `printf %s "$TOKEN" | sha256sum | cut -c1-8`.
   */
  declare public readonly fingerprint: pulumi.Output<string>;
  /** The organization the project was in when last read. */
  declare public readonly organizationId: pulumi.Output<string>;

  /**
   * @param name The unique name of the resource in the Pulumi program.
   * @param args The project and the rotation keepers.
   * @param opts Resource options; `deleteBeforeReplace` is always set, and `token` is
   *  always added to `additionalSecretOutputs`.
   */
  constructor(name: string, args: ProjectTokenArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ProjectToken",
      name,
      // Every output needs its key in the props, given or not (Pulumi makes outputs from the keys).
      { keepers: undefined, ...args, token: undefined, fingerprint: undefined, organizationId: undefined },
      {
        ...opts,
        retainOnDelete: opts?.retainOnDelete ?? retainedWithProject(args.projectId),
        // Create-before-delete would adopt the current token and then revoke it.
        deleteBeforeReplace: true,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "token"],
      },
    );
  }
}
