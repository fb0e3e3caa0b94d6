import * as pulumi from "@pulumi/pulumi";
import { providerStub, type ResourceKind } from "./provider-stub";
import { formatConstructionTraces } from "./construction-traces";

/**
 * The base of this package's resources: a dynamic resource of type
 * `pulumi-nodejs:dynamic/posthog:<kind>` whose provider is the stub of `kind`.
 */
export abstract class PostHogResource extends pulumi.dynamic.Resource {
  /**
   * @param kind The resource kind, which picks the provider and names the type.
   * @param name The unique name of the resource in the Pulumi program.
   * @param props Every output's key, given or not (Pulumi makes outputs from the keys).
   * @param opts Resource options.
   */
  protected constructor(
    kind: ResourceKind,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
  ) {
    // Pulumi takes the traces inside this call, synchronously.
    const restoreFormatter = formatConstructionTraces();
    try {
      super(providerStub(kind), name, props, opts, "posthog", kind);
    } finally {
      restoreFormatter();
    }
  }
}
