/**
 * The preview-time login check with the real engine (issue 9): an account PostHog will not let
 * Pulumi log in with a password (email MFA) fails the preview of a plan that moves a project,
 * naming the project and saying what to do, while a plan with no session-only action previews
 * without any login.
 */
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { adminCall, api, createScaleOrganization, credentialsConfig, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "fixtures", "login-e2e");

describe("email MFA and the preview-time login check", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  let targetOrganizationId: string;
  let projectId: string;
  const key = () => emulator.admin.personalApiKey;
  const email = () => emulator.admin.email;

  /** Whether posthog-local emailed a login link (each password login of an email-MFA account sends one). */
  const linkSent = async () =>
    (await fetch(`${emulator.url}/_admin/email-mfa?email=${encodeURIComponent(email())}`)).status === 200;
  const liveSessions = async () =>
    ((await adminCall(emulator.url, "GET", "/_admin/sessions")).count as number) ?? -1;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    targetOrganizationId = await createScaleOrganization(emulator.url, key(), "Move target");
    run = await openOfflineStack({
      workDir: program,
      stackName: `login-${process.pid}`,
      config: {
        ...credentialsConfig(emulator),
        projectOrganizationId: { value: emulator.admin.organizationId },
        projectName: { value: "Login App" },
        rotation: { value: "first" },
      },
    });
  });
  afterAll(async () => {
    // Deleting a ProjectToken rotates it (a session action): let the destroy log in again.
    await adminCall(
      emulator.url,
      "PATCH",
      `/_admin/users/login-policy?email=${encodeURIComponent(email())}`,
      {
        email_mfa: false,
      },
    ).finally(() => tearDown(run, emulator));
  });

  test("up of a project and its token needs no login; then the account turns on email MFA", async () => {
    const result = await run.stack.up();
    // The stack itself, the project and its token.
    expect(result.summary.resourceChanges).toEqual({ create: 3 });
    projectId = String(result.outputs.projectId.value);
    expect(await liveSessions()).toBe(0);
    await adminCall(
      emulator.url,
      "PATCH",
      `/_admin/users/login-policy?email=${encodeURIComponent(email())}`,
      {
        email_mfa: true,
      },
    );
  });

  test("a plan with no session-only action (a rename) previews without any login", async () => {
    await run.stack.setConfig("projectName", { value: "Login App Renamed" });
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
    expect(await linkSent()).toBe(false);
    expect(await liveSessions()).toBe(0);
  });

  test("a plan that moves the project fails at preview with the email MFA message naming it", async () => {
    await run.stack.setConfig("projectOrganizationId", { value: targetOrganizationId });
    const message = await run.stack.preview().then(
      () => "the preview succeeded",
      (err: unknown) => String(err),
    );
    expect(message).toContain(
      `Cannot move Project "Login App Renamed" (${projectId}) to Organization ${targetOrganizationId}`,
    );
    expect(message).toContain("the session login fails");
    expect(message).toContain("email_mfa_required");
    expect(message).toContain("Turn on two-factor authentication (TOTP) for the account that runs Pulumi");
    expect(message).toContain("posthog:totpSecret");
    expect(message).toContain("The personal API key is not at fault.");
    // One clean line: no JavaScript stack frames from the provider.
    expect(message).not.toMatch(/\n\s+at .+\.js:\d+/);
    // The preview tried the login (posthog-local emailed the link) and left no session; nothing moved.
    expect(await linkSent()).toBe(true);
    expect(await liveSessions()).toBe(0);
    const project = await api(
      emulator.url,
      key(),
      "GET",
      `/api/organizations/${emulator.admin.organizationId}/projects/${projectId}/`,
    );
    expect([project.status, project.body.organization]).toEqual([200, emulator.admin.organizationId]);
  });
});
