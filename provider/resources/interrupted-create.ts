/**
 * Recognising the leftover of an interrupted `pulumi up` at preview.
 *
 * An `up` killed after PostHog created a project but before the engine saved it leaves
 * the project (an orphan) and, in the stack, a pending create for the resource. The next
 * `up` tries to create the project again and PostHog refuses the name. Pulumi's own way
 * to settle a pending create is `pulumi refresh` with `--clear-pending-creates` or
 * `--import-pending-creates`; the import does not work for dynamic resources, so the
 * duplicate-name message prints the clearing command and the adoption of the project
 * (its id) on the resource (its URN) through `existingProjectId`.
 */
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import type { Organization, PostHogClient } from "../client";
import type { Props } from "./crud";

/** Where the URN of the resource being checked is kept on the `olds` bag of its check. */
const URN = Symbol.for("pulumi-posthog.checkUrn");

/** A protobuf request the engine sends: only what is read here. */
interface CheckRequestLike {
  getUrn(): string;
  getOlds(): { toJavaScript(): Props } | undefined;
}

let capturing = false;

/**
 * Makes the URN of each checked resource readable from its `olds` bag. The Node dynamic
 * provider host receives the URN in every CheckRequest but calls `check(olds, news)`
 * without it (`@pulumi/pulumi/cmd/dynamic-provider`), so the request's `getOlds` is
 * wrapped to tag the bag it returns. Only checks that start after this ran are tagged
 * (the first check of a process has already read its request when the provider
 * loads); without a tag the message names the resource by its URN's place instead.
 */
export function captureCheckUrns(): void {
  if (capturing) return;
  capturing = true;
  let proto: { CheckRequest?: { prototype: CheckRequestLike } };
  try {
    // The host's own copy: resolved as the host resolves it, from the program's folder.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    proto = require(require.resolve("@pulumi/pulumi/proto/provider_pb", { paths: [process.cwd()] }));
  } catch {
    return;
  }
  const prototype = proto.CheckRequest?.prototype;
  if (!prototype || typeof prototype.getOlds !== "function" || typeof prototype.getUrn !== "function") return;
  const getOlds = prototype.getOlds;
  prototype.getOlds = function (this: CheckRequestLike) {
    const struct = getOlds.call(this);
    if (!struct) return struct;
    const urn = this.getUrn();
    const toJavaScript = struct.toJavaScript.bind(struct);
    struct.toJavaScript = () => Object.assign(toJavaScript(), { [URN]: urn });
    return struct;
  };
}

/** The URN tagged on a check's `olds` (kept by object spread), if any. */
export function checkUrnOf(olds: Props): string | undefined {
  const urn = (olds as Record<symbol, unknown>)[URN];
  return typeof urn === "string" && urn.startsWith("urn:pulumi:") ? urn : undefined;
}

/** The resource's name: the last part of its URN. */
function resourceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * The recovery for a project that an interrupted create of `urn` made. Pulumi's own
 * `refresh --import-pending-creates` does not record a dynamic resource (with 3.248 the
 * refresh succeeds and the resource is still missing from the stack), so the pending create is cleared and the project
 * adopted through the resource's own input, which needs no state editing.
 */
export function interruptedCreateRecovery(urn: string | undefined, projectId: string): string {
  const resource = urn ? `on the resource "${resourceName(urn)}" (${urn})` : "on this resource";
  return (
    `If an interrupted \`pulumi up\` created this project (the stack then holds a pending create for this resource), ` +
    `adopt it instead of creating another: \`pulumi cancel --yes\` (if the stack is still locked), ` +
    `\`pulumi refresh --yes --clear-pending-creates\`, set existingProjectId: "${projectId}" ${resource}, then \`pulumi up\`.`
  );
}

/**
 * Adds the recovery to a create's duplicate-name failure. Only for a resource that is new
 * to the stack (a create), where an earlier interrupted create of the same resource is
 * the likely maker of the project that holds the name.
 */
export async function withInterruptedCreateHint(
  failures: CheckFailure[],
  client: PostHogClient,
  org: Pick<Organization, "id"> | undefined,
  name: string,
  olds: Props,
): Promise<CheckFailure[]> {
  const index = failures.findIndex((f) => f.property === "name" && f.reason.startsWith("There is already"));
  if (index < 0 || !org) return failures;
  const [match] = await client.projects.findByName(org.id, name);
  if (!match) return failures;
  const failure = failures[index];
  const hinted = {
    ...failure,
    reason: `${failure.reason} ${interruptedCreateRecovery(checkUrnOf(olds), String(match.id))}`,
  };
  return failures.map((f, i) => (i === index ? hinted : f));
}
