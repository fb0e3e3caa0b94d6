import * as pulumi from "@pulumi/pulumi";
import * as posthog from "pulumi-posthog";

const config = new pulumi.Config();

const project = new posthog.Project("app", {
  organizationId: config.require("organizationId"),
  name: "Packaged App",
});

export const projectId = project.id;
