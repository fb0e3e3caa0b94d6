/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The serialized provider: a thin stub that Pulumi writes into every resource's
 * `__provider` state field and rebuilds in the engine's provider process.
 *
 * It captures nothing but the resource kind string. The Node dynamic provider host
 * (`@pulumi/pulumi/cmd/dynamic-provider`, `getProvider`) calls `configure` right after
 * rebuilding a provider and before any other method; the stub's `configure` loads
 * the implementation by package name (`pulumi-posthog/provider`, resolved from the
 * program's folder, so a package's own name works inside its repository too), puts
 * delegates for configure, check, diff, create, read, update and delete on itself,
 * and forwards the call. Every later call goes straight to the implementation.
 *
 * Why so little: whatever this object holds is copied into the state of every
 * resource and is what `delete` and `refresh` run (pulumi/pulumi#16826); keeping it
 * to a kind string keeps the text small, free of credentials, and identical across
 * versions of this package, so upgrades never show `~__provider` diffs and old state
 * runs current code.
 */
import type { ConfigureRequest, ResourceProvider } from "@pulumi/pulumi/dynamic";
// Types only: erased at compile time, so the sdk still loads the provider by name, never by path.
import type * as ProviderModule from "../provider";
import type { ResourceKind } from "../provider";

export type { ResourceKind };

/** The provider methods the stub forwards, each typed as the implementation declares it. */
type Method = "configure" | "check" | "diff" | "create" | "read" | "update" | "delete";

const stubs = new Map<ResourceKind, ResourceProvider>();

/**
 * The serialized stand-in for the provider of `kind`: one object per kind, reused by every
 * resource, because Pulumi caches the serialized text per provider object
 * (`@pulumi/pulumi/dynamic`, `serializeProvider`): a new object per resource would be
 * serialized again for each one, the program side's main cost in a large stack.
 */
export function providerStub(kind: ResourceKind): ResourceProvider {
  let stub = stubs.get(kind);
  if (!stub) {
    stub = makeStub(kind);
    stubs.set(kind, stub);
  }
  return stub;
}

/**
 * Builds the stub. Requires a host that calls `configure` (Pulumi 3.139 and later). The
 * object's method is what gets serialized, so it carries no comments and only casts that
 * compile away: its text is pinned by a test, because any change shows as `~__provider` on
 * every resource.
 */
function makeStub(kind: ResourceKind): ResourceProvider {
  const stub = {
    kind,
    configure(req: ConfigureRequest): Promise<void> {
      const name = "pulumi-posthog/provider";
      let mod: typeof ProviderModule;
      try {
        mod = require("module").createRequire(process.cwd() + "/")(name);
      } catch {
        mod = require(name);
      }
      const impl = mod.resourceProvider(this.kind);
      for (const m of ["configure", "check", "diff", "create", "read", "update", "delete"] as Method[]) {
        (this as Record<string, unknown>)[m] = (...a: unknown[]) =>
          (impl[m] as (...args: unknown[]) => unknown)(...a);
      }
      return impl.configure!(req);
    },
  };
  return stub as unknown as ResourceProvider;
}
