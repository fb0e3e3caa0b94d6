/**
 * A new user's first hour (issue 14, items 1 to 3) with the real engine against
 * posthog-local: the common credential mistakes print one clean line naming the
 * resource and the config key, once, without stack frames; preview verifies the
 * credentials; a token rotated out of band shows as a change at refresh.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createClient } from "../../provider/client";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "fixtures", "first-hour");

describe("a new user's first hour with the real engine", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;

  const setKey = (value: string) => run.stack.setConfig("posthog:apiKey", { value, secret: true });
  const setHost = (value: string) => run.stack.setConfig("posthog:host", { value });
  const restore = async () => {
    await setHost(emulator.url);
    await setKey(emulator.admin.personalApiKey);
  };

  /** `pulumi <args>` on the stack; stdout and stderr together, as a terminal shows them. */
  async function cli(args: string[]): Promise<{ code: number; output: string }> {
    const result = await run.cli([...args, "--color", "never"]);
    return { code: result.code, output: `${result.stdout}\n${result.stderr}` };
  }

  /** The token's fingerprint as the state holds it (a refresh updates it; stack outputs wait for an up). */
  async function stateFingerprint(): Promise<string> {
    const state = await run.stack.exportStack();
    const resources = state.deployment.resources as Array<{
      type: string;
      outputs?: { fingerprint?: string };
    }>;
    const token = resources.find((resource) => resource.type.endsWith("posthog:ProjectToken"));
    return String(token?.outputs?.fingerprint);
  }

  /** The lines of the output that carry `needle`. */
  const linesWith = (output: string, needle: string) => output.split("\n").filter((l) => l.includes(needle));

  beforeAll(async () => {
    emulator = await startTestEmulator();
    run = await openOfflineStack({
      workDir: program,
      stackName: `first-hour-${process.pid}`,
      config: {
        "posthog:host": { value: emulator.url },
        "posthog:apiKey": { value: emulator.admin.personalApiKey, secret: true },
        "posthog:email": { value: emulator.admin.email },
        "posthog:password": { value: emulator.admin.password, secret: true },
        organizationId: { value: emulator.admin.organizationId },
        projectName: { value: "First Hour" },
      },
    });
  });

  afterAll(async () => {
    if (run) await restore();
    await tearDown(run, emulator);
  });

  describe("item 1: the common mistakes print one line, once, naming the resource and the config key", () => {
    const cases: Array<{ mistake: string; apply: () => Promise<void>; key: string; cause: RegExp }> = [
      {
        mistake: "a wrong API key",
        apply: () => setKey("phx_this_key_does_not_exist_000000"),
        key: "posthog:apiKey",
        cause: /returned 401 authentication_failed/,
      },
      {
        mistake: "a host that does not answer",
        apply: () => setHost("http://127.0.0.1:9"),
        key: "posthog:host",
        cause: /failed without a response \(ECONNREFUSED/,
      },
      {
        mistake: "a host without a scheme",
        apply: () => setHost(emulator.url.replace(/^http:\/\//, "")),
        key: "posthog:host",
        cause:
          /must be the URL of a PostHog management API, .*; got "127\.0\.0\.1:\d+"\. Hint: start it with https:\/\/ \(http:\/\/ for a local server\), e\.g\. https:\/\/127\.0\.0\.1:\d+\./,
      },
    ];

    for (const { mistake, apply, key, cause } of cases) {
      test(`${mistake}: pulumi preview --diff`, async () => {
        await apply();
        try {
          const { code, output } = await cli(["preview", "--diff"]);
          expect(code).not.toBe(0);
          const errors = linesWith(output, key);
          expect(errors).toHaveLength(1);
          expect(errors[0]).toMatch(
            /^error: pulumi-nodejs:dynamic\/posthog:Project resource 'app' has a problem: /,
          );
          expect(errors[0]).toMatch(cause);
          expect(output).not.toMatch(/^\s+at /m);
          expect(output).not.toContain("PostHogApiError");
        } finally {
          await restore();
        }
      });
    }

    test("under pulumi up a wrong key prints as an input error does: same lines, no frames", async () => {
      // Item 5 too: a 201-character name is not echoed back.
      const longName = "n".repeat(201);
      await run.stack.setConfig("projectName", { value: longName });
      const invalid = await cli(["up", "--yes", "--skip-preview"]).finally(() =>
        run.stack.setConfig("projectName", { value: "First Hour" }),
      );
      expect(invalid.code).not.toBe(0);
      const invalidLines = linesWith(invalid.output, "has a problem");
      expect(invalidLines.length).toBeGreaterThan(0);
      expect(invalidLines[0]).toContain('Project input "name": must be at most 200 characters');
      expect(invalid.output).not.toContain(longName);

      await setKey("phx_this_key_does_not_exist_000000");
      try {
        const { code, output } = await cli(["up", "--yes", "--skip-preview"]);
        expect(code).not.toBe(0);
        expect(linesWith(output, "has a problem")).toHaveLength(invalidLines.length);
        expect(linesWith(output, "authentication_failed")).toHaveLength(invalidLines.length);
        expect(output).not.toMatch(/^\s+at /m);
      } finally {
        await restore();
      }
    });
  });

  describe("item 2: preview verifies the credentials", () => {
    test("with good credentials the stack comes up", async () => {
      const { code, output } = await cli(["up", "--yes", "--skip-preview"]);
      expect(output).toContain("2 created");
      expect(code).toBe(0);
    });

    // What Pulumi records as each resource's source position (shown by tools that link a
    // resource to its code) is the program's line, not the sdk's constructor, and the stack
    // trace it stores ends there, without the frames that started the program
    // (sdk/construction-traces.ts). Pulumi records no position for a frame without a function
    // name, such as an arrow function's; this program declares its resources at the top level.
    test("the state places each resource at the program's line that declares it", async () => {
      const source = readFileSync(path.join(program, "index.ts"), "utf8").split("\n");
      const lineOf = (text: string) => source.findIndex((line) => line.includes(text)) + 1;
      const state = await run.stack.exportStack();
      const resources = state.deployment.resources as Array<{
        type: string;
        sourcePosition?: string;
        stackTrace?: Array<{ sourcePosition?: string }>;
      }>;
      const positions = resources
        .filter((resource) => resource.type.includes("posthog:"))
        .map(({ type, sourcePosition, stackTrace }) => [
          type.split(":").pop(),
          { sourcePosition, stackTrace },
        ]);
      const at = (text: string) =>
        expect.stringMatching(new RegExp(`^project:///index\\.ts#${lineOf(text)},`));
      expect(Object.fromEntries(positions)).toEqual({
        Project: {
          sourcePosition: at("new posthog.Project("),
          stackTrace: [{ sourcePosition: at("new posthog.Project(") }],
        },
        ProjectToken: {
          sourcePosition: at("new posthog.ProjectToken("),
          stackTrace: [{ sourcePosition: at("new posthog.ProjectToken(") }],
        },
      });
    });

    test("a missing key fails a preview that would change something", async () => {
      await run.stack.setConfig("projectName", { value: "First Hour Renamed" });
      await run.stack.removeConfig("posthog:apiKey");
      try {
        const { code, output } = await cli(["preview", "--diff"]);
        expect(code).not.toBe(0);
        const errors = linesWith(output, "posthog:apiKey (or POSTHOG_API_KEY) is not set");
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/resource 'app' has a problem/);
      } finally {
        await run.stack.setConfig("projectName", { value: "First Hour" });
        await restore();
      }
    });

    test("a wrong key fails a preview that would change something, and a preview with nothing to change asks nothing", async () => {
      const good = await cli(["preview", "--diff"]);
      expect(good.code).toBe(0);
      await setKey("phx_this_key_does_not_exist_000000");
      try {
        // Nothing to change: no request is made, so the wrong key goes unseen (documented).
        const unchanged = await cli(["preview", "--diff"]);
        expect(unchanged.code).toBe(0);
        await run.stack.setConfig("projectName", { value: "First Hour renamed" });
        const { code, output } = await cli(["preview", "--diff"]);
        expect(code).not.toBe(0);
        expect(linesWith(output, "returned 401")).toHaveLength(1);
      } finally {
        await run.stack.setConfig("projectName", { value: "First Hour" });
        await restore();
      }
    });
  });

  describe("item 3: a token rotated out of band", () => {
    test("refresh --diff shows ~ on the token's fingerprint", async () => {
      const before = (await run.stack.outputs()).tokenFingerprint.value as string;
      expect(before).toMatch(/^[0-9a-f]{8}$/);
      const client = createClient({
        host: emulator.url,
        apiKey: emulator.admin.personalApiKey,
        email: emulator.admin.email,
        password: emulator.admin.password,
        sessionOnlyActions: true,
      });
      const projectId = String((await run.stack.outputs()).projectId.value);
      const project = await client.projects.locate(projectId, emulator.admin.organizationId);
      expect(project).toBeDefined();
      await client.projects.resetToken(emulator.admin.organizationId, project!.id, project!.name);

      const { code, output } = await cli(["refresh", "--diff", "--yes"]);
      expect(code).toBe(0);
      const changed = linesWith(output, "fingerprint");
      expect(changed.join("\n")).toMatch(/~ fingerprint\s*:\s*"[0-9a-f]{8}" => "[0-9a-f]{8}"/);
      expect(output).toMatch(/~ pulumi-nodejs:dynamic\/posthog:ProjectToken: \(update\)/);
      // The state holds the new token (stack outputs follow at the next up, not at a refresh).
      expect(await stateFingerprint()).not.toBe(before);
      const same = await cli(["preview", "--diff"]);
      expect(same.code).toBe(0);
      expect(same.output).toMatch(/Resources:\s+3 unchanged/);
    });

    test("a rotation by Pulumi shows no ~ at the next refresh, and a preview after it no change", async () => {
      const before = await stateFingerprint();
      // Left set: the tests after this one start from the rotated token.
      await run.stack.setConfig("rotation", { value: "second" });
      const up = await run.stack.up();
      expect(up.summary.resourceChanges?.replace).toBe(1);
      const rotated = await stateFingerprint();
      expect(rotated).not.toBe(before);
      const refreshed = await cli(["refresh", "--diff", "--yes"]);
      expect(refreshed.code).toBe(0);
      expect(linesWith(refreshed.output, "fingerprint")).toEqual([]);
      const same = await cli(["preview", "--diff"]);
      expect(same.code).toBe(0);
      expect(same.output).toMatch(/Resources:\s+3 unchanged/);
      expect(await stateFingerprint()).toBe(rotated);
    });
  });

  describe("item 5: a refresh does not turn PostHog's defaults into declared inputs", () => {
    test("after refresh, a project declared without a timezone previews the same, and a rename as only ~name", async () => {
      const refreshed = await cli(["refresh", "--yes"]);
      expect(refreshed.code).toBe(0);
      const same = await cli(["preview", "--diff"]);
      expect(same.code).toBe(0);
      expect(same.output).not.toMatch(/timezone|productDescription/);
      // Resources only: the stack's own outputs may follow item 3's rotation.
      expect(same.output.split("--outputs:--")[0]).not.toMatch(/^\s*[~+-]+ /m);
      expect(same.output).toMatch(/Resources:\s+3 unchanged/);

      await run.stack.setConfig("projectName", { value: "First Hour Renamed" });
      try {
        const renamed = await cli(["preview"]);
        expect(renamed.code).toBe(0);
        const rows = renamed.output.split("\n").filter((line) => /posthog:Project\s+app\s/.test(line));
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatch(/update\s+\[diff: ~name\]\s*$/);
      } finally {
        await run.stack.setConfig("projectName", { value: "First Hour" });
      }
    });
  });
});
