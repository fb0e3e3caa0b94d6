// The people of an existing organization in code. The organization is looked up, not
// managed (the key's own organization unless `organizationSlug` is set); each entry of
// `team` is an OrganizationMember: a member's level is managed, anyone else is invited.
import * as pulumi from "@pulumi/pulumi";
import * as posthog from "pulumi-posthog";

const config = new pulumi.Config();
const slug = config.get("organizationSlug");
const organization = posthog.getOrganization(slug ? { slug } : {});

const team = config.getObject<Record<string, posthog.MemberLevel>>("team") ?? {
  "analyst@example.com": "member",
  "lead@example.com": "admin",
};

const people = Object.entries(team).map(
  ([email, level]) =>
    new posthog.OrganizationMember(email, {
      organizationId: organization.id,
      email,
      level,
      // posthog-local sends no email; on PostHog this sends the invite link.
      sendEmail: config.getBoolean("sendInviteEmails") ?? true,
    }),
);

export const organizationName = organization.name;
// "invited" until each person accepts; `pulumi refresh` turns it into "member".
export const access = pulumi.all(
  people.map((p) =>
    pulumi.all([p.email, p.level, p.status]).apply(([email, level, status]) => ({ email, level, status })),
  ),
);
