import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The repository root, found from this file's location so it is the same whether the
 * code runs compiled from `dist/` or as TypeScript under jest.
 */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-posthog")
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`pulumi-posthog's package.json was not found above ${__dirname}`);
    dir = parent;
  }
}
