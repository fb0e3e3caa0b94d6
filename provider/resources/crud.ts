/**
 * The one CRUD flow every PostHog resource goes through. A resource is a short
 * {@link ResourceSpec}: its input schema, what each field does on change, and how to
 * create, read, update and delete it with the client. This module does the Pulumi
 * side: validating inputs in `check` (letting the engine's unknown placeholder
 * through), computing `diff` from the field policies, keeping partially created
 * objects in state, turning "gone" into `{}` on read, and never returning `undefined`
 * values (the engine's protobuf conversion rejects them).
 */
import type {
  CheckFailure,
  CheckResult,
  ConfigureRequest,
  CreateResult,
  DiffResult,
  ReadResult,
  ResourceProvider,
  UpdateResult,
} from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import type { PostHogClient } from "../client";
import { configureProvider, providerContext } from "../context";
import type { ProviderConfig } from "../config";
import { credentialProblem, missingKey } from "./credentials";
import { quiet } from "./engine-report";

/** The engine's placeholder for values not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The serialized provider's own property; never part of a resource's inputs or outputs. */
const PROVIDER_KEY = "__provider";

/** A property bag as the engine passes it. */
export type Props = Record<string, unknown>;

/** What a change to one input field means. */
export interface FieldPolicy {
  /** "update" changes it in place; "replace" makes a new object. */
  readonly onChange: "update" | "replace";
  /**
   * "keep": leaving the input out means "leave the live value as it is" (server
   * defaults such as timezone do not show as diffs). "compare": absent is a value.
   */
  readonly whenAbsent: "keep" | "compare";
  /** Custom equality (e.g. ids given as numbers or strings, maps). */
  readonly equals?: (oldValue: unknown, newValue: unknown, id: string) => boolean;
  /**
   * Treat a value not yet known at preview as unchanged. For adoption fields wired to
   * another resource's output (`organization.defaultProjectId`): any update of that
   * resource makes the value unknown at preview, and calling it a change would show a
   * replace that `up` never does. The engine diffs again with the known value at `up`.
   */
  readonly unknownIsUnchanged?: boolean;
}

/** Everything the engine needs to keep an object that exists although the call failed. */
export class PartialFailure extends Error {
  constructor(
    readonly id: string,
    readonly outputs: Props,
    readonly reason: Error,
  ) {
    super(reason.message);
    this.name = "PartialFailure";
  }
}

/**
 * The step after a create, adoption or move: the object exists, and `patch` holds what
 * it does not have yet. Nothing to write: `existing`'s outputs. The write failing:
 * a {@link PartialFailure} that keeps the object in state as it is, so the next `up`
 * patches it instead of creating another.
 */
export async function patchOrKeepPartial<T, P extends object, O extends Props>(
  id: string,
  existing: T,
  patch: P,
  write: (patch: P) => Promise<T>,
  outputsOf: (object: T) => O,
): Promise<O> {
  if (Object.keys(patch).length === 0) return outputsOf(existing);
  try {
    return outputsOf(await write(patch));
  } catch (err) {
    throw new PartialFailure(id, outputsOf(existing), err as Error);
  }
}

/** The short spec of one resource. `I` is the validated inputs, `O` the outputs (a superset). */
export interface ResourceSpec<I extends Props, O extends Props> {
  /** The resource kind, as in the type token `pulumi-nodejs:dynamic/posthog:<kind>`. */
  readonly kind: string;
  /** Input schema, run locally in `check` and again before create/update. */
  readonly inputs: z.ZodType<I>;
  /** One policy per input field. */
  readonly fields: { readonly [K in keyof I & string]-?: FieldPolicy };
  /** Ask for delete-before-replace when a replacing field changes. */
  readonly deleteBeforeReplace?: boolean;
  /** Preview-time questions to the API: what it would refuse. Only called with every relevant input known. */
  readonly remoteCheck?: (client: PostHogClient, olds: Props, news: I) => Promise<CheckFailure[]>;
  /**
   * The session-only action (`reset_token`, `change_organization`) a planned change runs, as a
   * phrase for messages ("move Project \"x\""), or undefined. `diff` then checks once per
   * process that the session login works, so the preview fails instead of the `up`. Deletes get
   * no diff: a session-only delete can only fail at `up`.
   */
  readonly sessionAction?: (id: string, olds: Props, news: Props, diff: DiffResult) => string | undefined;
  /** Creates (or adopts) the object. Throw {@link PartialFailure} if it exists but a later step failed. */
  readonly create: (client: PostHogClient, inputs: I) => Promise<{ id: string; outputs: O }>;
  /** Reads the live object; undefined when it is gone. */
  readonly read: (client: PostHogClient, id: string, state: O) => Promise<O | undefined>;
  /** Applies in-place changes; returns the complete outputs. */
  readonly update: (client: PostHogClient, id: string, olds: O, news: I) => Promise<O>;
  /** Deletes the object; a gone object is not an error. */
  readonly delete: (client: PostHogClient, id: string, state: O) => Promise<void>;
  /** The inputs that reproduce `outputs` (for `read`'s inputs); never secrets. */
  readonly inputsOf: (outputs: O) => Props;
}

/** Removes the provider key; the rest is the resource's own bag. */
function withoutProvider(props: Props | undefined): Props {
  const { [PROVIDER_KEY]: _ignored, ...rest } = props ?? {};
  return rest;
}

/** Paths (as arrays) at which the unknown placeholder sits. */
function unknownPaths(value: unknown, at: PropertyKey[] = []): PropertyKey[][] {
  if (value === UNKNOWN) return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, [...at, i]));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, [...at, k]));
  }
  return [];
}

/** Whether any value in the bag is not known yet. */
export function hasUnknowns(value: unknown): boolean {
  return unknownPaths(value).length > 0;
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => String(p) === String(path[i]));
}

/** Deep copy without `undefined` values (protobuf Struct cannot hold them). */
export function clean<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => clean(v)) as T;
  if (value && typeof value === "object") {
    const out: Props = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = clean(v);
    return out as T;
  }
  return value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Props)[k])]),
    );
  }
  return v;
}

/** Validates inputs; issues at unknown paths are ignored (the value comes later). */
export function validateInputs<I extends Props>(
  spec: Pick<ResourceSpec<I, Props>, "kind" | "inputs">,
  news: Props,
): { value?: I; failures: CheckFailure[] } {
  const unknowns = unknownPaths(news);
  const parsed = spec.inputs.safeParse(news);
  if (parsed.success) return { value: parsed.data, failures: [] };
  const failures = parsed.error.issues
    .filter((issue) => !unknowns.some((u) => startsWith(issue.path, u)))
    .map((issue) => {
      const property = issue.path.map(String).join(".") || "(inputs)";
      return { property, reason: `${spec.kind} input "${property}": ${issue.message}` };
    });
  return { failures };
}

/** Whether the new value of a field differs from the old one under its policy. */
function fieldChanged(policy: FieldPolicy, oldValue: unknown, newValue: unknown, id: string): boolean {
  if (newValue === undefined && policy.whenAbsent === "keep") return false;
  if (hasUnknowns(newValue)) return policy.unknownIsUnchanged !== true;
  if (policy.equals) return !policy.equals(oldValue, newValue, id);
  return !deepEqual(oldValue, newValue);
}

/** The diff of a spec's fields between state outputs and new inputs. */
export function diffFields<I extends Props>(
  spec: Pick<ResourceSpec<I, Props>, "fields" | "deleteBeforeReplace">,
  id: string,
  olds: Props,
  news: Props,
): DiffResult {
  const changed = Object.entries(spec.fields as Record<string, FieldPolicy>).filter(([key, policy]) =>
    fieldChanged(policy, olds[key], news[key], id),
  );
  const replaces = changed.filter(([, p]) => p.onChange === "replace").map(([k]) => k);
  return {
    changes: changed.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && spec.deleteBeforeReplace === true ? true : undefined,
  };
}

function inputsOrThrow<I extends Props>(
  spec: Pick<ResourceSpec<I, Props>, "kind" | "inputs">,
  props: Props,
  action: string,
): I {
  const { value, failures } = validateInputs(spec, props);
  if (!value) {
    throw new Error(`Cannot ${action} ${spec.kind}: ${failures.map((f) => f.reason).join("; ")}`);
  }
  return value;
}

/** The error shape the Node dynamic provider host turns into "created but failed to initialize". */
function keepInState(
  err: PartialFailure,
  providerText: unknown,
): Error & { id: string; properties: Props; reasons: string[] } {
  return Object.assign(new Error(err.message), {
    id: err.id,
    // The host does not add __provider to these properties: without it, later
    // operations on the kept object could not load the provider.
    properties: clean({ ...err.outputs, [PROVIDER_KEY]: providerText }),
    reasons: [err.message],
  });
}

/** Whether remote checks can run: credentials are configured. */
function canAskApi(config: ProviderConfig): boolean {
  return Boolean(config.apiKey);
}

/**
 * A configuration the provider cannot use (a host without a scheme): kept from
 * `configure`, where throwing would fail every resource with a stack trace and no
 * resource named, and reported by `check` as the resource's problem.
 */
let configError: Error | undefined;

/** The configured client and settings, or the configuration's error. */
function context(): ReturnType<typeof providerContext> {
  if (configError) throw quiet(configError);
  return providerContext();
}

/** Values the engine may print next to a failure: short scalars. */
const PRINTABLE_LENGTH = 64;

/**
 * The engine prints a failure as `property <p> value {<inputs[p]>} has a problem`: it looks
 * `p` up as one top-level key, so a nested path (`keepers.rotation`) prints `{<nil>}`, and a
 * long value is echoed in full. Those failures go without a property: the reason already
 * names it, and says what was wrong with the value.
 */
function forDisplay(failure: CheckFailure, inputs: Props): CheckFailure {
  const value = inputs[failure.property];
  const printable =
    typeof value === "number" ||
    typeof value === "boolean" ||
    (typeof value === "string" && value.length <= PRINTABLE_LENGTH);
  return printable ? failure : { property: "", reason: failure.reason };
}

/** A failure the engine prints as one line naming the resource, like an input error. */
function problem(reason: string): CheckFailure {
  return { property: "", reason };
}

/** Builds the dynamic provider of one resource from its spec. */
export function makeProvider<I extends Props, O extends Props>(
  spec: ResourceSpec<I, O>,
): ResourceProvider<Props, Props> {
  return {
    async configure(req: ConfigureRequest): Promise<void> {
      try {
        configureProvider((key) => req.config.get(key));
        configError = undefined;
      } catch (err) {
        configError = err as Error;
      }
    },

    async check(olds: Props, news: Props): Promise<CheckResult<Props>> {
      const bag = withoutProvider(news);
      const { value, failures } = validateInputs(spec, bag);
      if (failures.length > 0) return { inputs: bag, failures: failures.map((f) => forDisplay(f, bag)) };
      if (!value) return { inputs: bag };
      if (configError) return { inputs: bag, failures: [problem(configError.message)] };
      const { config, client } = providerContext();
      const missing = missingKey(config);
      if (missing) return { inputs: bag, failures: [problem(missing)] };
      const oldInputs = withoutProvider(olds);
      try {
        // Remote checks need every value: with placeholders the real values come at `up`.
        if (spec.remoteCheck && !hasUnknowns(bag)) {
          const remote = await spec.remoteCheck(client, oldInputs, value);
          if (remote.length > 0) return { inputs: bag, failures: remote };
        }
        // Only a resource the plan creates or changes needs the credentials to work.
        const planned = Object.keys(oldInputs).length === 0 || diffFields(spec, "", oldInputs, bag).changes;
        if (planned) {
          const credentials = await credentialProblem(config, client);
          if (credentials) return { inputs: bag, failures: [problem(credentials)] };
        }
      } catch (err) {
        // A failed request is this resource's problem: one line, like an input error.
        if (err instanceof Error) return { inputs: bag, failures: [problem(err.message)] };
        throw err;
      }
      return { inputs: clean(value) };
    },

    async diff(id: string, olds: Props, news: Props): Promise<DiffResult> {
      const result = diffFields(spec, id, withoutProvider(olds), withoutProvider(news));
      const action = spec.sessionAction?.(id, withoutProvider(olds), withoutProvider(news), result);
      const { config, client } = providerContext();
      if (action !== undefined && canAskApi(config)) {
        try {
          await client.session.verifyLogin({ action: "log in for", resource: action });
        } catch (err) {
          // One line naming the action, like every other preview failure (no stack frames).
          throw quiet(
            new Error(
              `Cannot ${action}: PostHog allows it only in a logged-in session, and the session login fails. ${(err as Error).message}`,
            ),
          );
        }
      }
      return result;
    },

    async create(props: Props): Promise<CreateResult<Props>> {
      const inputs = inputsOrThrow(spec, withoutProvider(props), "create");
      try {
        const { id, outputs } = await spec.create(context().client, inputs);
        return { id, outs: clean(outputs) };
      } catch (err) {
        if (err instanceof PartialFailure) throw keepInState(err, props[PROVIDER_KEY]);
        throw err;
      }
    },

    async read(id: string, props?: Props): Promise<ReadResult<Props>> {
      const state = withoutProvider(props) as O;
      const live = await spec.read(context().client, id, state).catch((err: unknown) => {
        throw quiet(err);
      });
      if (!live) return {};
      return { id, props: clean(live), inputs: clean(spec.inputsOf(live)) };
    },

    async update(id: string, olds: Props, news: Props): Promise<UpdateResult<Props>> {
      const inputs = inputsOrThrow(spec, withoutProvider(news), "update");
      try {
        const outputs = await spec.update(context().client, id, withoutProvider(olds) as O, inputs);
        return { outs: clean(outputs) };
      } catch (err) {
        if (err instanceof PartialFailure) throw keepInState(err, news[PROVIDER_KEY]);
        throw err;
      }
    },

    async delete(id: string, props: Props): Promise<void> {
      await spec.delete(context().client, id, withoutProvider(props) as O).catch((err: unknown) => {
        throw quiet(err);
      });
    },
  };
}
