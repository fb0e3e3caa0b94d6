import { startTestEmulator, type TestEmulator } from "../../helpers/emulator";
import type { EmulatorOptions } from "posthog-local";
import { call, KeyClient, SessionClient } from "./http";
import type { Member } from "./shapes";

/**
 * The conformance suite runs against posthog-local by default, or against a real PostHog when
 * POSTHOG_HOST and POSTHOG_API_KEY are set (POSTHOG_EMAIL/POSTHOG_PASSWORD add the session-only
 * actions). Tests that need powers PostHog does not hand out (creating users, adding members,
 * changing plans, counting events, faults) are registered with `emulatorOnly`, which skips them
 * against a real PostHog.
 */
export const REAL_POSTHOG = Boolean(process.env.POSTHOG_HOST && process.env.POSTHOG_API_KEY);
export const HAS_SESSION =
  !REAL_POSTHOG || Boolean(process.env.POSTHOG_EMAIL && process.env.POSTHOG_PASSWORD);

/** `test` against the emulator; `test.skip` against a real PostHog (needs admin powers). */
export const emulatorOnly: jest.It = REAL_POSTHOG ? test.skip : test;
/** `test` when session credentials are available (always on the emulator). */
export const sessionTest: jest.It = HAS_SESSION ? test : test.skip;

/** The emulator's admin API, which stands in for PostHog's invites, billing and event queries. */
export class AdminApi {
  constructor(readonly baseUrl: string) {}

  async createUser(email: string, password: string, totpSecret?: string): Promise<{ uuid: string }> {
    const res = await call(this.baseUrl, "POST", "/_admin/users", { body: { email, password, totpSecret } });
    if (res.status !== 201) throw new Error(`createUser: ${res.status} ${res.text}`);
    return res.json<{ uuid: string }>();
  }

  async addMember(organizationId: string, email: string, level: 1 | 8): Promise<Member> {
    const res = await call(this.baseUrl, "POST", `/_admin/organizations/${organizationId}/members`, {
      body: { email, level },
    });
    if (res.status !== 201) throw new Error(`addMember: ${res.status} ${res.text}`);
    return res.json<Member>();
  }

  async createKey(
    email: string,
    scopes: string[],
    limits: { scoped_organizations?: string[]; scoped_teams?: number[] } = {},
  ): Promise<string> {
    const res = await call(this.baseUrl, "POST", "/_admin/personal_api_keys", {
      body: { email, scopes, ...limits },
    });
    if (res.status !== 201) throw new Error(`createKey: ${res.status} ${res.text}`);
    return res.json<{ key: string }>().key;
  }

  async setPlan(organizationId: string, plan: "free" | "scale"): Promise<void> {
    const res = await call(this.baseUrl, "PUT", `/_admin/organizations/${organizationId}/plan`, {
      body: { plan },
    });
    if (res.status !== 200) throw new Error(`setPlan: ${res.status} ${res.text}`);
  }

  async setSubscription(organizationId: string, active: boolean): Promise<void> {
    const res = await call(this.baseUrl, "PUT", `/_admin/organizations/${organizationId}/subscription`, {
      body: { active },
    });
    if (res.status !== 200) throw new Error(`setSubscription: ${res.status} ${res.text}`);
  }

  /** What PostHog does 48 hours after deleting a project that ingested events: removes it. */
  async completeDeletion(projectId: number): Promise<void> {
    const res = await call(this.baseUrl, "POST", `/_admin/projects/${projectId}/complete-deletion`);
    if (res.status !== 204) throw new Error(`completeDeletion: ${res.status} ${res.text}`);
  }

  async events(projectId: number): Promise<number> {
    const res = await call(this.baseUrl, "GET", `/_admin/events?project_id=${projectId}`);
    if (res.status !== 200) throw new Error(`events: ${res.status} ${res.text}`);
    return res.json<{ events: number }>().events;
  }

  async setFaults(faults: Record<string, unknown>): Promise<void> {
    const res = await call(this.baseUrl, "PUT", "/_admin/faults", { body: faults });
    if (res.status !== 200) throw new Error(`setFaults: ${res.status} ${res.text}`);
  }

  /** A user with a `*` key who is a member (at `level`) of `organizationId`. */
  async memberWithKey(organizationId: string, level: 1 | 8, scopes = ["*"]) {
    const email = `user-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const password = "member-password-123";
    const user = await this.createUser(email, password);
    await this.addMember(organizationId, email, level);
    const key = await this.createKey(email, scopes);
    return { email, password, uuid: user.uuid, key, client: new KeyClient(this.baseUrl, key) };
  }
}

export interface Target {
  url: string;
  /** A client with the owner's (or the real PostHog user's) key. */
  owner: KeyClient;
  ownerKey: string;
  ownerEmail: string | null;
  ownerPassword: string | null;
  /** An organization where the owner is OWNER/ADMIN and may create several projects. */
  organizationId: string;
  admin: AdminApi | null;
  emulator: TestEmulator | null;
  session(): SessionClient;
  /** Records what a test created so `close()` removes it from a real PostHog. */
  track(kind: "project" | "organization", id: number | string): void;
  close(): Promise<void>;
}

export async function startTarget(overrides: Partial<EmulatorOptions> = {}): Promise<Target> {
  if (REAL_POSTHOG) {
    const url = (process.env.POSTHOG_HOST as string).replace(/\/+$/, "");
    const key = process.env.POSTHOG_API_KEY as string;
    const owner = new KeyClient(url, key);
    const me = await owner.get("/api/users/@me/");
    if (me.status !== 200) throw new Error(`POSTHOG_API_KEY does not work against ${url}: ${me.status}`);
    const organizationId =
      process.env.POSTHOG_ORGANIZATION_ID ?? me.json<{ organization: { id: string } }>().organization.id;
    const created: { kind: "project" | "organization"; id: number | string }[] = [];
    return {
      url,
      owner,
      ownerKey: key,
      ownerEmail: process.env.POSTHOG_EMAIL ?? null,
      ownerPassword: process.env.POSTHOG_PASSWORD ?? null,
      organizationId,
      admin: null,
      emulator: null,
      session: () => new SessionClient(url),
      track: (kind, id) => void created.push({ kind, id }),
      close: async () => {
        // Projects first, then organizations; failures are ignored (already gone is fine).
        for (const item of created.filter((c) => c.kind === "project"))
          await owner.delete(`/api/projects/${item.id}/`);
        for (const item of created.filter((c) => c.kind === "organization")) {
          await owner.delete(`/api/organizations/${item.id}/`);
        }
      },
    };
  }
  const emulator = await startTestEmulator(overrides);
  return {
    url: emulator.url,
    owner: new KeyClient(emulator.url, emulator.admin.personalApiKey),
    ownerKey: emulator.admin.personalApiKey,
    ownerEmail: emulator.admin.email,
    ownerPassword: emulator.admin.password,
    organizationId: emulator.admin.organizationId,
    admin: new AdminApi(emulator.url),
    emulator,
    session: () => new SessionClient(emulator.url),
    track: () => undefined,
    close: () => emulator.close(),
  };
}

/** The admin API, asserting we are on the emulator (only called from `emulatorOnly` tests). */
export function adminOf(target: Target): AdminApi {
  if (!target.admin) throw new Error("This test needs posthog-local's admin API");
  return target.admin;
}
