/**
 * OrganizationMember: one person's place in an organization, by email. When the
 * address already belongs to a member, the resource manages that member's level;
 * otherwise it invites the address, and `status` reads `invited` until the person
 * accepts (then `member`; `expired` once PostHog's invite window has passed, and the
 * next `up` invites again). Deleting removes the membership or cancels the invite,
 * unless `retainOnDelete` is set.
 *
 * The rules PostHog applies to members (posthog/models/organization.py
 * `OrganizationMembership.validate_update`, posthog/api/organization_invite.py) are
 * checked at preview, with PostHog's own messages, so a refused change fails `preview`
 * instead of half-way through `up`.
 */
import type { CheckFailure, DiffResult, ResourceProvider } from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { MEMBER_LEVELS } from "../fields/member";
import { LevelNumber, Member, MembershipLevel, PostHogClient, sameEmail } from "../client";
import { warn } from "../engine-log";
import { FieldPolicy, makeProvider, Props, ResourceSpec } from "./crud";

/** Level names as inputs take them, and PostHog's numbers. */
export const LEVELS = {
  member: MembershipLevel.MEMBER,
  admin: MembershipLevel.ADMIN,
  owner: MembershipLevel.OWNER,
} as const;
export type LevelName = keyof typeof LEVELS;

export function levelName(level: number): LevelName {
  if (level >= MembershipLevel.OWNER) return "owner";
  if (level >= MembershipLevel.ADMIN) return "admin";
  return "member";
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Validated OrganizationMember inputs. */
export const organizationMemberInputs = z.object({
  organizationId: z.string({ error: "must be a string" }).trim().min(1, "must not be empty"),
  email: z
    .string({ error: "must be a string" })
    .trim()
    .regex(EMAIL, "must be an email address")
    .max(254, "must be at most 254 characters"),
  level: z.enum(MEMBER_LEVELS, { error: 'must be "member", "admin" or "owner"' }).default("member"),
  firstName: z
    .string({ error: "must be a string" })
    .trim()
    .max(30, "must be at most 30 characters (PostHog's limit)")
    .optional(),
  sendEmail: z.boolean({ error: "must be a boolean" }).optional(),
  retainOnDelete: z.boolean({ error: "must be a boolean" }).optional(),
});
export type OrganizationMemberInputs = z.infer<typeof organizationMemberInputs>;

/** Where the person stands: a member, invited, or invited too long ago. */
export type MemberStatus = "member" | "invited" | "expired";

/** OrganizationMember outputs. */
export interface OrganizationMemberOutputs extends OrganizationMemberInputs {
  [key: string]: unknown;
  status: MemberStatus;
  /** The user's uuid, once a member. */
  userUuid?: string;
  /** The pending invite's id, while invited. */
  inviteId?: string;
}

/** The caller's standing in the organization, and the target's, for the rules. */
interface Standing {
  me: { email: string; level: number };
  target?: Member;
}

async function standing(client: PostHogClient, organizationId: string, email: string): Promise<Standing> {
  const [me, members] = await Promise.all([client.members.me(), client.members.list(organizationId)]);
  const mine = members.find((m) => sameEmail(m.user.email, me.email));
  return {
    me: { email: me.email, level: mine?.level ?? 0 },
    target: members.find((m) => sameEmail(m.user.email, email)),
  };
}

/**
 * What PostHog would refuse, in its words, for making `email` a `level` in the
 * organization; empty when it would accept. `removing` checks a removal instead.
 */
export function memberRuleViolations(
  s: Standing,
  email: string,
  level: LevelNumber | undefined,
  removing = false,
): string[] {
  const self = sameEmail(s.me.email, email);
  if (self) {
    if (removing) {
      return [
        `${email} is the account that runs Pulumi: removing it would lock this stack out of the organization. Remove it by hand, or retain it (retainOnDelete).`,
      ];
    }
    if (s.target && level !== undefined && level !== s.target.level)
      return ["You can't change your own access level."];
    return [];
  }
  if (!s.target) {
    if (removing) return [];
    if (level === MembershipLevel.OWNER) {
      return [
        `${email} is not a member yet: PostHog keeps one owner per organization, so invite them as "admin" and pass on ownership once they have joined.`,
      ];
    }
    if (level !== undefined && level > s.me.level) {
      return ["You cannot invite a user with a higher permission level than your own."];
    }
    return [];
  }
  const failures: string[] = [];
  if (level !== undefined && level !== s.target.level) {
    if (level === MembershipLevel.OWNER) {
      if (s.me.level !== MembershipLevel.OWNER)
        failures.push("You can only make another member owner if you're this organization's owner.");
    } else if (level > s.me.level) {
      failures.push("You can only change access level of others to lower or equal to your current one.");
    }
  }
  if (failures.length === 0 && (removing || (level !== undefined && level !== s.target.level))) {
    if (s.me.level < MembershipLevel.ADMIN) failures.push("You can only edit others if you are an admin.");
    else if (s.target.level > s.me.level)
      failures.push("You can only edit others with level lower or equal to you.");
    else if (removing && s.target.level === MembershipLevel.OWNER) {
      failures.push("The organization owner cannot be removed. Pass on ownership first.");
    }
  }
  return failures;
}

function memberOutputs(inputs: OrganizationMemberInputs, member: Member): OrganizationMemberOutputs {
  return {
    ...inputs,
    level: levelName(member.level),
    status: "member",
    userUuid: member.user.uuid,
    inviteId: undefined,
  };
}

async function invite(
  client: PostHogClient,
  inputs: OrganizationMemberInputs,
): Promise<OrganizationMemberOutputs> {
  const sent = await client.members.invite(inputs.organizationId, {
    target_email: inputs.email,
    level: LEVELS[inputs.level],
    first_name: inputs.firstName,
    send_email: inputs.sendEmail,
  });
  return {
    ...inputs,
    status: sent.is_expired ? "expired" : "invited",
    inviteId: sent.id,
    userUuid: undefined,
  };
}

/** Makes the live state match the inputs: level for a member, an invite otherwise. */
async function apply(
  client: PostHogClient,
  inputs: OrganizationMemberInputs,
  previous?: OrganizationMemberOutputs,
): Promise<OrganizationMemberOutputs> {
  const s = await standing(client, inputs.organizationId, inputs.email);
  const level = LEVELS[inputs.level];
  const refused = memberRuleViolations(s, inputs.email, level);
  if (refused.length > 0) throw new Error(`OrganizationMember ${inputs.email}: ${refused.join(" ")}`);
  if (s.target) {
    const member =
      s.target.level === level
        ? s.target
        : await client.members.setLevel(inputs.organizationId, s.target, level);
    return memberOutputs(inputs, member);
  }
  const pending = await client.members.findInvite(inputs.organizationId, inputs.email);
  const same =
    pending &&
    !pending.is_expired &&
    pending.level === level &&
    (pending.first_name ?? "") === (inputs.firstName ?? previous?.firstName ?? pending.first_name ?? "");
  if (pending && same) return { ...inputs, status: "invited", inviteId: pending.id, userUuid: undefined };
  return invite(client, inputs);
}

const id = (inputs: Pick<OrganizationMemberInputs, "organizationId" | "email">) =>
  `${inputs.organizationId}/${inputs.email.toLowerCase()}`;

const keep: FieldPolicy = { onChange: "update", whenAbsent: "keep" };

/** The OrganizationMember resource. */
export const organizationMemberSpec: ResourceSpec<OrganizationMemberInputs, OrganizationMemberOutputs> = {
  kind: "OrganizationMember",
  inputs: organizationMemberInputs,
  fields: {
    organizationId: { onChange: "replace", whenAbsent: "compare" },
    email: { onChange: "replace", whenAbsent: "compare", equals: (a, b) => sameEmail(String(a), String(b)) },
    level: { onChange: "update", whenAbsent: "compare" },
    firstName: keep,
    sendEmail: keep,
    retainOnDelete: { onChange: "update", whenAbsent: "compare" },
  },
  // A replace of the same address must cancel the old invite before inviting again.
  deleteBeforeReplace: true,

  async remoteCheck(client, olds, news) {
    const s = await standing(client, news.organizationId, news.email);
    const reasons = memberRuleViolations(s, news.email, LEVELS[news.level]);
    if (sameEmail(s.me.email, news.email) && !news.retainOnDelete) {
      // Deleting this resource would remove the account that runs Pulumi: refuse now, not at destroy.
      reasons.push(...memberRuleViolations(s, news.email, undefined, true));
    }
    const failures: CheckFailure[] = reasons.map((reason) => ({
      property: "level",
      reason: `OrganizationMember ${news.email}: ${reason}`,
    }));
    if (
      failures.length === 0 &&
      s.target &&
      news.level === "owner" &&
      s.target.level !== MembershipLevel.OWNER
    ) {
      // PostHog's rule: one owner; handing ownership over makes the old owner an admin.
      await warn(
        `OrganizationMember ${news.email}: ownership of organization ${news.organizationId} passes to ${news.email}; ${s.me.email} (the account that runs Pulumi) becomes an admin.`,
      );
    }
    void olds;
    return failures;
  },

  async create(client, inputs) {
    return { id: id(inputs), outputs: await apply(client, inputs) };
  },

  async read(client, _id, state) {
    const member = await client.members.find(state.organizationId, state.email);
    if (member) return memberOutputs(state, member);
    const pending = await client.members.findInvite(state.organizationId, state.email);
    if (!pending) return undefined;
    return {
      ...state,
      level: levelName(pending.level),
      status: pending.is_expired ? "expired" : "invited",
      inviteId: pending.id,
      userUuid: undefined,
    };
  },

  async update(client, _id, olds, news) {
    return apply(client, news, olds);
  },

  async delete(client, _id, state) {
    if (state.retainOnDelete) return;
    const s = await standing(client, state.organizationId, state.email);
    if (s.target) {
      const refused = memberRuleViolations(s, state.email, undefined, true);
      if (refused.length > 0) throw new Error(`OrganizationMember ${state.email}: ${refused.join(" ")}`);
      await client.members.remove(state.organizationId, s.target);
      return;
    }
    for (const pending of (await client.members.invites(state.organizationId)).filter((i) =>
      sameEmail(i.target_email, state.email),
    )) {
      await client.members.cancelInvite(state.organizationId, pending);
    }
  },

  inputsOf(outputs) {
    const inputs: Props = {
      organizationId: outputs.organizationId,
      email: outputs.email,
      level: outputs.level,
    };
    for (const key of ["firstName", "sendEmail", "retainOnDelete"] as const) {
      if (outputs[key] !== undefined) inputs[key] = outputs[key];
    }
    return inputs;
  },
};

/**
 * The provider: the CRUD flow, plus one change it cannot see from inputs alone. An
 * invite that has expired (state `status: "expired"`, found by refresh) is an update,
 * so the next `up` invites again.
 */
export function organizationMemberProvider(): ResourceProvider<Props, Props> {
  const base = makeProvider(organizationMemberSpec);
  return {
    ...base,
    async diff(resourceId: string, olds: Props, news: Props): Promise<DiffResult> {
      const result = await (base.diff as NonNullable<typeof base.diff>)(resourceId, olds, news);
      if (!result.changes && olds.status === "expired") return { ...result, changes: true };
      return result;
    },
  };
}

/** How many addresses a move preview names before it only counts. */
export const MOVE_PREVIEW_NAMES = 10;

/**
 * The text a move preview shows: who is a member of the source organization but not
 * of the target, and so loses access to the project (PostHog's product page: members
 * of the old organization lose access to a moved project, API keys included).
 * Undefined when nobody does.
 */
export function accessLostOnMove(
  project: string,
  source: { name: string; members: readonly Member[] },
  target: { name: string; members: readonly Member[] },
): string | undefined {
  const lose = source.members
    .filter((m) => !target.members.some((t) => sameEmail(t.user.email, m.user.email)))
    .map((m) => m.user.email)
    .sort();
  if (lose.length === 0) return undefined;
  const named = lose.slice(0, MOVE_PREVIEW_NAMES).join(", ");
  const more = lose.length > MOVE_PREVIEW_NAMES ? ` and ${lose.length - MOVE_PREVIEW_NAMES} more` : "";
  const who = lose.length === 1 ? "1 member" : `${lose.length} members`;
  return (
    `Moving project "${project}" from "${source.name}" to "${target.name}": ${who} of "${source.name}" ` +
    `not in "${target.name}" will lose access to it: ${named}${more}. ` +
    `Their personal API keys (including keys scoped to this project) stop working for it too.`
  );
}

/**
 * Logs {@link accessLostOnMove} as a warning on the resource being previewed. Information,
 * not a refusal: a failure to list members only loses the warning.
 */
export async function announceAccessLostOnMove(
  client: PostHogClient,
  project: string,
  source: { id: string; name: string },
  target: { id: string; name: string },
): Promise<void> {
  try {
    const [from, to] = await Promise.all([client.members.list(source.id), client.members.list(target.id)]);
    const text = accessLostOnMove(
      project,
      { name: source.name, members: from },
      { name: target.name, members: to },
    );
    if (text) await warn(text);
  } catch {
    await warn(
      `Moving project "${project}" from "${source.name}" to "${target.name}": members of "${source.name}" who are not in "${target.name}" will lose access to it (the member lists could not be read to name them).`,
    );
  }
}
