import * as pulumi from "@pulumi/pulumi";
import type { MemberLevel as ProviderMemberLevel } from "../provider/fields/member";
import { PostHogResource } from "./resource";

/** A membership level by name: PostHog's MEMBER (1), ADMIN (8) and OWNER (15). */
export type MemberLevel = ProviderMemberLevel;

/** Arguments of an {@link OrganizationMember}. */
export interface OrganizationMemberArgs {
  /** The organization (its id, e.g. `organization.id`). A different organization replaces the resource. */
  organizationId: pulumi.Input<string>;
  /** The person's email address. A different address replaces the resource (the old one is removed first). */
  email: pulumi.Input<string>;
  /** `"member"` (default), `"admin"` or `"owner"`. Updates in place. */
  level?: pulumi.Input<MemberLevel>;
  /** First name shown in the invite (at most 30 characters). Only used when an invite is sent. */
  firstName?: pulumi.Input<string>;
  /** Ask PostHog to email the invite (PostHog's default: yes, when its email is set up). */
  sendEmail?: pulumi.Input<boolean>;
  /**
   * Leave the person in the organization (or the invite pending) when the resource is
   * deleted, like the Terraform provider's `retain_on_destroy`. Required for the
   * account that runs Pulumi: removing yourself is refused at preview.
   */
  retainOnDelete?: pulumi.Input<boolean>;
}

/**
 * One person in a PostHog organization, by email.
 *
 * - **Already a member**: the resource manages their level (PostHog's
 *   `PATCH /api/organizations/{org}/members/{user_uuid}/`). `status` is `"member"`.
 * - **Not a member**: the resource invites the address at `level`; `status` is
 *   `"invited"` until the person accepts, then `"member"` (seen on `pulumi refresh`).
 *   Past PostHog's invite window (3 days) `refresh` shows `"expired"` and the next
 *   `up` invites again. A second invite to the same address replaces the first, as in
 *   PostHog.
 * - **Delete** removes the membership, or cancels the invite, unless `retainOnDelete`.
 *
 * Refused at preview, with PostHog's own messages: changing your own level; removing
 * yourself (declare yourself only with `retainOnDelete: true`); raising someone above
 * your own level; editing anyone as a member-level caller, or someone above you;
 * inviting above your level; and inviting a non-member as `"owner"` (PostHog keeps one
 * owner: invite as admin, then pass on ownership). Setting an existing member to
 * `"owner"` is PostHog's ownership transfer: the preview warns that you (the old
 * owner) become an admin.
 *
 * Declare at most one `"owner"` per organization. Each resource is checked on its own
 * inputs, so two resources both at `"owner"` are not refused at preview: PostHog would
 * transfer ownership once per resource and the last one applied would win. The root
 * program's layout config (`members` per organization) sees them all and refuses it.
 *
 * Needs the `organization_member:read`/`organization_member:write` scopes (or `*`),
 * and `user:read` for the account check.
 */
export class OrganizationMember extends PostHogResource {
  /** The organization's id. */
  declare public readonly organizationId: pulumi.Output<string>;
  /** The person's email address. */
  declare public readonly email: pulumi.Output<string>;
  /** The level: as declared, or as PostHog holds it after `refresh`. */
  declare public readonly level: pulumi.Output<MemberLevel>;
  /** `"member"`, `"invited"` (waiting for the person) or `"expired"` (the next `up` invites again). */
  declare public readonly status: pulumi.Output<"member" | "invited" | "expired">;
  /** The user's uuid, once they are a member. */
  declare public readonly userUuid: pulumi.Output<string | undefined>;
  /** The pending invite's id, while invited. */
  declare public readonly inviteId: pulumi.Output<string | undefined>;
  /** Whether deleting the resource leaves the person in place. */
  declare public readonly retainOnDelete: pulumi.Output<boolean | undefined>;

  /**
   * @param name The unique name of the resource in the Pulumi program.
   * @param args The organization, the address and the level.
   * @param opts Resource options.
   */
  constructor(name: string, args: OrganizationMemberArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "OrganizationMember",
      name,
      // Every output needs its key in the props, given or not (Pulumi makes outputs from the keys).
      {
        level: undefined,
        retainOnDelete: undefined,
        ...args,
        status: undefined,
        userUuid: undefined,
        inviteId: undefined,
      },
      opts,
    );
  }
}
