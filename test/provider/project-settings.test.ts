/**
 * The ProjectSettings provider's methods, called directly as the engine's host would, against
 * posthog-local: local validation, only-given settings, drift at read, the ignored plan-gated
 * setting reported by name, and a delete that leaves values.
 */
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { resourceProvider, UNKNOWN } from "../../provider";
import { setClientTuning } from "../../provider/context";
import { FAST_RETRY, ownerClient, setPlan, unique } from "./support";
import { organizationProjects, type PostHogClient } from "../../provider/client";

type Props = Record<string, unknown>;

let emu: TestEmulator;
let api: PostHogClient;
const settings = resourceProvider("ProjectSettings") as Required<ResourceProvider<Props, Props>>;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  api = ownerClient(emu);
  setClientTuning({ retry: FAST_RETRY });
  const get = (key: string) =>
    ({
      "posthog:host": emu.url,
      "posthog:apiKey": emu.admin.personalApiKey,
      "posthog:email": emu.admin.email,
      "posthog:password": emu.admin.password,
    })[key];
  await settings.configure({ config: { get, require: (k) => get(k) ?? "" } });
});

afterAll(async () => {
  setClientTuning({});
  await emu.close();
});

/** A new project in a new organization on `plan`. */
async function newProject(plan: "free" | "scale"): Promise<string> {
  const org = await api.organizations.create({ name: unique("Settings") });
  await setPlan(emu, org.id, plan);
  const [first] = organizationProjects(org);
  return String(first.id);
}

/** Captures what the provider writes to stderr (its warning channel outside the engine's host). */
async function stderrOf(run: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const spy = jest.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.join("\n");
}

describe("ProjectSettings", () => {
  test("check refuses what PostHog would refuse, naming the field, and lets unknowns through", async () => {
    const result = await settings.check(
      {},
      {
        projectId: "1",
        appUrls: ["https://*.*.*.*.*.*.example.com", "localhost:3000"],
        sessionRecordingSampleRate: 0.125,
        sessionRecordingMinimumDurationMilliseconds: 30_001,
        cookielessServerHashMode: "sometimes",
      },
    );
    const reasons = (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n");
    expect(reasons).toContain("appUrls.0");
    expect(reasons).toContain("at most 5");
    expect(reasons).toContain("appUrls.1");
    expect(reasons).toContain("sessionRecordingSampleRate");
    expect(reasons).toContain("sessionRecordingMinimumDurationMilliseconds");
    expect(reasons).toContain("cookielessServerHashMode");

    const unknown = await settings.check({}, { projectId: UNKNOWN, appUrls: [UNKNOWN] });
    expect(unknown.failures ?? []).toEqual([]);
    const typo = await settings.check({}, { projectId: "1", sessionRecordingOptin: true });
    expect((typo.failures ?? []).map((f) => f.reason).join()).toContain("sessionRecordingOptin");
  });

  test("create sets only the given settings; read shows drift; delete leaves the values", async () => {
    const projectId = await newProject("scale");
    await api.environments.updateSettings(projectId, { heatmaps_opt_in: true });
    const inputs = {
      projectId,
      appUrls: ["http://localhost:3000"],
      sessionRecordingOptIn: true,
      sessionRecordingSampleRate: 0.5,
      sessionRecordingMinimumDurationMilliseconds: 2000,
      cookielessServerHashMode: "stateless",
    };
    const created = await settings.create(inputs);
    expect(created.id).toBe(`${projectId}/settings`);
    expect(created.outs).toEqual(inputs);

    const live = await api.environments.get(projectId);
    expect(live.app_urls).toEqual(["http://localhost:3000"]);
    expect(live.session_recording_sample_rate).toBe("0.50");
    expect(live.cookieless_server_hash_mode).toBe(1);
    expect(live.heatmaps_opt_in).toBe(true); // not given: left alone

    await api.environments.updateSettings(projectId, {
      session_recording_opt_in: false,
      surveys_opt_in: true,
    });
    const read = await settings.read(created.id, created.outs);
    expect(read.props).toEqual({ ...inputs, sessionRecordingOptIn: false });
    expect(read.props).not.toHaveProperty("surveysOptIn");
    const diff = await settings.diff(created.id, read.props!, inputs);
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);

    const updated = await settings.update(created.id, read.props!, inputs);
    expect(updated.outs).toEqual(inputs);

    await settings.delete(created.id, updated.outs!);
    const after = await api.environments.get(projectId);
    expect(after.session_recording_opt_in).toBe(true);
    expect(after.app_urls).toEqual(["http://localhost:3000"]);
  });

  test("a plan-gated setting PostHog ignores on the free plan is reported by name, with the kept value", async () => {
    const projectId = await newProject("free");
    let created: Awaited<ReturnType<typeof settings.create>> | undefined;
    const warning = await stderrOf(async () => {
      created = await settings.create({
        projectId,
        sessionRecordingOptIn: true,
        sessionRecordingMinimumDurationMilliseconds: 2000,
      });
    });
    expect(warning).toContain(`ProjectSettings of Project ${projectId}`);
    expect(warning).toContain("ignored sessionRecordingMinimumDurationMilliseconds (asked 2000, kept null)");
    expect(warning).not.toContain("sessionRecordingOptIn");
    expect(created?.outs).toEqual({
      projectId,
      sessionRecordingOptIn: true,
      sessionRecordingMinimumDurationMilliseconds: null,
    });
    // The kept value is in state, so the next preview shows the setting as a change again.
    const diff = await settings.diff(created!.id, created!.outs!, {
      projectId,
      sessionRecordingOptIn: true,
      sessionRecordingMinimumDurationMilliseconds: 2000,
    });
    expect(diff.changes).toBe(true);
  });

  test("read of a deleted project drops the resource", async () => {
    const projectId = await newProject("scale");
    const created = await settings.create({ projectId, surveysOptIn: true });
    await api.projects.delete((await api.environments.get(projectId)).organization, projectId);
    expect(await settings.read(created.id, created.outs)).toEqual({});
  });
});
