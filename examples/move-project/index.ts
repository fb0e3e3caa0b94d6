// Moving a project between organizations is an in-place update: change
// `organizationId` and `pulumi preview` shows `~ organizationId` on the project; its
// id, its data and its token stay the same.
import * as pulumi from "@pulumi/pulumi";
import * as posthog from "pulumi-posthog";

const config = new pulumi.Config();

const mobile = new posthog.Project("mobile-app", {
  organizationId: config.require("organizationId"),
  name: "Mobile App",
  timezone: "UTC",
});
const token = new posthog.ProjectToken("mobile-app-token", { projectId: mobile.id });

export const projectId = mobile.id;
export const organizationId = mobile.organizationId;
export const projectToken = token.token;
