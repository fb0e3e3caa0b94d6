import { adminOf, emulatorOnly, startTarget, type Target } from "./support/target";
import { call, errorBody, uniqueName } from "./support/http";
import type { Page, Project } from "./support/shapes";

let target: Target;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  org = target.organizationId;
});
afterAll(() => target.close());

describe("HTTP conventions", () => {
  test("the trailing slash is optional", async () => {
    for (const path of ["/api/organizations", "/api/organizations/", "/api/users/@me", "/api/users/@me/"]) {
      expect((await target.owner.get(path)).status).toBe(200);
    }
  });

  test("an unknown /api/ path is 404 'Endpoint not found.'", async () => {
    const res = await target.owner.get("/api/this/does/not/exist/");
    expect(res.status).toBe(404);
    expect(res.json()).toEqual(errorBody("invalid_request", "not_found", "Endpoint not found."));
  });

  test("a known path with another method is 405", async () => {
    const res = await target.owner.delete("/api/organizations/");
    expect(res.status).toBe(405);
    expect(res.json()).toEqual(
      errorBody("invalid_request", "method_not_allowed", 'Method "DELETE" not allowed.'),
    );
  });

  test("malformed JSON is 400 parse_error", async () => {
    const res = await target.owner.post(`/api/organizations/${org}/projects/`, undefined, {
      rawBody: '{"name": ',
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ type: "invalid_request", code: "parse_error", attr: null });
    expect(res.json<{ detail: string }>().detail).toMatch(/^JSON parse error/);
  });

  test("a JSON body that is not an object is 400 validation_error", async () => {
    const res = await target.owner.post(`/api/organizations/${org}/projects/`, ["a", "list"]);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual(
      errorBody("validation_error", "invalid", "Invalid data. Expected a dictionary, but got list."),
    );
  });

  test("a wrong type names the field", async () => {
    const res = await target.owner.patch(`/api/organizations/${org}/`, { members_can_invite: "perhaps" });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual(
      errorBody("validation_error", "invalid", "Must be a valid boolean.", "members_can_invite"),
    );
  });

  emulatorOnly("a non-JSON body is 415", async () => {
    const res = await target.owner.post(`/api/organizations/${org}/projects/`, undefined, {
      rawBody: "name=x",
      headers: { "Content-Type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.json()).toEqual(
      errorBody(
        "invalid_request",
        "unsupported_media_type",
        'Unsupported media type "text/plain" in request.',
      ),
    );
  });

  test("unknown and read-only fields are ignored", async () => {
    const res = await target.owner.post(`/api/organizations/${org}/projects/`, {
      name: uniqueName("Extra fields"),
      api_token: "phc_mine",
      id: 1,
      not_a_field: true,
    });
    expect(res.status).toBe(201);
    target.track("project", res.json<Project>().id);
    expect(res.json<Project>().api_token).not.toBe("phc_mine");
  });
});

describe("fault injection", () => {
  emulatorOnly("errorRate 1 answers the chosen status before touching data", async () => {
    const admin = adminOf(target);
    const name = uniqueName("Never created");
    await admin.setFaults({ errorRate: 1, errorStatus: 503, paths: "^/api/organizations/[^/]+/projects" });
    try {
      const res = await target.owner.post(`/api/organizations/${org}/projects/`, { name });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(res.json()).toMatchObject({ type: "server_error" });
      // Paths outside the regex are untouched.
      expect((await target.owner.get("/api/users/@me/")).status).toBe(200);
    } finally {
      await admin.setFaults({});
    }
    const list = (
      await target.owner.get(`/api/organizations/${org}/projects/?search=${encodeURIComponent(name)}`)
    ).json<Page<Project>>();
    expect(list.count).toBe(0);
  });

  emulatorOnly("errorStatus defaults to 500 with PostHog's server_error body", async () => {
    const admin = adminOf(target);
    await admin.setFaults({ errorRate: 1 });
    try {
      const res = await target.owner.get("/api/users/@me/");
      expect(res.status).toBe(500);
      expect(res.json()).toEqual(errorBody("server_error", "error", "A server error occurred."));
    } finally {
      await admin.setFaults({});
    }
  });

  emulatorOnly("latencyMs delays answers", async () => {
    const admin = adminOf(target);
    await admin.setFaults({ latencyMs: 250 });
    try {
      const started = Date.now();
      expect((await target.owner.get("/api/users/@me/")).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    } finally {
      await admin.setFaults({});
    }
  });

  emulatorOnly(
    "dropResponseAfterCommit commits the change, then closes the connection unanswered",
    async () => {
      const admin = adminOf(target);
      const name = uniqueName("Committed but unanswered");
      await admin.setFaults({ dropResponseAfterCommit: 1 });
      try {
        await expect(target.owner.post(`/api/organizations/${org}/projects/`, { name })).rejects.toThrow();
        // Reads are not dropped: only requests that change data.
        expect((await target.owner.get("/api/users/@me/")).status).toBe(200);
      } finally {
        await admin.setFaults({});
      }
      const list = (
        await target.owner.get(`/api/organizations/${org}/projects/?search=${encodeURIComponent(name)}`)
      ).json<Page<Project>>();
      expect(list.results.map((p) => p.name)).toEqual([name]);
      // The natural recovery: a retried create reports the conflict.
      expect((await target.owner.post(`/api/organizations/${org}/projects/`, { name })).status).toBe(409);
    },
  );

  emulatorOnly("faults are validated and can be read back; the admin API is never faulted", async () => {
    const bad = await call(target.url, "PUT", "/_admin/faults", { body: { errorRate: 2 } });
    expect(bad.status).toBe(400);
    const badRegex = await call(target.url, "PUT", "/_admin/faults", { body: { paths: "(" } });
    expect(badRegex.status).toBe(400);
    await adminOf(target).setFaults({ errorRate: 1 });
    try {
      const read = await call(target.url, "GET", "/_admin/faults");
      expect(read.status).toBe(200);
      expect(read.json()).toEqual({ errorRate: 1 });
    } finally {
      await adminOf(target).setFaults({});
    }
  });

  emulatorOnly("faults can be given at start", async () => {
    const faulty = await startTarget({ faults: { errorRate: 1, errorStatus: 502 } });
    try {
      expect((await faulty.owner.get("/api/users/@me/")).status).toBe(502);
    } finally {
      await faulty.close();
    }
  });
});
