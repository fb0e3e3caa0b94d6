// A token that rotates itself every month: the keeper is the current month, so the
// first `pulumi up` of a new month replaces the ProjectToken, which revokes the old
// token and adopts the new one in one step (PostHog revokes the old token at once).
import * as pulumi from "@pulumi/pulumi";
import * as posthog from "pulumi-posthog";

const config = new pulumi.Config();

// `now` exists so a run can be replayed for a given date; normally it is today.
const now = new Date(config.get("now") ?? Date.now());
const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;

const web = new posthog.Project("web", {
  organizationId: config.require("organizationId"),
  name: "Web",
});
const token = new posthog.ProjectToken("web-token", {
  projectId: web.id,
  keepers: { rotation: month },
});

export const projectId = web.id;
export const rotation = month;
export const webToken = token.token;
