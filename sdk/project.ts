import * as pulumi from "@pulumi/pulumi";
import { PostHogResource } from "./resource";

/** Arguments of a {@link Project}. */
export interface ProjectArgs {
  /**
   * The organization that holds the project. Changing it MOVES the project in place
   * (PostHog's `change_organization`): same id, same token, its data comes along.
   * It needs admin rights in both organizations, and PostHog's session login
   * (`posthog:email`/`posthog:password`) because PostHog refuses API keys there.
   */
  organizationId: pulumi.Input<string>;
  /** The project's name (1 to 200 characters), unique within its organization (case-insensitive). Updates in place. */
  name: pulumi.Input<string>;
  /** IANA time zone, e.g. "Europe/Berlin". Updates in place. Left out: PostHog's value (default "UTC") is kept. */
  timezone?: pulumi.Input<string>;
  /** What the product does (PostHog uses it for AI features). Updates in place. Left out: kept as is. */
  productDescription?: pulumi.Input<string>;
  /**
   * Adopt this existing project (in `organizationId`) instead of creating one; its
   * name and settings are then set from these arguments. Dynamic resources cannot be
   * imported with `pulumi import`, so this is how to manage a project that exists.
   * A project pending deletion may be adopted too, and adopting it CANCELS its deletion
   * (its id, token and data come back): the way back after `pulumi destroy` then
   * `pulumi up` of the same stack, which the preview offers with the exact id. Naming a
   * different project later REPLACES the resource; removing the field after adoption
   * changes nothing.
   */
  existingProjectId?: pulumi.Input<string | number>;
  /**
   * Adopt the organization's "Default project" (created by PostHog with every
   * organization) if it still exists and is not being deleted, instead of creating a
   * project. Read only at creation.
   */
  adoptDefaultProject?: pulumi.Input<boolean>;
}

/**
 * A PostHog project: a silo of data with its own token (manage the token with
 * `ProjectToken`; this resource has no token output).
 *
 * Renames, time zone and description are in-place updates (PATCH). A new
 * `organizationId` is an in-place MOVE, never a replacement. Only a different
 * `existingProjectId` replaces. Deleting the resource deletes the project, unless it was
 * adopted: with `existingProjectId` or `adoptDefaultProject` set, the resource defaults to
 * `retainOnDelete: true`, as `pulumi import` protects what it imports, so `pulumi destroy`
 * (which shows it as `delete[retain]`) only forgets the project and its data stays. Pass
 * `retainOnDelete: false` in the resource options to have destroy delete an adopted project,
 * and `protect` for projects no change may replace. A {@link ProjectToken} (or
 * {@link ProjectSecretToken}) given this resource's `id` follows the same default. A
 * project that ingested events stays pending deletion for 48 hours (it counts as gone
 * here, but PostHog keeps its name and counts it toward the plan); one that never did
 * is removed at once. Nothing adopts a pending project by accident (no name lookup,
 * `adoptDefaultProject` or recovery picks one), only `existingProjectId`.
 * At preview the provider reports what PostHog would refuse: a project beyond the
 * plan's allowance, a duplicate name (for a name held by a project pending deletion:
 * which project, when the name frees, and how to get it back), a move without admin
 * rights in both organizations or out of an organization with fewer than two projects.
 */
export class Project extends PostHogResource {
  /** The organization the project is in. */
  declare public readonly organizationId: pulumi.Output<string>;
  /** The project's name. */
  declare public readonly name: pulumi.Output<string>;
  /** The project's time zone. */
  declare public readonly timezone: pulumi.Output<string>;
  /** The product description, if any. */
  declare public readonly productDescription: pulumi.Output<string | undefined>;
  /** The adopted project's id, when the project was adopted. */
  declare public readonly existingProjectId: pulumi.Output<string | undefined>;
  /** Whether the default project was asked to be adopted at creation. */
  declare public readonly adoptDefaultProject: pulumi.Output<boolean | undefined>;
  /** The project's UUID (the resource id is its numeric id, as a string). */
  declare public readonly uuid: pulumi.Output<string>;

  /**
   * @param name The unique name of the resource in the Pulumi program.
   * @param args The project's settings.
   * @param opts Resource options.
   */
  constructor(name: string, args: ProjectArgs, opts?: pulumi.CustomResourceOptions) {
    // Decided at construction (a resource option cannot wait for an Output): any value but
    // `false` may adopt, so it is kept unless the program says otherwise.
    const adopting =
      args.existingProjectId !== undefined ||
      (args.adoptDefaultProject !== undefined && args.adoptDefaultProject !== false);
    const retainOnDelete = opts?.retainOnDelete ?? (adopting ? true : undefined);
    super(
      "Project",
      name,
      // Every output needs its key in the props, given or not (Pulumi makes outputs from the keys).
      {
        timezone: undefined,
        productDescription: undefined,
        existingProjectId: undefined,
        adoptDefaultProject: undefined,
        ...args,
        uuid: undefined,
      },
      { ...opts, retainOnDelete },
    );
    if (retainOnDelete === true) retainedProjectIds.add(this.id);
  }
}

/** The `id` outputs of projects kept on delete, so their tokens are kept with them. */
const retainedProjectIds = new WeakSet<pulumi.Output<string>>();

/**
 * The default `retainOnDelete` of a resource of `projectId` that takes over something the
 * project already has (its token, its secure key): true when `projectId` is the `id` of a
 * {@link Project} kept on delete, since revoking an adopted project's token would cut off its
 * ingestion although the project stays.
 */
export function retainedWithProject(projectId: unknown): true | undefined {
  return pulumi.Output.isInstance(projectId) && retainedProjectIds.has(projectId as pulumi.Output<string>)
    ? true
    : undefined;
}
