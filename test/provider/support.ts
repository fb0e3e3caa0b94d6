/**
 * Shared helpers of the provider tests: the emulator's admin API, and clients with
 * short retry delays.
 */
import axios from "axios";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, type ClientOptions, type PostHogClient } from "../../provider/client";
import type { TestEmulator } from "../helpers/emulator";
import type { FaultOptions } from "posthog-local";

/** Retry settings that keep tests fast but still exercise the policy. */
export const FAST_RETRY = { retries: 4, baseDelayMs: 20, maxDelayMs: 200, maxTotalMs: 15_000 } as const;

/** A client for the emulator's bootstrapped owner. */
export function ownerClient(emu: TestEmulator, overrides: Partial<ClientOptions> = {}): PostHogClient {
  return createClient({
    host: emu.url,
    apiKey: emu.admin.personalApiKey,
    email: emu.admin.email,
    password: emu.admin.password,
    retry: FAST_RETRY,
    ...overrides,
  });
}

async function admin<T>(
  emu: TestEmulator,
  method: "POST" | "PUT" | "GET",
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await axios.request<T>({ method, url: `${emu.url}/_admin/${path}`, data: body });
  return response.data;
}

/** Replaces the emulator's fault options (`{}` clears them). */
export function setFaults(emu: TestEmulator, faults: FaultOptions): Promise<unknown> {
  return admin(emu, "PUT", "faults", faults);
}

/**
 * How many of a `count`-limited fault are left. Set a count larger than the requests a test
 * expects, and the difference is how many matching requests the emulator saw.
 */
export async function faultsLeft(emu: TestEmulator): Promise<number | undefined> {
  return (await admin<FaultOptions>(emu, "GET", "faults")).count;
}

/** Sets an organization's plan: "free" holds one project, "scale" many. */
export function setPlan(emu: TestEmulator, organizationId: string, plan: "free" | "scale"): Promise<unknown> {
  return admin(emu, "PUT", `organizations/${organizationId}/plan`, { plan });
}

/** Creates a user (optionally with 2FA) and returns its email/password. */
export async function createUser(
  emu: TestEmulator,
  email: string,
  totpSecret?: string,
): Promise<{ email: string; password: string }> {
  const password = `pw-${email}-secret`;
  await admin(emu, "POST", "users", { email, password, totpSecret });
  return { email, password };
}

/** Makes a user a member (1) or admin (8) of an organization. */
export function addMember(
  emu: TestEmulator,
  organizationId: string,
  email: string,
  level: 1 | 8,
): Promise<unknown> {
  return admin(emu, "POST", `organizations/${organizationId}/members`, { email, level });
}

/** Creates a personal API key for a user and returns it. */
export async function createKey(
  emu: TestEmulator,
  email: string,
  scopes: string[] = ["*"],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const created = await admin<{ key: string }>(emu, "POST", "personal_api_keys", { email, scopes, ...extra });
  return created.key;
}

/** How many events the emulator ingested for a project. */
export async function eventCount(emu: TestEmulator, projectId: number | string): Promise<number> {
  const body = await admin<{ events: number }>(emu, "GET", `events?project_id=${projectId}`);
  return body.events;
}

/** A unique name for this run. */
export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** A loopback HTTP server that forwards to `target` and lets a test rewrite responses. */
export interface RewritingProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` (the emulator) and passes the response through
 * `rewrite`, which may replace its JSON body: how a test plays a misbehaving proxy or
 * server in front of a real posthog-local.
 */
export async function startRewritingProxy(
  target: string,
  rewrite: (method: string, path: string, status: number, body: unknown) => unknown,
): Promise<RewritingProxy> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === "string" && k !== "host") headers[k] = v;
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const text = await upstream.text();
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      const out = rewrite(req.method ?? "GET", req.url ?? "/", upstream.status, body);
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(out === undefined ? "" : JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
