import * as fs from "node:fs";
import * as path from "node:path";
import { LayoutConfigError, parseLayout } from "../../program/layout-config";
import { openOfflineStack } from "../../scripts/lib/offline";
import { repoRoot } from "../../scripts/lib/paths";

const ORG_ID = "0b7e4c1e-5f0a-4b5e-9a53-9a3f0f6f8c11";

function problemsOf(raw: { organizations: unknown; projects: unknown }): string[] {
  try {
    parseLayout(raw);
  } catch (error) {
    if (error instanceof LayoutConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the layout to be rejected");
}

describe("the root program's stack config", () => {
  test("accepts existing and managed organizations with projects", () => {
    const layout = parseLayout({
      organizations: {
        main: { existingId: ORG_ID, standardLayout: { adoptDefaultProject: "production" } },
        labs: { name: "Labs" },
      },
      projects: { web: { organization: "labs", name: "Web", tokenRotation: "2026-11" } },
    });
    expect(layout.organizations.main.existingId).toBe(ORG_ID);
    expect(layout.projects.web.organization).toBe("labs");
  });

  test("names the config key of a project pointing at an undeclared organization", () => {
    expect(
      problemsOf({
        organizations: { main: { existingId: ORG_ID } },
        projects: { web: { organization: "mian", name: "Web" } },
      }),
    ).toEqual([
      'posthog-layout:projects.web.organization: unknown organization "mian"; declared organizations: main',
    ]);
  });

  test("requires exactly one of name and existingId for an organization", () => {
    const [problem] = problemsOf({
      organizations: { main: { name: "A", existingId: ORG_ID } },
      projects: {},
    });
    expect(problem).toMatch(/^posthog-layout:organizations\.main: set exactly one of `name`/);
  });

  test("takes members per organization as email: level", () => {
    const layout = parseLayout({
      organizations: {
        main: { existingId: ORG_ID, members: { "ada@example.com": "owner", "bob@example.com": "member" } },
      },
      projects: {},
    });
    expect(layout.organizations.main.members).toEqual({
      "ada@example.com": "owner",
      "bob@example.com": "member",
    });
  });

  test("refuses two owners in one organization, a bad level and an address that is not one", () => {
    expect(
      problemsOf({
        organizations: {
          main: { existingId: ORG_ID, members: { "ada@example.com": "owner", "bob@example.com": "owner" } },
          // One owner in each of two organizations is fine.
          labs: { name: "Labs", members: { "ada@example.com": "owner" } },
        },
        projects: {},
      }),
    ).toEqual([
      "posthog-layout:organizations.main.members: PostHog keeps one owner per organization: declare at most one member as owner (setting an existing member to owner transfers ownership, and the current owner becomes an admin)",
    ]);
    const problems = problemsOf({
      organizations: {
        main: { existingId: ORG_ID, members: { "ada@example.com": "boss", "not-an-address": "member" } },
      },
      projects: {},
    });
    expect(problems).toHaveLength(2);
    expect(
      problems.some((p) => p.startsWith("posthog-layout:organizations.main.members.ada@example.com: ")),
    ).toBe(true);
    expect(
      problems.some(
        (p) => p.startsWith("posthog-layout:organizations.main.members") && /not-an-address|email/.test(p),
      ),
    ).toBe(true);
  });

  test("rejects unknown fields and bad values with their keys", () => {
    const problems = problemsOf({
      organizations: { main: { existingId: "not-a-uuid" } },
      projects: { web: { organization: "main", name: "", colour: "red" } },
    });
    expect(problems.some((p) => p.startsWith("posthog-layout:organizations.main.existingId:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("posthog-layout:projects.web.name:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("posthog-layout:projects.web") && p.includes("colour"))).toBe(
      true,
    );
  });

  test("refuses resource-unfriendly keys and an empty organization list", () => {
    expect(problemsOf({ organizations: { Main_Org: { name: "A" } }, projects: {} })[0]).toMatch(
      /lower-case letters/,
    );
    expect(problemsOf({ organizations: {}, projects: {} })[0]).toMatch(/declare at least one organization/);
  });

  test("refuses adopting by id and the default project at once", () => {
    const [problem] = problemsOf({
      organizations: { main: { existingId: ORG_ID } },
      projects: {
        web: { organization: "main", name: "Web", existingProjectId: 3, adoptDefaultProject: true },
      },
    });
    expect(problem).toBe(
      "posthog-layout:projects.web.adoptDefaultProject: set either `existingProjectId` or `adoptDefaultProject`, not both",
    );
  });
});

describe("a config problem through the real engine", () => {
  test("fails the preview with the key to fix and no stack trace", async () => {
    const stackName = `bad-config-${process.pid}`;
    const run = await openOfflineStack({
      workDir: repoRoot(),
      stackName,
      config: {
        "posthog-layout:organizations": { value: JSON.stringify({ main: { existingId: ORG_ID } }) },
        "posthog-layout:projects": { value: JSON.stringify({ web: { organization: "mian", name: "Web" } }) },
      },
    });
    try {
      const preview = await run.cli(["preview", "--color", "never"]);
      expect(preview.code).not.toBe(0);
      expect(preview.stdout).toContain(
        'posthog-layout:projects.web.organization: unknown organization "mian"; declared organizations: main',
      );
      expect(preview.stdout).not.toMatch(/at parseLayout|LayoutConfigError/);
    } finally {
      await run.dispose();
      fs.rmSync(path.join(repoRoot(), `Pulumi.${stackName}.yaml`), { force: true });
    }
  });
});
