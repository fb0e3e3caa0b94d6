/**
 * examples/rotate-secure-key end to end: the real Pulumi engine rotates the feature-flags secure
 * API key against posthog-local while posthog-node, configured for local evaluation, keeps
 * loading flag definitions. Every definitions request is recorded with the key it carried, so
 * the test can check, request by request, that the key the deployment held was never refused.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PostHog } from "posthog-node";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { api, credentialsConfig, stepRecorder, stepsFor, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "..", "examples", "rotate-secure-key");

interface DefinitionsRequest {
  key: string;
  status: number;
}

/** posthog-node's fetch, recording each flag definitions request's key and answer. */
function recordingFetch(log: DefinitionsRequest[]) {
  return async (url: string, options: { headers?: Record<string, string> } & RequestInit) => {
    const response = await fetch(url, options);
    if (url.includes("/flags/definitions")) {
      const header = (options.headers as Record<string, string> | undefined)?.Authorization ?? "";
      log.push({ key: header.replace(/^Bearer /, ""), status: response.status });
    }
    return response;
  };
}

/** One local-evaluation load with posthog-node and `key`: what a server does at start or on a poll. */
async function loadDefinitions(host: string, projectToken: string, key: string, log: DefinitionsRequest[]) {
  const client = new PostHog(projectToken, {
    host,
    personalApiKey: key,
    featureFlagsPollingInterval: 60_000,
    fetch: recordingFetch(log),
    fetchRetryCount: 0,
  });
  try {
    await client.reloadFeatureFlags();
  } finally {
    await client.shutdown();
  }
}

describe("examples/rotate-secure-key", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let dir: string;
  let secretFile: string;
  let projectToken: string;
  let firstKey: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    dir = mkdtempSync(path.join(tmpdir(), "rotate-secure-key-"));
    secretFile = path.join(dir, "web-server-secret");
    run = await openOfflineStack({
      workDir: program,
      stackName: `rotate-secure-key-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        organizationId: { value: emulator.admin.organizationId },
        deploymentSecretFile: { value: secretFile },
        rotation: { value: "1" },
      },
    });
  });

  afterAll(async () => {
    try {
      await tearDown(run, emulator);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the first up generates a key and hands it to the deployment; posthog-node loads with it", async () => {
    const result = await run.stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 4 });
    expect(result.outputs.secureApiKey.secret).toBe(true);
    firstKey = String(result.outputs.secureApiKey.value);
    expect(firstKey).toMatch(/^phs_/);
    expect(readFileSync(secretFile, "utf8")).toBe(firstKey);

    const project = await api(
      emulator.url,
      emulator.admin.personalApiKey,
      "GET",
      `/api/environments/${String(result.outputs.projectId.value)}/`,
    );
    expect(project.body.secret_api_token).toBe(firstKey);
    projectToken = String(project.body.api_token);

    const log: DefinitionsRequest[] = [];
    await loadDefinitions(emulator.url, projectToken, firstKey, log);
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((r) => r.status === 200)).toBe(true);
  });

  test("a new rotation value is create-before-delete; no request with the deployment's key is refused", async () => {
    await run.stack.setConfig("rotation", { value: "2" });
    const recorder = stepRecorder();
    await run.stack.preview({ onEvent: recorder.onEvent });
    const keySteps = stepsFor(recorder.steps, "web-secure-key").map((s) => s.op);
    expect(keySteps).toEqual(expect.arrayContaining(["create-replacement", "delete-replaced"]));
    const order = recorder.steps.map((s) => `${s.name}:${s.op}`);
    const created = order.indexOf("web-secure-key:create-replacement");
    const deploymentUpdated = order.indexOf("web-server-secret:update");
    const deleted = order.indexOf("web-secure-key:delete-replaced");
    expect(created).toBeGreaterThanOrEqual(0);
    expect(deploymentUpdated).toBeGreaterThan(created);
    expect(deleted).toBeGreaterThan(deploymentUpdated);

    // While the up runs, keep loading definitions the way a deployment does: with whatever key
    // its secret holds at that moment, and with the old key for a server not yet restarted.
    const duringUp: DefinitionsRequest[] = [];
    const oldKeyServer: DefinitionsRequest[] = [];
    let done = false;
    const poller = (async () => {
      while (!done) {
        const current = readFileSync(secretFile, "utf8");
        await loadDefinitions(emulator.url, projectToken, current, duringUp);
        await loadDefinitions(emulator.url, projectToken, firstKey, oldKeyServer);
      }
    })();
    const result = await run.stack.up().finally(() => {
      done = true;
    });
    await poller;
    expect(result.summary.resourceChanges).toEqual({ same: 2, replace: 1, update: 1 });
    const secondKey = String(result.outputs.secureApiKey.value);
    expect(secondKey).toMatch(/^phs_/);
    expect(secondKey).not.toBe(firstKey);
    expect(readFileSync(secretFile, "utf8")).toBe(secondKey);

    expect(duringUp.length).toBeGreaterThan(0);
    expect(duringUp.filter((r) => r.status !== 200)).toEqual([]);
    // The old key worked until the backup was deleted, at the very end of the up.
    expect(oldKeyServer.length).toBeGreaterThan(0);
    const firstRefusal = oldKeyServer.findIndex((r) => r.status !== 200);
    if (firstRefusal >= 0) {
      expect(oldKeyServer.slice(firstRefusal).every((r) => r.status === 401)).toBe(true);
    }

    // After the up: the old key is refused, the new one loads.
    const after: DefinitionsRequest[] = [];
    await loadDefinitions(emulator.url, projectToken, firstKey, after);
    await loadDefinitions(emulator.url, projectToken, secondKey, after);
    expect(after.map((r) => [r.key === firstKey ? "old" : "new", r.status])).toEqual([
      ["old", 401],
      ["new", 200],
    ]);
    expect((await run.stack.preview()).changeSummary).toEqual({ same: 4 });
  });

  test("refresh picks up a rotation done elsewhere, and the next up hands the new key to the deployment", async () => {
    const outputs = await run.stack.outputs();
    const before = String(outputs.secureApiKey.value);
    const projectId = String(outputs.projectId.value);
    // Rotate outside Pulumi, as an admin in PostHog's UI would (a session action).
    const login = await fetch(`${emulator.url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: emulator.admin.email, password: emulator.admin.password }),
    });
    expect(login.status).toBe(200);
    const cookies = login.headers.getSetCookie().map((c) => c.split(";")[0]);
    const csrf = cookies.find((c) => c.startsWith("posthog_csrftoken="))?.split("=")[1] ?? "";
    const rotated = await fetch(`${emulator.url}/api/environments/${projectId}/rotate_secret_token/`, {
      method: "PATCH",
      headers: { "content-type": "application/json", cookie: cookies.join("; "), "x-csrftoken": csrf },
      body: "{}",
    });
    expect(rotated.status).toBe(200);
    const elsewhere = ((await rotated.json()) as { secret_api_token: string }).secret_api_token;
    expect(elsewhere).not.toBe(before);

    const refreshed = await run.stack.refresh();
    expect(refreshed.summary.result).toBe("succeeded");
    // The refreshed state holds the key rotated elsewhere (a secret in state: decrypted on export).
    const deployment = (await run.stack.exportStack()).deployment as {
      resources: Array<{ urn: string; outputs?: Record<string, unknown> }>;
    };
    const keyState = deployment.resources.find((r) => r.urn.endsWith("::web-secure-key"));
    expect(JSON.stringify(keyState?.outputs?.token)).toContain(elsewhere);
    const result = await run.stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 3, update: 1 });
    expect(String(result.outputs.secureApiKey.value)).toBe(elsewhere);
    expect(readFileSync(secretFile, "utf8")).toBe(elsewhere);
  });
});
