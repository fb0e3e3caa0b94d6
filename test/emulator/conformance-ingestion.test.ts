import { gzipSync } from "node:zlib";
import { PostHog } from "posthog-node";
import { adminOf, emulatorOnly, startTarget, type Target } from "./support/target";
import { call, errorBody, uniqueName } from "./support/http";
import type { Project } from "./support/shapes";

const INVALID_TOKEN = errorBody(
  "authentication_error",
  "invalid_api_key",
  "Project API key invalid. You can find your project API key in PostHog project settings.",
);

let target: Target;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  org = target.organizationId;
});
afterAll(() => target.close());

async function createProject(): Promise<Project> {
  const res = await target.owner.post(`/api/organizations/${org}/projects/`, { name: uniqueName("Ingest") });
  expect(res.status).toBe(201);
  target.track("project", res.json<Project>().id);
  return res.json<Project>();
}

/** Sends `count` events with the official Node client and waits until they are delivered. */
async function sendWithPosthogNode(token: string, count: number): Promise<void> {
  const client = new PostHog(token, { host: target.url, flushAt: 2, flushInterval: 0, fetchRetryCount: 0 });
  for (let i = 0; i < count; i++)
    client.capture({ distinctId: `user-${i}`, event: "conformance event", properties: { i } });
  await client.shutdown();
}

describe("posthog-node round trip", () => {
  emulatorOnly("events arrive with the project's current token and not with a revoked one", async () => {
    const admin = adminOf(target);
    const project = await createProject();
    await sendWithPosthogNode(project.api_token, 3);
    expect(await admin.events(project.id)).toBe(3);

    const session = target.session();
    expect((await session.login(target.ownerEmail as string, target.ownerPassword as string)).status).toBe(
      200,
    );
    const reset = await session.request(
      "PATCH",
      `/api/organizations/${org}/projects/${project.id}/reset_token/`,
      {},
    );
    expect(reset.status).toBe(200);
    const newToken = reset.json<Project>().api_token;

    await sendWithPosthogNode(project.api_token, 2);
    expect(await admin.events(project.id)).toBe(3);
    await sendWithPosthogNode(newToken, 4);
    expect(await admin.events(project.id)).toBe(7);

    const read = (await target.owner.get(`/api/projects/${project.id}/`)).json<{ ingested_event: boolean }>();
    expect(read.ingested_event).toBe(true);
  });

  emulatorOnly("posthog-node's flag evaluation reaches /flags with the token", async () => {
    const project = await createProject();
    const client = new PostHog(project.api_token, { host: target.url, flushInterval: 0, fetchRetryCount: 0 });
    const flags = await client.getAllFlags("someone");
    await client.shutdown();
    expect(flags).toEqual({});
  });
});

describe("capture endpoints", () => {
  emulatorOnly("/batch/, /i/v0/e/, /capture/ and /e/ accept plain and gzip bodies", async () => {
    const admin = adminOf(target);
    const project = await createProject();
    const event = (name: string) => ({
      event: name,
      distinct_id: "d1",
      properties: { token: project.api_token },
    });
    const bodies: [string, unknown][] = [
      ["/batch/", { api_key: project.api_token, batch: [event("a"), event("b")] }],
      ["/i/v0/e/", event("c")],
      ["/capture/", { api_key: project.api_token, event: "d", distinct_id: "d2" }],
      ["/e/", [event("e"), event("f")]],
    ];
    for (const [path, body] of bodies) {
      const plain = await call(target.url, "POST", path, { body });
      expect(plain.status).toBe(200);
      const gz = await call(target.url, "POST", path, {
        rawBody: gzipSync(JSON.stringify(body)),
        headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
      });
      expect(gz.status).toBe(200);
    }
    expect(await admin.events(project.id)).toBe(12);
  });

  emulatorOnly("form bodies with base64 data are accepted (posthog-js style)", async () => {
    const admin = adminOf(target);
    const project = await createProject();
    const data = Buffer.from(
      JSON.stringify([{ event: "$pageview", properties: { token: project.api_token, distinct_id: "x" } }]),
    ).toString("base64");
    const res = await call(target.url, "POST", "/e/", {
      rawBody: `data=${encodeURIComponent(data)}`,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(200);
    expect(await admin.events(project.id)).toBe(1);
  });

  emulatorOnly("events for unknown tokens and for projects being deleted are dropped silently", async () => {
    const admin = adminOf(target);
    const project = await createProject();
    const unknown = await call(target.url, "POST", "/batch/", {
      body: { api_key: "phc_unknownToken", batch: [{ event: "x", distinct_id: "y" }] },
    });
    expect(unknown.status).toBe(200);
    // A project that ingested an event stays pending after its delete (one that never did is
    // removed at once), so this is the "being deleted" case.
    const before = await call(target.url, "POST", "/batch/", {
      body: { api_key: project.api_token, batch: [{ event: "x", distinct_id: "y" }] },
    });
    expect(before.status).toBe(200);
    expect(await admin.events(project.id)).toBe(1);
    expect((await target.owner.delete(`/api/organizations/${org}/projects/${project.id}/`)).status).toBe(204);
    const pending = await call(target.url, "POST", "/batch/", {
      body: { api_key: project.api_token, batch: [{ event: "x", distinct_id: "y" }] },
    });
    expect(pending.status).toBe(200);
    expect(await admin.events(project.id)).toBe(1);
    const flags = await call(target.url, "POST", "/flags/?v=2", {
      body: { token: project.api_token, distinct_id: "y" },
    });
    expect(flags.status).toBe(401);
  });

  emulatorOnly("events without any token are 401", async () => {
    const res = await call(target.url, "POST", "/batch/", {
      body: { batch: [{ event: "x", distinct_id: "y" }] },
    });
    expect(res.status).toBe(401);
    expect(res.json<{ code: string }>().code).toBe("missing_api_key");
  });

  emulatorOnly("the admin API reports counts for every project", async () => {
    const res = await call(target.url, "GET", "/_admin/events");
    const body = res.json<{ projects: { project_id: number; events: number }[] }>();
    expect(body.projects.length).toBeGreaterThan(0);
    for (const p of body.projects) expect(typeof p.events).toBe("number");
    const unknown = await call(target.url, "GET", "/_admin/events?project_id=99999999");
    expect(unknown.status).toBe(404);
  });
});

describe("flags", () => {
  test("an unknown token is 401 invalid_api_key on /flags, /flags/?v=2 and /decide", async () => {
    for (const path of ["/flags/", "/flags/?v=2", "/decide/?v=3"]) {
      const res = await call(target.url, "POST", path, {
        body: { token: "phc_noSuchProjectToken", distinct_id: "a" },
      });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual(INVALID_TOKEN);
    }
  });

  test("a live project's token gets 200 with a flag set", async () => {
    const project = await createProject();
    const res = await call(target.url, "POST", "/flags/?v=2", {
      body: { token: project.api_token, distinct_id: "a" },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toHaveProperty("flags");
  });

  emulatorOnly("a gzip flags request works too", async () => {
    const project = await createProject();
    const res = await call(target.url, "POST", "/flags/?v=2", {
      rawBody: gzipSync(JSON.stringify({ api_key: project.api_token, distinct_id: "a" })),
      headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
    });
    expect(res.status).toBe(200);
  });
});
