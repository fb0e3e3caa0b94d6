import { EngineEvent } from "@pulumi/pulumi/automation";
import { PostHog } from "posthog-node";
import type { OfflineStack } from "../../scripts/lib/offline";
import type { TestEmulator } from "./emulator";

/** One step the engine planned or took for a resource, as reported by its events. */
export interface ResourceStep {
  /** The resource's name (the last part of its URN). */
  name: string;
  /** The type token, e.g. `pulumi-nodejs:dynamic/posthog:Project`. */
  type: string;
  op: string;
  /** Input keys whose values differ between the old and the new state. */
  changedInputs: string[];
}

/**
 * The Node dynamic provider host reports only whether something changed, not which
 * keys (pulumi/pulumi's cmd/dynamic-provider leaves `diffs` empty), so the changed keys
 * are worked out from the step's old and new inputs, as the CLI's diff display does.
 */
function changedInputs(
  oldInputs: Record<string, unknown> = {},
  newInputs: Record<string, unknown> = {},
): string[] {
  const keys = new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)]);
  keys.delete("__provider");
  return [...keys].filter((k) => JSON.stringify(oldInputs[k]) !== JSON.stringify(newInputs[k])).sort();
}

/** Collects the engine's per-resource steps from `onEvent`, ignoring the stack itself. */
export function stepRecorder(): { onEvent: (event: EngineEvent) => void; steps: ResourceStep[] } {
  const steps: ResourceStep[] = [];
  return {
    steps,
    onEvent(event) {
      const metadata = event.resourcePreEvent?.metadata;
      if (!metadata || metadata.type === "pulumi:pulumi:Stack") return;
      steps.push({
        name: metadata.urn.split("::").pop() ?? metadata.urn,
        type: metadata.type,
        op: metadata.op,
        changedInputs: changedInputs(metadata.old?.inputs, metadata.new?.inputs),
      });
    },
  };
}

/** The steps for one resource name. */
export function stepsFor(steps: ResourceStep[], name: string): ResourceStep[] {
  return steps.filter((step) => step.name === name);
}

/** Sends events with the official Node client and waits until they are flushed. */
export async function captureWithPostHogNode(host: string, token: string, count: number): Promise<void> {
  const client = new PostHog(token, { host, flushAt: 1, flushInterval: 0, fetchRetryCount: 0 });
  for (let i = 0; i < count; i++) client.capture({ distinctId: `user-${i}`, event: "pulumi-posthog e2e" });
  await client.shutdown();
}

/** How many events posthog-local has ingested for a project. */
export async function ingestedEvents(host: string, projectId: number | string): Promise<number> {
  const response = await fetch(`${host}/_admin/events?project_id=${projectId}`);
  if (!response.ok) throw new Error(`GET /_admin/events answered ${response.status}`);
  const body = (await response.json()) as { events: number };
  return body.events;
}

/** A PostHog API call with a personal API key, returning status and parsed body. */
export async function api(
  host: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${host}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Creates an organization through the API and lifts it to the multi-project plan with the admin route. */
export async function createScaleOrganization(host: string, key: string, name: string): Promise<string> {
  const created = await api(host, key, "POST", "/api/organizations/", { name });
  if (created.status !== 201)
    throw new Error(`creating organization ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  const id = String(created.body.id);
  await adminCall(host, "PUT", `/_admin/organizations/${id}/plan`, { plan: "scale" });
  return id;
}

/**
 * Stack config that points the provider at a test emulator as its owner: the API key
 * and the session login, secrets encrypted in the stack's config.
 */
export function credentialsConfig(
  emulator: TestEmulator,
): Record<string, { value: string; secret?: boolean }> {
  return {
    "posthog:host": { value: emulator.url },
    "posthog:apiKey": { value: emulator.admin.personalApiKey, secret: true },
    "posthog:email": { value: emulator.admin.email },
    "posthog:password": { value: emulator.admin.password, secret: true },
  };
}

/** Destroys the stack (unless told not to), removes it and stops the emulator, whatever fails. */
export async function tearDown(
  run: OfflineStack | undefined,
  emulator: TestEmulator | undefined,
  options: { destroy?: boolean } = {},
): Promise<void> {
  try {
    if (options.destroy ?? true) await run?.stack.destroy();
  } finally {
    try {
      await run?.dispose();
    } finally {
      await emulator?.close();
    }
  }
}

/** A posthog-local admin route (loopback, no PostHog authentication); throws on an error status. */
export async function adminCall(
  host: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${host}${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}
