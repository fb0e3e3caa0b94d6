/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Lookups: read PostHog objects in a program without managing them. They run in the
 * program process (not the engine's provider process), read the same settings as the
 * provider (stack config `posthog:*`, then `POSTHOG_*` environment variables) and call
 * PostHog through the provider's own client, so their errors read like the resources'.
 *
 * How they differ from resources: nothing is created, changed or deleted, nothing is
 * recorded in the stack's state, and `pulumi refresh` has nothing to do with them; they
 * run on every `preview` and `up`, so a value changed in PostHog shows in the next run.
 */
import * as pulumi from "@pulumi/pulumi";
// Types only: the provider is loaded by name at call time, as the serialized stub does.
import type * as ProviderModule from "../provider";
import type { MemberLevel } from "./organization-member";

type Provider = typeof ProviderModule;

function loadProvider(): Provider {
  const name = "pulumi-posthog/provider";
  try {
    return require("module").createRequire(process.cwd() + "/")(name) as Provider;
  } catch {
    return require(name) as Provider;
  }
}

/** The provider's client, configured from stack config `posthog:*`, then the environment. */
function client(): ProviderModule.PostHogClient {
  const provider = loadProvider();
  return provider.lookupClient((key) => pulumi.runtime.getConfig(key));
}

/** What {@link getOrganization} finds. */
export interface OrganizationLookup {
  id: string;
  name: string;
  slug: string;
  /** The credentials' level in it: 1 member, 8 admin, 15 owner. */
  membershipLevel: number;
  /** Ids of its projects. */
  projectIds: number[];
}

/**
 * An organization by `id`, by `slug`, or (neither given) the credentials' own current
 * organization (PostHog's `@current`, the Terraform provider's `@current`).
 */
export function getOrganization(
  args: { id?: pulumi.Input<string>; slug?: pulumi.Input<string> } = {},
): pulumi.Output<OrganizationLookup> {
  return pulumi.output(args).apply(async ({ id, slug }) => {
    const api = client();
    let found;
    if (id) found = await api.organizations.get(id);
    else if (slug) {
      for (const candidate of await api.organizations.list()) {
        const org = await api.organizations.get(candidate.id);
        if (org.slug === slug) found = org;
      }
      if (!found)
        throw new Error(
          `getOrganization: no organization with slug "${slug}" among the credentials' organizations.`,
        );
    } else found = await api.organizations.get("@current");
    return {
      id: found.id,
      name: found.name,
      slug: found.slug,
      membershipLevel: found.membership_level ?? 0,
      projectIds: (found.projects ?? found.teams ?? []).map((p) => p.id),
    };
  });
}

/** What {@link getProject} finds; `token` is a secret output. */
export interface ProjectLookup {
  id: pulumi.Output<number>;
  name: pulumi.Output<string>;
  organizationId: pulumi.Output<string>;
  timezone: pulumi.Output<string>;
  /** The project token (`phc_...`). Secret. */
  token: pulumi.Output<string>;
}

/** A project by `id` (with `organizationId` as a hint), or by `organizationId` and `name` (compared as PostHog does). */
export function getProject(args: {
  organizationId?: pulumi.Input<string>;
  name?: pulumi.Input<string>;
  id?: pulumi.Input<number | string>;
}): ProjectLookup {
  const project = pulumi.output(args).apply(async ({ organizationId, name, id }) => {
    const api = client();
    if (id !== undefined) {
      const found = await api.projects.locate(id, organizationId);
      if (!found)
        throw new Error(`getProject: Project ${id} does not exist or the credentials cannot see it.`);
      return found;
    }
    if (!organizationId || !name) throw new Error("getProject: give `id`, or `organizationId` and `name`.");
    const matches = await api.projects.findByName(organizationId, name);
    if (matches.length === 0)
      throw new Error(`getProject: no project named "${name}" in Organization ${organizationId}.`);
    return api.projects.get(organizationId, matches[0].id);
  });
  // The token never appears in plain text: the whole project output is secret until split.
  const secretProject = pulumi.secret(project);
  return {
    id: pulumi.unsecret(secretProject.apply((p) => p.id)),
    name: pulumi.unsecret(secretProject.apply((p) => p.name)),
    organizationId: pulumi.unsecret(secretProject.apply((p) => p.organization)),
    timezone: pulumi.unsecret(secretProject.apply((p) => p.timezone)),
    token: secretProject.apply((p) => p.api_token),
  };
}

/** What {@link getMember} finds. */
export interface MemberLookup {
  email: string;
  level: MemberLevel;
  /** `"member"`, or `"invited"`/`"expired"` for an address with a pending invite. */
  status: "member" | "invited" | "expired";
  /** The user's uuid (members only). */
  userUuid?: string;
}

/** A member (or a pending invite) of an organization, by email. Fails when the address is neither. */
export function getMember(args: {
  organizationId: pulumi.Input<string>;
  email: pulumi.Input<string>;
}): pulumi.Output<MemberLookup> {
  return pulumi.output(args).apply(async ({ organizationId, email }) => {
    const provider = loadProvider();
    const api = client();
    const member = await api.members.find(organizationId, email);
    if (member) {
      return {
        email: member.user.email,
        level: provider.levelName(member.level),
        status: "member" as const,
        userUuid: member.user.uuid,
      };
    }
    const invite = await api.members.findInvite(organizationId, email);
    if (invite) {
      return {
        email: invite.target_email,
        level: provider.levelName(invite.level),
        status: invite.is_expired ? ("expired" as const) : ("invited" as const),
      };
    }
    throw new Error(
      `getMember: ${email} is neither a member of nor invited to Organization ${organizationId}.`,
    );
  });
}
