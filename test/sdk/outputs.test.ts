/**
 * Every output property the sdk's classes declare exists on a resource constructed with only
 * its required arguments, and carries the engine's value. Pulumi makes an output only for a
 * key in the props a class passes to its base class, so an optional input left out (a
 * project's `timezone`, a token's `keepers`) would otherwise be `undefined` at run time,
 * whatever the type says.
 *
 * The declared names are read from the sdk's sources, so a new output is covered when it is
 * declared. The resources run in a child `node` under Pulumi's mocks (Jest's module sandbox
 * does not mix with the closure serialization of dynamic providers), from the built package.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ORGANIZATION_FLAG_NAMES } from "../../provider/fields/organization";
import { RESOURCE_KINDS, type ResourceKind } from "../../provider/kinds";

const run = promisify(execFile);
const root = join(__dirname, "..", "..");

/** The outputs the sdk file of `kind` declares (`OrganizationMember`: `sdk/organization-member.ts`). */
function declaredOutputs(kind: ResourceKind): string[] {
  const file = `${kind.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}.ts`;
  const source = readFileSync(join(root, "sdk", file), "utf8");
  const names = [...source.matchAll(/declare public readonly (\w+): pulumi\.Output</g)].map((m) => m[1]);
  // The organization's flags are declared from their table, not one by one.
  return kind === "Organization" ? [...names, ...ORGANIZATION_FLAG_NAMES] : names;
}

test("every declared output exists with only the required arguments and carries the engine's value", async () => {
  if (!existsSync(join(root, "dist", "sdk", "index.js")))
    throw new Error("dist/ is missing: run `npm run build` first");
  const wanted = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, declaredOutputs(kind)]));
  // Enough names were found for the check to mean something.
  expect(wanted.Project).toEqual(expect.arrayContaining(["timezone", "uuid"]));
  expect(wanted.Organization).toEqual(expect.arrayContaining(["slug", "enforce2fa"]));
  for (const kind of RESOURCE_KINDS) expect(wanted[kind].length).toBeGreaterThan(1);

  const { stdout } = await run("node", [join(__dirname, "outputs-program.js"), JSON.stringify(wanted)], {
    cwd: root,
    maxBuffer: 1 << 20,
  });
  const report = JSON.parse(stdout) as Record<string, { missing: string[]; wrong: string[] }>;
  expect(Object.keys(report).sort()).toEqual([...RESOURCE_KINDS].sort());
  for (const kind of RESOURCE_KINDS)
    expect({ kind, ...report[kind] }).toEqual({ kind, missing: [], wrong: [] });
});
