// For the child programs of test/sdk: one resource of each kind, made with only its required
// arguments, keyed by kind. Each function constructs a new one.
"use strict";
const sdk = require("pulumi-posthog");

module.exports = {
  Organization: () => new sdk.Organization("organization", { name: "Acme" }),
  OrganizationMember: () =>
    new sdk.OrganizationMember("member", { organizationId: "o", email: "someone@example.com" }),
  Project: () => new sdk.Project("project", { organizationId: "o", name: "P" }),
  ProjectToken: () => new sdk.ProjectToken("token", { projectId: "1" }),
  ProjectSecretToken: () => new sdk.ProjectSecretToken("secret-token", { projectId: "1" }),
  ProjectSettings: () => new sdk.ProjectSettings("settings", { projectId: "1" }),
};
