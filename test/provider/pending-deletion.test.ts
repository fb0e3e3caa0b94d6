/**
 * Issue 9, parts 2 and 3 on the provider's side, against posthog-local: projects pending
 * deletion are never adopted by accident, a name they hold is explained at preview with the way
 * out (adopting by id cancels the deletion), their token counts as gone; PostHog's current
 * messages get hints that say what to do; odd billing entries do not reject an organization.
 */
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { resourceProvider } from "../../provider";
import { setClientTuning } from "../../provider/context";
import { projectAllowance, type PostHogClient } from "../../provider/client";
import { createKey, FAST_RETRY, ownerClient, setPlan, startRewritingProxy, unique } from "./support";

type Props = Record<string, unknown>;

let emu: TestEmulator;
let api: PostHogClient;
const organization = resourceProvider("Organization") as Required<ResourceProvider<Props, Props>>;
const project = resourceProvider("Project") as Required<ResourceProvider<Props, Props>>;
const token = resourceProvider("ProjectToken") as Required<ResourceProvider<Props, Props>>;

async function configure(config: Record<string, string | undefined>): Promise<void> {
  const get = (key: string) => config[key];
  await organization.configure({ config: { get, require: (k) => get(k) ?? "" } });
}

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  api = ownerClient(emu);
  setClientTuning({ retry: FAST_RETRY });
});
beforeEach(async () => {
  await configure({
    "posthog:host": emu.url,
    "posthog:apiKey": emu.admin.personalApiKey,
    "posthog:email": emu.admin.email,
    "posthog:password": emu.admin.password,
  });
});
afterAll(async () => {
  setClientTuning({});
  await emu.close();
});

async function scaleOrg(): Promise<string> {
  const org = await api.organizations.create({ name: unique("Pending") });
  await setPlan(emu, org.id, "scale");
  return org.id;
}

/** Sends one event with the project's token, so that deleting it leaves it pending for 48 hours. */
async function ingest(projectToken: string): Promise<void> {
  const res = await fetch(`${emu.url}/i/v0/e/`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event: "e", distinct_id: "d", properties: { token: projectToken } }),
  });
  expect(res.status).toBe(200);
}

/** A project that ingested events and was then deleted: pending deletion. */
async function pendingProject(orgId: string, name: string) {
  const created = await api.projects.create(orgId, { name });
  await ingest(created.api_token);
  await api.projects.delete(orgId, created.id);
  expect((await api.projects.get(orgId, created.id)).is_pending_deletion).toBe(true);
  return created;
}

describe("projects pending deletion", () => {
  test("name lookups read the detail: a pending project is named but never live", async () => {
    const orgId = await scaleOrg();
    const gone = await pendingProject(orgId, "Staging");
    expect((await api.projects.named(orgId, "staging"))?.id).toBe(gone.id);
    expect(await api.projects.liveNamed(orgId, "staging")).toBeUndefined();
  });

  test("a name held by a pending project fails the preview, naming it, when it is free, and the way out", async () => {
    const orgId = await scaleOrg();
    const gone = await pendingProject(orgId, "Staging");
    const check = await project.check({}, { organizationId: orgId, name: "Staging" });
    expect(check.failures).toHaveLength(1);
    const [failure] = check.failures ?? [];
    expect(failure.property).toBe("name");
    expect(failure.reason).toContain(`Project "Staging" (id ${gone.id})`);
    expect(failure.reason).toContain("is being deleted");
    expect(failure.reason).toContain("48 hours");
    expect(failure.reason).toContain(`existingProjectId: "${gone.id}"`);
    expect(failure.reason).toContain("cancels its deletion");
  });

  test("adopting a pending project by existingProjectId cancels its deletion and keeps id and token", async () => {
    const orgId = await scaleOrg();
    const gone = await pendingProject(orgId, "Staging");
    const inputs = { organizationId: orgId, name: "Staging", existingProjectId: String(gone.id) };
    expect((await project.check({}, inputs)).failures).toBeUndefined();
    const adopted = await project.create(inputs);
    expect(adopted.id).toBe(String(gone.id));
    const live = await api.projects.get(orgId, gone.id);
    expect(live).toMatchObject({ is_pending_deletion: false, api_token: gone.api_token, name: "Staging" });
    const tokenCreated = await token.create({ projectId: String(gone.id) });
    expect(tokenCreated.outs).toMatchObject({ token: gone.api_token });
  });

  test("adoptDefaultProject never adopts a pending Default project", async () => {
    const org = await api.organizations.create({ name: unique("Default pending") });
    await setPlan(emu, org.id, "scale");
    const defaultProject = await api.projects.get(org.id, org.projects?.[0]?.id as number);
    await ingest(defaultProject.api_token);
    await api.projects.delete(org.id, defaultProject.id);
    const created = await project.create({ organizationId: org.id, name: "Prod", adoptDefaultProject: true });
    expect(created.id).not.toBe(String(defaultProject.id));
    expect((await api.projects.get(org.id, defaultProject.id)).is_pending_deletion).toBe(true);
  });

  test("a pending project counts toward the plan at preview", async () => {
    const org = await api.organizations.create({ name: unique("Free pending") });
    const only = await api.projects.get(org.id, org.projects?.[0]?.id as number);
    await ingest(only.api_token);
    await api.projects.delete(org.id, only.id);
    const check = await project.check({}, { organizationId: org.id, name: "Fresh" });
    expect(check.failures?.map((f) => f.reason)).toEqual([
      expect.stringContaining("maximum limit of allowed projects"),
    ]);
  });

  test("the ProjectToken of a pending project counts as gone: read is empty, create refuses it, delete succeeds", async () => {
    const orgId = await scaleOrg();
    const made = await project.create({ organizationId: orgId, name: "Tokened" });
    const created = await api.projects.get(orgId, made.id);
    const tokenCreated = await token.create({ projectId: made.id });
    await ingest(created.api_token);
    await project.delete(made.id, made.outs as Props);
    expect(await token.read(tokenCreated.id, tokenCreated.outs as Props)).toEqual({});
    // Deleting it does not fail (since 9f083d4 it is one reset_token from state, which PostHog also
    // accepts on a pending project).
    await token.delete(tokenCreated.id, tokenCreated.outs as Props);
    await expect(token.create({ projectId: String(created.id) })).rejects.toThrow("is being deleted");
  });
});

describe("current messages and formats", () => {
  test("deleting the last project of a subscribed organization fails with PostHog's words and a way out", async () => {
    const org = await api.organizations.create({ name: unique("Paid") });
    await setPlan(emu, org.id, "scale");
    const res = await fetch(`${emu.url}/_admin/organizations/${org.id}/subscription`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ active: true }),
    });
    expect(res.status).toBe(200);
    const only = org.projects?.[0]?.id as number;
    await expect(
      project.delete(String(only), { organizationId: org.id, name: "Default project" }),
    ).rejects.toThrow(
      /Cannot delete the last project in an organization with an active subscription\..*retainOnDelete/s,
    );
    expect((await api.projects.get(org.id, only)).is_pending_deletion).toBeFalsy();
  });

  test("a project-scoped key listing projects is refused with a hint naming the key to use", async () => {
    const scoped = await createKey(emu, emu.admin.email, ["*"], {
      scoped_teams: [emu.admin.defaultProjectId],
    });
    const client = ownerClient(emu, { apiKey: scoped });
    await expect(client.projects.list(emu.admin.organizationId)).rejects.toThrow(
      /API keys with scoped projects are only supported on project-based endpoints\..*without a project scope/s,
    );
  });

  test("an organization whose available_product_features holds null or odd entries is accepted", async () => {
    const proxy = await startRewritingProxy(emu.url, (method, path, status, body) => {
      if (method !== "GET" || !/^\/api\/organizations\/[^/]+\/$/.test(path) || status !== 200) return body;
      const org = body as Record<string, unknown>;
      return {
        ...org,
        available_product_features: [
          null,
          "organizations_projects",
          { name: "no key" },
          ...((org.available_product_features as unknown[]) ?? []),
        ],
      };
    });
    try {
      const client = ownerClient(emu, { host: proxy.url });
      const org = await client.organizations.get(emu.admin.organizationId);
      expect(org.available_product_features?.map((f) => f.key)).toContain("organizations_projects");
      expect(projectAllowance(org)).toBeGreaterThan(1);
    } finally {
      await proxy.close();
    }
  });
});
