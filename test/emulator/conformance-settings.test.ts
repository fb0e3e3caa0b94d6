/**
 * Environment settings: `GET/PATCH /api/environments/{id}/` and the same fields on the project
 * routes, with PostHog's validation (wildcards, ranges, choices), only the given fields changing,
 * admin-only fields, and the plan-gated setting a free organization's PATCH silently ignores.
 * Everything but the plan-gated case runs against a real PostHog too.
 */
import { adminOf, emulatorOnly, startTarget, type Target } from "./support/target";
import { KeyClient, errorBody, uniqueName } from "./support/http";
import type { Project } from "./support/shapes";

type Settings = Record<string, unknown> & { id: number };

let target: Target;
let owner: KeyClient;
let org: string;

beforeAll(async () => {
  target = await startTarget();
  owner = target.owner;
  org = target.organizationId;
});
afterAll(() => target.close());

async function createProject(body: Record<string, unknown> = {}): Promise<Project & Settings> {
  const res = await owner.post(`/api/organizations/${org}/projects/`, {
    name: uniqueName("Settings"),
    ...body,
  });
  expect(res.status).toBe(201);
  const project = res.json<Project & Settings>();
  target.track("project", project.id);
  return project;
}

const SETTINGS_FIELDS = [
  "app_urls",
  "recording_domains",
  "anonymize_ips",
  "session_recording_opt_in",
  "session_recording_sample_rate",
  "session_recording_minimum_duration_milliseconds",
  "heatmaps_opt_in",
  "autocapture_opt_out",
  "autocapture_exceptions_opt_in",
  "autocapture_web_vitals_opt_in",
  "capture_console_log_opt_in",
  "capture_performance_opt_in",
  "surveys_opt_in",
  "cookieless_server_hash_mode",
];

describe("GET/PATCH /api/environments/{id}/", () => {
  test("the environment of a project has the project's id and every settings field", async () => {
    const project = await createProject();
    const res = await owner.get(`/api/environments/${project.id}/`);
    expect(res.status).toBe(200);
    const environment = res.json<Settings>();
    expect(environment.id).toBe(project.id);
    for (const field of SETTINGS_FIELDS) expect(environment).toHaveProperty(field);
    expect(environment.session_recording_opt_in).toBe(false);
  });

  test("PATCH changes only the given fields, and the project routes show the same values", async () => {
    const project = await createProject();
    const first = await owner.patch(`/api/environments/${project.id}/`, {
      app_urls: ["http://localhost:3000", "", "https://*.example.com"],
      heatmaps_opt_in: true,
      session_recording_sample_rate: 0.5,
      cookieless_server_hash_mode: 1,
    });
    expect(first.status).toBe(200);
    const second = await owner.patch(`/api/environments/${project.id}/`, { surveys_opt_in: true });
    expect(second.status).toBe(200);
    const environment = second.json<Settings>();
    // Empty entries are dropped; the decimal comes back as a string with two places.
    expect(environment.app_urls).toEqual(["http://localhost:3000", "https://*.example.com"]);
    expect(environment.heatmaps_opt_in).toBe(true);
    expect(environment.surveys_opt_in).toBe(true);
    expect(environment.session_recording_sample_rate).toBe("0.50");
    expect(environment.cookieless_server_hash_mode).toBe(1);

    const viaProject = (await owner.get(`/api/projects/${project.id}/`)).json<Settings>();
    for (const field of SETTINGS_FIELDS) expect(viaProject[field]).toEqual(environment[field]);
  });

  test("the project routes accept the settings fields on create and PATCH", async () => {
    const project = await createProject({
      session_recording_opt_in: true,
      app_urls: ["https://app.example.com"],
    });
    expect(project.session_recording_opt_in).toBe(true);
    expect(project.app_urls).toEqual(["https://app.example.com"]);
    const res = await owner.patch(`/api/organizations/${org}/projects/${project.id}/`, {
      recording_domains: ["https://app.example.com"],
      autocapture_web_vitals_opt_in: true,
    });
    expect(res.status).toBe(200);
    const environment = (await owner.get(`/api/environments/${project.id}/`)).json<Settings>();
    expect(environment.recording_domains).toEqual(["https://app.example.com"]);
    expect(environment.autocapture_web_vitals_opt_in).toBe(true);
    expect(environment.session_recording_opt_in).toBe(true);
  });

  test.each([
    [
      { session_recording_sample_rate: 1.5 },
      "session_recording_sample_rate",
      "Ensure this value is less than or equal to 1.",
    ],
    [
      { session_recording_sample_rate: 0.125 },
      "session_recording_sample_rate",
      "Ensure that there are no more than 2 decimal places.",
    ],
    [
      { session_recording_minimum_duration_milliseconds: 30001 },
      "session_recording_minimum_duration_milliseconds",
      "Ensure this value is less than or equal to 30000.",
    ],
    [
      { session_recording_minimum_duration_milliseconds: -1 },
      "session_recording_minimum_duration_milliseconds",
      "Ensure this value is greater than or equal to 0.",
    ],
    [{ cookieless_server_hash_mode: 3 }, "cookieless_server_hash_mode", '"3" is not a valid choice.'],
    [{ heatmaps_opt_in: "sometimes" }, "heatmaps_opt_in", "Must be a valid boolean."],
  ])("PATCH %j is a 400 naming the field", async (body, attr, detail) => {
    const project = await createProject();
    for (const path of [`/api/environments/${project.id}/`, `/api/projects/${project.id}/`]) {
      const res = await owner.patch(path, body);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ type: "validation_error", attr, detail });
    }
  });

  test("more than 5 wildcards in an authorized URL's host are refused", async () => {
    const project = await createProject();
    const res = await owner.patch(`/api/environments/${project.id}/`, {
      app_urls: ["https://*.*.*.*.*.*.example.com"],
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ type: "validation_error", attr: "app_urls" });
    const five = await owner.patch(`/api/environments/${project.id}/`, {
      app_urls: ["https://*.*.*.*.*.example.com"],
    });
    expect(five.status).toBe(200);
  });

  emulatorOnly("a member may change the other settings but not the admin-only ones", async () => {
    const project = await createProject();
    const member = await adminOf(target).memberWithKey(org, 1);
    const ok = await member.client.patch(`/api/environments/${project.id}/`, { surveys_opt_in: true });
    expect(ok.status).toBe(200);
    const refused = await member.client.patch(`/api/environments/${project.id}/`, { anonymize_ips: true });
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual(
      errorBody(
        "authentication_error",
        "permission_denied",
        "Only project admins can modify these settings: anonymize_ips",
      ),
    );
  });

  emulatorOnly(
    "on the free plan the plan-gated minimum duration is answered 200 and left unchanged",
    async () => {
      const created = await owner.post("/api/organizations/", { name: uniqueName("Free settings") });
      expect(created.status).toBe(201);
      const freeOrg = created.json<{ id: string; teams: Array<{ id: number }> }>();
      await adminOf(target).setPlan(freeOrg.id, "free");
      const projectId = freeOrg.teams[0].id;
      const res = await owner.patch(`/api/environments/${projectId}/`, {
        session_recording_minimum_duration_milliseconds: 2000,
        session_recording_opt_in: true,
      });
      expect(res.status).toBe(200);
      expect(res.json<Settings>().session_recording_minimum_duration_milliseconds).toBeNull();
      expect(res.json<Settings>().session_recording_opt_in).toBe(true);

      await adminOf(target).setPlan(freeOrg.id, "scale");
      const paid = await owner.patch(`/api/environments/${projectId}/`, {
        session_recording_minimum_duration_milliseconds: 2000,
      });
      expect(paid.json<Settings>().session_recording_minimum_duration_milliseconds).toBe(2000);
    },
  );
});
