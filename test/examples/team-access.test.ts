/**
 * examples/team-access end to end: the real Pulumi engine runs the example against
 * posthog-local. The organization is found by lookup; one existing user gets a level, a
 * newcomer is invited, accepts (admin route), and refresh shows them as a member.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { openOfflineStack, OfflineStack } from "../../scripts/lib/offline";
import { startTestEmulator, TestEmulator } from "../helpers/emulator";
import { adminCall, api, credentialsConfig, tearDown } from "../helpers/engine";

const program = path.join(__dirname, "..", "..", "examples", "team-access");

interface Access {
  email: string;
  level: string;
  status: string;
}

describe("examples/team-access", () => {
  let emulator: TestEmulator;
  let run: OfflineStack;
  const key = () => emulator.admin.personalApiKey;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    const org = emulator.admin.organizationId;
    await adminCall(emulator.url, "POST", "/_admin/users", {
      email: "lead@example.com",
      password: "lead-password-1",
    });
    await adminCall(emulator.url, "POST", `/_admin/organizations/${org}/members`, {
      email: "lead@example.com",
      level: 1,
    });
    run = await openOfflineStack({
      workDir: program,
      stackName: `team-access-${process.pid}`,
      config: { ...credentialsConfig(emulator), sendInviteEmails: { value: "false" } },
    });
  });
  afterAll(() => tearDown(run, emulator));

  test("up raises the existing member and invites the newcomer; accepting shows on refresh", async () => {
    const org = emulator.admin.organizationId;
    // The README shows this preview: its lines are the engine's.
    let text = "";
    const preview = await run.stack.preview({ onOutput: (out) => (text += out) });
    expect(preview.changeSummary).toEqual({ create: 3 });
    const readme = fs.readFileSync(path.join(program, "README.md"), "utf8");
    for (const line of [
      " +  pulumi-nodejs:dynamic/posthog:OrganizationMember analyst@example.com create",
      " +  pulumi-nodejs:dynamic/posthog:OrganizationMember lead@example.com create",
      '    organizationName: "Test organization"',
      "    + 3 to create",
    ]) {
      expect(text).toContain(line);
      expect(readme).toContain(line);
    }

    const result = await run.stack.up();
    expect(result.outputs.organizationName.value).toBe("Test organization");
    const byEmail = (list: Access[]) => Object.fromEntries(list.map((a) => [a.email, a]));
    expect(byEmail(result.outputs.access.value as Access[])).toEqual({
      "analyst@example.com": { email: "analyst@example.com", level: "member", status: "invited" },
      "lead@example.com": { email: "lead@example.com", level: "admin", status: "member" },
    });
    const members = (await api(emulator.url, key(), "GET", `/api/organizations/${org}/members/`)).body
      .results as Array<{ level: number; user: { email: string } }>;
    expect(members.find((m) => m.user.email === "lead@example.com")?.level).toBe(8);

    const invites = (await api(emulator.url, key(), "GET", `/api/organizations/${org}/invites/`)).body
      .results as Array<{ id: string; target_email: string }>;
    const invite = invites.find((i) => i.target_email === "analyst@example.com");
    expect(invite).toBeDefined();
    await adminCall(emulator.url, "POST", `/_admin/invites/${invite?.id}/accept`, {});
    await run.stack.refresh();
    const after = await run.stack.up();
    expect(byEmail(after.outputs.access.value as Access[])["analyst@example.com"].status).toBe("member");
  });
});
