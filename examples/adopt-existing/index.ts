// Bring projects that already exist under Pulumi without recreating them. Dynamic
// providers cannot use `pulumi import`, so adoption is an input: `existingProjectId`
// for a known id, or `adoptDefaultProject` for the organization's "Default project".
// Adopting renames the project to `name`; its id, data and token stay.
import * as pulumi from "@pulumi/pulumi";
import * as posthog from "pulumi-posthog";

const config = new pulumi.Config();
const organizationId = config.require("organizationId");

const production = new posthog.Project("production", {
  organizationId,
  name: "Production",
  adoptDefaultProject: true,
});

// Optional: a second existing project, by id.
const existingId = config.getNumber("existingProjectId");
const legacy =
  existingId === undefined
    ? undefined
    : new posthog.Project("legacy", { organizationId, name: "Legacy Site", existingProjectId: existingId });

// Adopting a token keeps it as it is; only a later keepers change rotates it.
const productionToken = new posthog.ProjectToken("production-token", { projectId: production.id });

export const productionId = production.id;
export const legacyId = legacy?.id;
export const token = productionToken.token;
