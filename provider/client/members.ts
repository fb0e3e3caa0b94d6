/**
 * Members and invites: `/api/organizations/{org}/members/` and `.../invites/`, and the
 * caller's own account (`/api/users/@me/`), which the member rules need to tell "you"
 * from "someone else".
 */
import { z } from "zod";
import { OperationContext, PostHogApiError } from "./errors";
import { MembershipLevel } from "./membership";
import { apiPath, HttpClient } from "./http";
import { noContentSchema } from "./schemas";

/** PostHog's membership level numbers. */
export type LevelNumber = (typeof MembershipLevel)[keyof typeof MembershipLevel];

/** `GET /api/organizations/{org}/members/` entries (OrganizationMemberSerializer). */
export const memberSchema = z.looseObject({
  id: z.string(),
  level: z.number().int(),
  joined_at: z.string().nullish(),
  user: z.looseObject({
    uuid: z.string(),
    email: z.string(),
    first_name: z.string().nullish(),
  }),
});
export type Member = z.infer<typeof memberSchema>;

/** `GET/POST /api/organizations/{org}/invites/` (OrganizationInviteSerializer). */
export const inviteSchema = z.looseObject({
  id: z.string(),
  target_email: z.string(),
  first_name: z.string().nullish(),
  level: z.number().int(),
  is_expired: z.boolean(),
  created_at: z.string().nullish(),
});
export type Invite = z.infer<typeof inviteSchema>;

/** `GET /api/users/@me/`: only what the member rules need. */
export const meSchema = z.looseObject({ uuid: z.string(), email: z.string() });
export type Me = z.infer<typeof meSchema>;

/** What an invite asks for. */
export interface InviteWrite {
  target_email: string;
  level: LevelNumber;
  first_name?: string;
  send_email?: boolean;
}

/**
 * Whether two addresses are the same mailbox as PostHog matches them: the domain is
 * case-insensitive; users are looked up case-insensitively too, so compare both parts so.
 */
export function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

const memberLabel = (organizationId: string, email?: string) =>
  email ? `member ${email} of Organization ${organizationId}` : `members of Organization ${organizationId}`;

/** Member and invite calls of the PostHog client. */
export class MembersApi {
  constructor(private readonly http: HttpClient) {}

  /** The account the credentials belong to. */
  me(): Promise<Me> {
    return this.http.request({
      op: { action: "read", resource: "the current user" },
      method: "GET",
      // Not through apiPath: `@me` is a literal route segment, and an encoded `%40me` is not it everywhere.
      path: `${apiPath("users")}@me/`,
      schema: meSchema,
    });
  }

  /** Every member of the organization (all pages). */
  list(organizationId: string): Promise<Member[]> {
    return this.http.list(
      { action: "list", resource: memberLabel(organizationId) },
      apiPath("organizations", organizationId, "members"),
      memberSchema,
    );
  }

  /** The member with this email, if any. */
  async find(organizationId: string, email: string): Promise<Member | undefined> {
    return (await this.list(organizationId)).find((m) => sameEmail(m.user.email, email));
  }

  /** PATCHes a member's level (PostHog: only `level` is writable). */
  setLevel(organizationId: string, member: Member, level: LevelNumber): Promise<Member> {
    return this.http.request({
      op: { action: "change the level of", resource: memberLabel(organizationId, member.user.email) },
      method: "PATCH",
      path: apiPath("organizations", organizationId, "members", member.user.uuid),
      body: { level },
      schema: memberSchema,
      // Setting a level twice leaves the same level.
      idempotent: true,
    });
  }

  /** Removes a membership; false when it was already gone. */
  async remove(organizationId: string, member: Member): Promise<boolean> {
    try {
      await this.http.request({
        op: { action: "remove", resource: memberLabel(organizationId, member.user.email) },
        method: "DELETE",
        path: apiPath("organizations", organizationId, "members", member.user.uuid),
        schema: noContentSchema,
      });
      return true;
    } catch (err) {
      if (err instanceof PostHogApiError && err.isGone) return false;
      throw err;
    }
  }

  /** Every invite of the organization, expired ones included. Accepts a page or a bare array. */
  async invites(organizationId: string): Promise<Invite[]> {
    const op: OperationContext = { action: "list invites of", resource: `Organization ${organizationId}` };
    const path = apiPath("organizations", organizationId, "invites");
    const schema = z.union([
      z.array(inviteSchema),
      z.looseObject({ next: z.string().nullish(), results: z.array(inviteSchema) }),
    ]);
    const first = await this.http.request({ op, method: "GET", path, schema });
    if (Array.isArray(first)) return first;
    if (!first.next) return first.results;
    return this.http.list(op, path, inviteSchema);
  }

  /** The newest invite for this address, if any. */
  async findInvite(organizationId: string, email: string): Promise<Invite | undefined> {
    return (await this.invites(organizationId)).find((i) => sameEmail(i.target_email, email));
  }

  /**
   * Invites someone. PostHog replaces every earlier invite for the same address, so
   * sending it again after a lost response leaves one invite: safe to repeat.
   */
  invite(organizationId: string, body: InviteWrite): Promise<Invite> {
    return this.http.request({
      op: { action: "invite", resource: memberLabel(organizationId, body.target_email) },
      method: "POST",
      path: apiPath("organizations", organizationId, "invites"),
      body,
      schema: inviteSchema,
      idempotent: true,
    });
  }

  /** Cancels an invite; false when it was already gone. */
  async cancelInvite(organizationId: string, invite: Invite): Promise<boolean> {
    try {
      await this.http.request({
        op: { action: "cancel the invite of", resource: memberLabel(organizationId, invite.target_email) },
        method: "DELETE",
        path: apiPath("organizations", organizationId, "invites", invite.id),
        schema: noContentSchema,
      });
      return true;
    } catch (err) {
      if (err instanceof PostHogApiError && err.isGone) return false;
      throw err;
    }
  }
}
