import * as pulumi from "@pulumi/pulumi";
import { version as sdkVersion } from "@pulumi/pulumi/version";
import * as posthog from "pulumi-posthog";

const config = new pulumi.Config();

const organization = new posthog.Organization("managed-org", { name: config.require("organizationName") });

const project = new posthog.Project("app", {
  organizationId: config.require("projectOrganizationId"),
  name: config.require("projectName"),
  timezone: "Europe/Berlin",
});

const token = new posthog.ProjectToken("app-token", {
  projectId: project.id,
  keepers: { rotation: config.require("rotation") },
});

export const organizationId = organization.id;
export const projectId = project.id;
export const projectOrganizationId = project.organizationId;
export const projectToken = token.token;
// What the program really ran on, so the test can tell this run from the Node 20 one.
export const nodeVersion = process.version;
export { sdkVersion };
