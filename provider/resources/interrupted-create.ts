/**
 * Recognising the leftover of an interrupted `pulumi up` at preview.
 *
 * An `up` killed after PostHog created a project but before the engine saved it leaves
 * the project (an orphan) and, in the stack, a pending create for the resource. The next
 * `up` tries to create the project again and PostHog refuses the name. Pulumi's own way
 * to settle a pending create is `pulumi refresh` with `--clear-pending-creates` or
 * `--import-pending-creates`; the import does not work for dynamic resources, so the
 * duplicate-name message prints the clearing command and the adoption of the project
 * (its id) through the resource's `existingProjectId`.
 */
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import type { Organization, PostHogClient } from "../client";

/**
 * The recovery for a project that an interrupted create made. Pulumi's own
 * `refresh --import-pending-creates` does not record a dynamic resource (with 3.248 the
 * refresh succeeds and the resource is still missing from the stack), so the pending create
 * is cleared and the project adopted through the resource's own input, which needs no state
 * editing. The resource is "this resource": the engine prints a check failure after the
 * resource's type and name (`... resource 'web's property 'name' ... has a problem:`), and
 * the Node dynamic provider host does not pass the URN to `check`.
 */
export function interruptedCreateRecovery(projectId: string): string {
  return (
    `If an interrupted \`pulumi up\` created this project (the stack then holds a pending create for this resource), ` +
    `adopt it instead of creating another: \`pulumi cancel --yes\` (if the stack is still locked), ` +
    `\`pulumi refresh --yes --clear-pending-creates\`, set existingProjectId: "${projectId}" on this resource, then \`pulumi up\`.`
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
): Promise<CheckFailure[]> {
  const index = failures.findIndex((f) => f.property === "name" && f.reason.startsWith("There is already"));
  if (index < 0 || !org) return failures;
  const [match] = await client.projects.findByName(org.id, name);
  if (!match) return failures;
  const failure = failures[index];
  const hinted = {
    ...failure,
    reason: `${failure.reason} ${interruptedCreateRecovery(String(match.id))}`,
  };
  return failures.map((f, i) => (i === index ? hinted : f));
}
