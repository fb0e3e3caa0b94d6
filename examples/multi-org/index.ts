// Two organizations managed by Pulumi, for example one per data region or business
// unit. Organizations created through the API start on PostHog's free plan, which
// holds one project, so each adopts its "Default project" rather than adding another.
import * as posthog from "pulumi-posthog";

const regions = ["eu", "us"] as const;

export const organizations = Object.fromEntries(
  regions.map((region) => {
    const org = new posthog.Organization(`acme-${region}`, {
      name: `Acme ${region.toUpperCase()}`,
      membersCanInvite: true,
    });
    const project = new posthog.Project(`acme-${region}-production`, {
      organizationId: org.id,
      name: `Production ${region.toUpperCase()}`,
      adoptDefaultProject: true,
    });
    const token = new posthog.ProjectToken(`acme-${region}-production-token`, { projectId: project.id });
    return [region, { organizationId: org.id, slug: org.slug, projectId: project.id, token: token.token }];
  }),
);
