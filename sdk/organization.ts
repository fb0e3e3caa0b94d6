import * as pulumi from "@pulumi/pulumi";
// Types only: the sdk never loads the provider at run time.
import type { ORGANIZATION_FLAGS, OrganizationFlag } from "../provider/fields/organization";
import { PostHogResource } from "./resource";

/**
 * The organization flags as arguments; each one's documentation is in
 * {@link ORGANIZATION_FLAGS}, the one table of them.
 */
export type OrganizationFlagArgs = { [K in keyof typeof ORGANIZATION_FLAGS]?: pulumi.Input<boolean> };

/** The organization flags as outputs: undefined when PostHog's response lacks one. */
export type OrganizationFlagOutputs = {
  readonly [K in keyof typeof ORGANIZATION_FLAGS]: pulumi.Output<boolean | undefined>;
};

/** Arguments of an {@link Organization}. Every field updates in place; none replaces. */
export interface OrganizationArgs extends OrganizationFlagArgs {
  /** The organization's name (1 to 64 characters). PostHog allows several organizations with the same name. */
  name: pulumi.Input<string>;
}

/**
 * Every flag as an output property: Pulumi makes an output only for a key in the props, so
 * each flag's key is there whether or not the program sets it (checked against the table).
 */
const FLAG_OUTPUTS: Record<OrganizationFlag, undefined> = {
  enforce2fa: undefined,
  membersCanInvite: undefined,
  membersCanUsePersonalApiKeys: undefined,
  isMemberJoinEmailEnabled: undefined,
  allowPubliclySharedResources: undefined,
};

/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging --
   The flag outputs are declared from the table and merged into the class's instance
   type; the class declares none of them itself (types only; FLAG_OUTPUTS gives each its
   key in the props, so the engine's value reaches it). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Organization extends OrganizationFlagOutputs {}

/**
 * A PostHog organization.
 *
 * Creating one makes the caller its OWNER, and PostHog creates a project named
 * "Default project" with it ({@link Organization.defaultProjectId}); adopt that
 * project with `Project`'s `existingProjectId` or `adoptDefaultProject` rather than
 * leaving it as a stray. Renames and flag changes are in-place updates (they need the
 * ADMIN level). Deleting the resource deletes the organization and every project in
 * it, and needs the OWNER level: the provider says so, naming the organization, when
 * the credentials are not an owner. Use `protect` or `retainOnDelete` for
 * organizations that must outlive the stack.
 */
export class Organization extends PostHogResource {
  /** The organization's name. */
  declare public readonly name: pulumi.Output<string>;
  /** URL slug PostHog derived from the name (read-only). */
  declare public readonly slug: pulumi.Output<string>;
  /** The caller's membership level: 1 member, 8 admin, 15 owner. */
  declare public readonly membershipLevel: pulumi.Output<number>;
  /** Id of the "Default project" PostHog created with the organization (recorded at creation). */
  declare public readonly defaultProjectId: pulumi.Output<number | undefined>;
  /**
   * How many projects the organization's plan allows: 1 without PostHog's
   * `organizations_projects` feature, else the feature's limit (2000, PostHog's hard
   * cap, when unlimited).
   */
  declare public readonly projectAllowance: pulumi.Output<number>;

  /**
   * @param name The unique name of the resource in the Pulumi program.
   * @param args The organization's settings.
   * @param opts Resource options.
   */
  constructor(name: string, args: OrganizationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "Organization",
      name,
      {
        ...FLAG_OUTPUTS,
        ...args,
        slug: undefined,
        membershipLevel: undefined,
        defaultProjectId: undefined,
        projectAllowance: undefined,
      },
      opts,
    );
  }
}
