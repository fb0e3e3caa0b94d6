/**
 * What a reviewer reads in a pull request: `pulumi preview --diff` of the root program
 * (as examples/pr-review/preview.yml runs it in CI), after a move, a rotation and a new
 * project were declared in stack config.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { repoRoot } from "../../scripts/lib/paths";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api, createScaleOrganization, credentialsConfig } from "../helpers/engine";

const root = repoRoot();
const stackName = `review-${process.pid}`;

describe("reviewing a layout change with pulumi preview --diff", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let mainId: string;
  let secondId: string;
  let preview: string;
  const tokens: string[] = [];

  const layout = (changed: boolean) => ({
    organizations: {
      main: { existingId: mainId, standardLayout: { protectProduction: false } },
      second: { existingId: secondId },
    },
    projects: {
      "internal-tools": {
        organization: changed ? "second" : "main",
        name: "Internal Tools",
        tokenRotation: changed ? "2026-12" : "2026-11",
      },
      ...(changed ? { "status-page": { organization: "main", name: "Status Page" } } : {}),
    },
  });

  beforeAll(async () => {
    emulator = await startTestEmulator();
    mainId = emulator.admin.organizationId;
    secondId = await createScaleOrganization(emulator.url, emulator.admin.personalApiKey, "Second");
    run = await openOfflineStack({
      workDir: root,
      stackName,
      config: {
        ...credentialsConfig(emulator),
        "posthog-layout:organizations": { value: JSON.stringify(layout(false).organizations) },
        "posthog-layout:projects": { value: JSON.stringify(layout(false).projects) },
      },
    });
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    const projects = await api(
      emulator.url,
      emulator.admin.personalApiKey,
      "GET",
      `/api/organizations/${mainId}/projects/`,
    );
    for (const project of projects.body.results as Array<{ id: number }>) {
      const full = await api(
        emulator.url,
        emulator.admin.personalApiKey,
        "GET",
        `/api/organizations/${mainId}/projects/${project.id}/`,
      );
      tokens.push(String(full.body.api_token));
    }

    await run.stack.setConfig("posthog-layout:projects", { value: JSON.stringify(layout(true).projects) });
    const output = await run.cli(["preview", "--diff", "--color", "never"]);
    expect(output.stderr).toBe("");
    expect(output.code).toBe(0);
    preview = output.stdout;
    if (process.env.PR_REVIEW_PREVIEW_FILE) fs.writeFileSync(process.env.PR_REVIEW_PREVIEW_FILE, preview);
  });

  afterAll(async () => {
    try {
      await run?.stack.destroy();
      await run?.dispose();
    } finally {
      await emulator?.close();
      fs.rmSync(path.join(root, `Pulumi.${stackName}.yaml`), { force: true });
    }
  });

  /** The lines of the preview that belong to one resource, from its header to the next resource's. */
  function block(type: string, name: string): string {
    const lines = preview.split("\n");
    const isHeader = (line: string) =>
      /^\s*(\+-|[-+~])?\s*pulumi[-:][\w/:-]+: \(/.test(line) || /^\s*--outputs:--/.test(line);
    const urnLine = lines.findIndex((line) => line.includes(`${type}::${name}]`));
    expect(urnLine).toBeGreaterThan(0);
    let start = urnLine;
    while (start > 0 && !isHeader(lines[start])) start--;
    let end = urnLine + 1;
    while (end < lines.length && !isHeader(lines[end])) end++;
    return lines.slice(start, end).join("\n");
  }

  test("a move reads as an in-place update of the project's organizationId", () => {
    const move = block("pulumi-nodejs:dynamic/posthog:Project", "internal-tools");
    expect(move).toMatch(/~ pulumi-nodejs:dynamic\/posthog:Project: \(update\)/);
    expect(move).toMatch(new RegExp(`~ organizationId: "${mainId}" => "${secondId}"`));
    expect(move).not.toMatch(/replace|delete/);
  });

  test("a rotation reads as a replacement of the token", () => {
    const rotation = block("pulumi-nodejs:dynamic/posthog:ProjectToken", "internal-tools-token");
    expect(rotation).toMatch(/\+-pulumi-nodejs:dynamic\/posthog:ProjectToken: \(replace\)/);
    expect(rotation).toMatch(/rotation\s*: "2026-11" => "2026-12"/);
  });

  test("a new project reads as a create", () => {
    const created = block("pulumi-nodejs:dynamic/posthog:Project", "status-page");
    expect(created).toMatch(/\+ pulumi-nodejs:dynamic\/posthog:Project: \(create\)/);
    expect(created).toContain('name          : "Status Page"');
  });

  test("nothing else changes and no secret appears in the text", () => {
    expect(preview).toMatch(/~ 1 to update/);
    expect(preview).toMatch(/\+ 2 to create/);
    expect(preview).toMatch(/\+-1 to replace/);
    expect(preview).not.toMatch(/to delete/);
    expect(preview).not.toContain(emulator.admin.personalApiKey);
    expect(preview).not.toContain(emulator.admin.password);
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    for (const token of tokens) expect(preview).not.toContain(token);
    expect(preview).not.toMatch(/phc_\w{20,}/);
  });
});
