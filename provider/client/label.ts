/**
 * How every message names an object: `Project "Web" (42)`, or `Project 42` when its
 * name is not known. One function so the client's errors and the resources' messages
 * read the same.
 */
export function label(kind: "Organization" | "Project", id: string | number, name?: string): string {
  return name ? `${kind} "${name}" (${id})` : `${kind} ${id}`;
}
