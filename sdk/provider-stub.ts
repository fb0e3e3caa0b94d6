/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The serialized provider: a thin stub that Pulumi writes into every resource's
 * `__provider` state field and rebuilds in the engine's provider process.
 *
 * It captures nothing but the resource kind string. The Node dynamic provider host
 * (`@pulumi/pulumi/cmd/dynamic-provider`, `getProvider`) calls `configure` right after
 * rebuilding a provider and before any other method; the stub's `configure` loads
 * the implementation by package name (`pulumi-posthog/provider`, resolved from the
 * program's folder, so a package's own name works inside its repository too) and hands
 * itself to the package's `bindStub`, which puts delegates for configure, check, diff,
 * create, read, update and delete on it and forwards the call. Every later call goes
 * straight to the implementation.
 *
 * Why so little: whatever this object holds is copied twice (inputs and outputs) into the
 * state of every resource, which the engine rewrites whole after every step, and is what
 * `delete` and `refresh` run (pulumi/pulumi#16826). Keeping it to a kind string and one
 * call keeps the text small (about 650 bytes, from 1,021 in 0.1.0, whose state still
 * works), free of credentials, and the same across versions of this package: the
 * provider's `diff` ignores `__provider`, so a new text never shows as a change, and old
 * state runs current code.
 */
import type { ConfigureRequest, ResourceProvider } from "@pulumi/pulumi/dynamic";
// Types only: erased at compile time, so the sdk still loads the provider by name, never by path.
import type * as ProviderModule from "../provider";
// The kinds alone: the sdk's declarations must not reach the provider's (zod's types are
// large, and a program's type check, ts-node's default under `pulumi up`, would load them).
import type { ResourceKind } from "../provider/kinds";

export type { ResourceKind };

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
 * object's method is what gets serialized into two fields of every resource's state, so it
 * is as short as it can be: it finds the package and hands itself over ({@link
 * ProviderModule.bindStub}), which is where the delegation lives, so that it can change
 * without changing this text. No comments and only casts that compile away: the text is
 * pinned by a test.
 */
function makeStub(kind: ResourceKind): ResourceProvider {
  const stub = {
    kind,
    configure(req: ConfigureRequest): Promise<void> {
      const mod: typeof ProviderModule = require("module").createRequire(process.cwd() + "/")(
        "pulumi-posthog/provider",
      );
      return mod.bindStub(this, req);
    },
  };
  return stub as unknown as ResourceProvider;
}
