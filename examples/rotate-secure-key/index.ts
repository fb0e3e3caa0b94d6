// The feature-flags secure API key (`phs_`) rotated without downtime. A server that evaluates
// flags locally (posthog-node with `personalApiKey`) holds the key; here a file stands in for
// that server's secret (a Kubernetes secret, a cloud secret manager entry, ...). Changing the
// `rotation` config replaces the ProjectSecretToken create-before-delete: PostHog makes a new
// key and keeps the old one as its backup, the deployment's secret is updated to the new key,
// and only then is the backup deleted. At no moment is the key the deployment holds refused.
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as posthog from "pulumi-posthog";

const config = new pulumi.Config();

const web = new posthog.Project("web", {
  organizationId: config.require("organizationId"),
  name: "Web",
});

const secureKey = new posthog.ProjectSecretToken("web-secure-key", {
  projectId: web.id,
  keepers: { rotation: config.get("rotation") ?? "1" },
});

interface DeploymentSecretInputs {
  path: string;
  value: string;
}

/** Writes the value to a file: the stand-in for handing a secret to a running deployment. */
const deploymentSecretProvider: pulumi.dynamic.ResourceProvider<
  DeploymentSecretInputs,
  DeploymentSecretInputs
> = {
  async create(inputs) {
    fs.writeFileSync(inputs.path, inputs.value, { mode: 0o600 });
    return { id: inputs.path, outs: inputs };
  },
  async update(_id, _olds, news) {
    fs.writeFileSync(news.path, news.value, { mode: 0o600 });
    return { outs: news };
  },
  async delete(id) {
    fs.rmSync(id, { force: true });
  },
};

class DeploymentSecret extends pulumi.dynamic.Resource {
  constructor(name: string, args: { path: pulumi.Input<string>; value: pulumi.Input<string> }) {
    super(
      deploymentSecretProvider,
      name,
      args,
      { additionalSecretOutputs: ["value"] },
      "example",
      "DeploymentSecret",
    );
  }
}

new DeploymentSecret("web-server-secret", {
  path: config.require("deploymentSecretFile"),
  value: secureKey.token,
});

export const projectId = web.id;
export const secureApiKey = secureKey.token;
