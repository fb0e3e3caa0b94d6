// PostHog's recommended layout: Local Development, Staging and Production projects in
// one organization, each with its own managed token. The organization's "Default
// project" becomes Production instead of staying behind as a stray.
import * as pulumi from "@pulumi/pulumi";
import * as posthog from "pulumi-posthog";

const config = new pulumi.Config();

const layout = new posthog.StandardProjects("acme", {
  // An organization whose plan allows three projects.
  organizationId: config.require("organizationId"),
  timezone: "Europe/Berlin",
  protectProduction: config.getBoolean("protectProduction") ?? true,
  // The adopted Default project survives destroy unless this says false.
  retainAdopted: config.getBoolean("retainAdopted"),
});

export const projectIds = {
  localDevelopment: layout.environments.localDevelopment.projectId,
  staging: layout.environments.staging.projectId,
  production: layout.environments.production.projectId,
};
export const productionToken = layout.environments.production.token;
export const stagingToken = layout.environments.staging.token;
