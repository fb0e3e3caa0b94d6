import * as pulumi from "@pulumi/pulumi";
import { providerStub } from "./provider-stub";

/** Arguments of an {@link Organization}. Every field updates in place; none replaces. */
export interface OrganizationArgs {
  /** The organization's name (1 to 64 characters). PostHog allows several organizations with the same name. */
  name: pulumi.Input<string>;
  /** Require two-factor authentication of every member. Left out: PostHog's current value is kept. */
  enforce2fa?: pulumi.Input<boolean>;
  /** Let members (not only admins) invite people. Left out: PostHog's current value is kept. */
  membersCanInvite?: pulumi.Input<boolean>;
  /** Let members create personal API keys for this organization. Left out: PostHog's current value is kept. */
  membersCanUsePersonalApiKeys?: pulumi.Input<boolean>;
  /** Email the members when someone joins. Left out: PostHog's current value is kept. */
  isMemberJoinEmailEnabled?: pulumi.Input<boolean>;
  /** Allow sharing dashboards, insights and recordings publicly. Left out: PostHog's current value is kept. */
  allowPubliclySharedResources?: pulumi.Input<boolean>;
}

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
export class Organization extends pulumi.dynamic.Resource {
  /** The organization's name. */
  declare public readonly name: pulumi.Output<string>;
  /** Whether two-factor authentication is enforced for members. */
  declare public readonly enforce2fa: pulumi.Output<boolean | undefined>;
  /** Whether members may invite people. */
  declare public readonly membersCanInvite: pulumi.Output<boolean | undefined>;
  /** Whether members may use personal API keys. */
  declare public readonly membersCanUsePersonalApiKeys: pulumi.Output<boolean | undefined>;
  /** Whether members are emailed when someone joins. */
  declare public readonly isMemberJoinEmailEnabled: pulumi.Output<boolean | undefined>;
  /** Whether resources may be shared publicly. */
  declare public readonly allowPubliclySharedResources: pulumi.Output<boolean | undefined>;
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
      providerStub("Organization"),
      name,
      {
        ...args,
        slug: undefined,
        membershipLevel: undefined,
        defaultProjectId: undefined,
        projectAllowance: undefined,
      },
      opts,
      "posthog",
      "Organization",
    );
  }
}
