import * as pulumi from "@pulumi/pulumi";

/** Creates nothing: its create returns an id. One object, so Pulumi serializes it once. */
const nothing: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Record<string, unknown>) {
    return { id: String(inputs.name), outs: inputs };
  },
};

class Nothing extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, pulumi.Input<string>>) {
    super(nothing, name, { name, ...props }, {});
  }
}

const count = new pulumi.Config().requireNumber("projects");

export const ids = Array.from({ length: count }, (_, i) => {
  const project = new Nothing(`p${i}`, {});
  return new Nothing(`p${i}-token`, { projectId: project.id }).id;
});
