import { authenticator } from "otplib";
import { openDatabase } from "../../emulator/db/database";
import { Level, type Plan } from "../../emulator/domain";
import { ApiError } from "../../emulator/http/errors";
import { createRepositories, type Store } from "../../emulator/repositories";
import type { MembershipRow } from "../../emulator/repositories/members";
import type { OrganizationRow } from "../../emulator/repositories/organizations";
import type { UserRow } from "../../emulator/repositories/users";
import * as members from "../../emulator/rules/members";
import * as organizations from "../../emulator/rules/organizations";
import * as projects from "../../emulator/rules/projects";
import * as sessions from "../../emulator/rules/sessions";

// posthog-local's rules called directly on an in-memory database, without HTTP: each rule's
// refusal (status and PostHog's message) and what it leaves behind. The HTTP shape of the same
// rules is covered by the conformance suite.

let store: Store;
let userCount = 0;

beforeEach(() => {
  const db = openDatabase(":memory:");
  store = { db, repos: createRepositories(db) };
});
afterEach(() => store.db.close());

function newUser(totpSecret?: string): UserRow {
  userCount += 1;
  return store.repos.users.create({
    email: `user${userCount}@example.com`,
    password: "pw-123456",
    totpSecret,
  });
}

function newOrganization(owner: UserRow, plan: Plan): OrganizationRow {
  return organizations.createOrganizationFor(store.repos, owner, "Org", plan).organization;
}

function join(org: OrganizationRow, user: UserRow, level: 1 | 8): MembershipRow {
  members.addMember(store, org.id, user.email, level);
  return store.repos.members.get(org.id, user.id) as MembershipRow;
}

function membership(org: OrganizationRow, user: UserRow): MembershipRow {
  return store.repos.members.get(org.id, user.id) as MembershipRow;
}

/** Runs `fn` and returns the ApiError it throws; fails the test if it throws nothing or something else. */
function refusal(fn: () => unknown): ApiError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ApiError);
  return thrown as ApiError;
}

function expectRefused(fn: () => unknown, status: number, detail: string): void {
  const error = refusal(fn);
  expect({ status: error.status, detail: error.body.detail }).toEqual({ status, detail });
}

const PLAN_LIMIT =
  "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects.";

describe("organizations", () => {
  test("an organization created through the API is on the free plan, with its Default project and its creator as owner", () => {
    const user = newUser();
    const org = organizations.createOrganization(store, user, { name: "Acme", members_can_invite: false });
    expect(org.plan).toBe("free");
    expect(org.members_can_invite).toBe(0);
    expect(store.repos.projects.liveInOrganization(org.id).map((p) => p.name)).toEqual(["Default project"]);
    expect(membership(org, user).level).toBe(Level.OWNER);
    expect(store.repos.users.byId(user.id)?.current_organization_id).toBe(org.id);
  });

  test("changing an organization needs ADMIN and deleting it needs OWNER", () => {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    const member = join(org, newUser(), Level.MEMBER);
    const admin = join(org, newUser(), Level.ADMIN);
    const insufficient = "Your organization access level is insufficient.";
    expectRefused(() => organizations.requireCanUpdate(member), 403, insufficient);
    expect(() => organizations.requireCanUpdate(admin)).not.toThrow();
    expectRefused(() => organizations.requireCanDelete(admin), 403, insufficient);
    expect(() => organizations.requireCanDelete(membership(org, owner))).not.toThrow();
  });
});

describe("projects: the plan limit", () => {
  test("a free organization holds one project", () => {
    const owner = newUser();
    const org = newOrganization(owner, "free");
    expectRefused(() => projects.createProject(store, owner, org.id, { name: "Second" }), 403, PLAN_LIMIT);
    expect(store.repos.projects.count(org.id)).toBe(1);
  });

  test("a scale organization holds several", () => {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    projects.createProject(store, owner, org.id, { name: "Second" });
    projects.createProject(store, owner, org.id, { name: "Third" });
    expect(store.repos.projects.count(org.id)).toBe(3);
  });

  test("demo projects do not count; a project pending deletion still does", () => {
    const owner = newUser();
    const org = newOrganization(owner, "free");
    const [only] = store.repos.projects.liveInOrganization(org.id);
    projects.updateProject(store, only, membership(org, owner), { is_demo: true });
    const second = projects.createProject(store, owner, org.id, { name: "Second" });
    store.repos.projects.markIngested(second.id);
    projects.deleteProject(store, second);
    expectRefused(() => projects.createProject(store, owner, org.id, { name: "Third" }), 403, PLAN_LIMIT);
    projects.cancelDeletion(store, second);
    expect(store.repos.projects.get(second.id)?.pending_deletion_at).toBeNull();
  });

  test("the hard cap of 2000 has its own message and applies to create only", () => {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    const insert = store.db.prepare(
      "INSERT INTO projects (uuid, organization_id, name, api_token, created_at, updated_at) VALUES (?, ?, ?, ?, '', '')",
    );
    for (let i = 1; i < 2000; i++) insert.run(`u-${i}`, org.id, `P${i}`, `phc_t${i}`);
    const cap =
      "You have reached the maximum limit of 2000 projects per organization. Contact support if you'd like access to more projects.";
    expectRefused(() => projects.createProject(store, owner, org.id, { name: "One more" }), 403, cap);
    expect(() => projects.checkPlanLimit(store.repos, org, "update")).not.toThrow();
  });

  test("a project created without a name takes the next free Default project name", () => {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    expect(projects.createProject(store, owner, org.id, {}).name).toBe("Default project 2");
    expect(projects.createProject(store, owner, org.id, {}).name).toBe("Default project 3");
  });

  test("PUT's check refuses a free organization's only project", () => {
    const owner = newUser();
    expectRefused(
      () => projects.checkPlanLimit(store.repos, newOrganization(owner, "free"), "update"),
      403,
      PLAN_LIMIT,
    );
    expect(() =>
      projects.checkPlanLimit(store.repos, newOrganization(owner, "scale"), "update"),
    ).not.toThrow();
  });

  test("creating a project needs organization ADMIN", () => {
    const org = newOrganization(newUser(), "scale");
    expectRefused(
      () => projects.requireCanCreate(join(org, newUser(), Level.MEMBER)),
      403,
      "You need to be an organization admin or above to create new projects.",
    );
    expect(() => projects.requireCanCreate(join(org, newUser(), Level.ADMIN))).not.toThrow();
  });
});

describe("projects: names", () => {
  // The message names the project as the request spelled it, trimmed.
  const taken = (name: string) =>
    `There is already a project called "${name}" in this organization. Choose a different name.`;

  test("a live name is taken case-insensitively and trimmed, on create and on rename", () => {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    const hedgebox = projects.createProject(store, owner, org.id, { name: "Hedgebox" });
    const other = projects.createProject(store, owner, org.id, { name: "Other" });
    expectRefused(
      () => projects.createProject(store, owner, org.id, { name: "  hEDGEBOX " }),
      409,
      taken("hEDGEBOX"),
    );
    expectRefused(
      () => projects.updateProject(store, other, membership(org, owner), { name: "Hedgebox " }),
      409,
      taken("Hedgebox"),
    );
    // Renaming a project to its own name is not a clash.
    const renamed = projects.updateProject(store, hedgebox, membership(org, owner), { name: "HEDGEBOX" });
    expect(renamed.name).toBe("HEDGEBOX");
  });

  test("names are per organization; a pending project keeps its name, a removed one frees it", () => {
    const owner = newUser();
    const first = newOrganization(owner, "scale");
    const second = newOrganization(owner, "scale");
    const hedgebox = projects.createProject(store, owner, first.id, { name: "Hedgebox" });
    expect(projects.createProject(store, owner, second.id, { name: "Hedgebox" }).name).toBe("Hedgebox");
    store.repos.projects.markIngested(hedgebox.id);
    projects.deleteProject(store, hedgebox);
    expectRefused(
      () => projects.createProject(store, owner, first.id, { name: " hedgebox" }),
      409,
      'There is already a project called "hedgebox" in this organization. Choose a different name.',
    );
    const quiet = projects.createProject(store, owner, first.id, { name: "Quiet" });
    expect(projects.deleteProject(store, quiet)).toBe("removed");
    expect(projects.createProject(store, owner, first.id, { name: "quiet" }).name).toBe("quiet");
  });
});

describe("projects: changes, deletion and tokens", () => {
  test("a member may change other settings but not the admin ones", () => {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    const project = projects.createProject(store, owner, org.id, { name: "P" });
    const member = join(org, newUser(), Level.MEMBER);
    expectRefused(
      () => projects.updateProject(store, project, member, { timezone: "Europe/Paris", name: "Q" }),
      403,
      "Only project admins can modify these settings: name, timezone",
    );
    const updated = projects.updateProject(store, project, member, { product_description: "shop" });
    expect(updated.product_description).toBe("shop");
    expect(updated.name).toBe("P");
  });

  test("deleting marks a project that ingested events pending, once; deleting and rotating need ADMIN", () => {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    const project = projects.createProject(store, owner, org.id, { name: "P" });
    expectRefused(
      () => projects.requireCanManage(join(org, newUser(), Level.MEMBER)),
      403,
      "You don't have sufficient permissions in the project.",
    );
    const rotated = projects.resetToken(store, project);
    expect(rotated.api_token).not.toBe(project.api_token);
    store.repos.projects.markIngested(project.id);
    expect(projects.deleteProject(store, project)).toBe("pending");
    expect(store.repos.projects.get(project.id)?.pending_deletion_at).not.toBeNull();
    expectRefused(
      () => projects.deleteProject(store, project),
      400,
      "This project is already being deleted.",
    );
  });

  test("the only project of an organization with an active subscription cannot be deleted", () => {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    store.repos.organizations.setActiveSubscription(org.id, true);
    const second = projects.createProject(store, owner, org.id, { name: "Second" });
    expect(projects.deleteProject(store, second)).toBe("removed");
    const [last] = store.repos.projects.liveInOrganization(org.id);
    expectRefused(
      () => projects.deleteProject(store, last),
      400,
      "Cannot delete the last project in an organization with an active subscription. Please cancel your subscription first in the billing page.",
    );
  });
});

describe("projects: moving between organizations", () => {
  function stage(targetPlan: Plan = "scale") {
    const owner = newUser();
    const source = newOrganization(owner, "scale");
    const project = projects.createProject(store, owner, source.id, { name: "Mover" });
    const target = newOrganization(owner, targetPlan);
    return { owner, source, target, project };
  }
  const move = (user: UserRow, s: ReturnType<typeof stage>, rawTarget: unknown, productPageRules = false) =>
    projects.moveProject(store, user, s.project, membership(s.source, user), rawTarget, productPageRules);
  const NOT_ADMIN_OR_OWNER =
    "You must be an admin or owner of both the source and target organizations to move a project.";

  test("1. the caller must be a member of the target (missing, malformed and unknown targets too)", () => {
    const s = stage();
    const outsider = newUser();
    const elsewhere = newOrganization(outsider, "scale");
    const detail = NOT_ADMIN_OR_OWNER;
    for (const raw of [undefined, 42, "not-a-uuid", "00000000-0000-4000-8000-000000000000", elsewhere.id]) {
      expectRefused(() => move(s.owner, s, raw), 400, detail);
    }
    expect(refusal(() => move(s.owner, s, undefined)).body.code).toBe("invalid_input");
  });

  test("2. the caller must be an admin of both organizations", () => {
    const s = stage();
    const detail = "You must be an admin of both the source and target organizations to move a project.";
    const adminOfSourceOnly = newUser();
    join(s.source, adminOfSourceOnly, Level.ADMIN);
    join(s.target, adminOfSourceOnly, Level.MEMBER);
    expectRefused(() => move(adminOfSourceOnly, s, s.target.id), 400, detail);
    const adminOfTargetOnly = newUser();
    join(s.source, adminOfTargetOnly, Level.MEMBER);
    join(s.target, adminOfTargetOnly, Level.ADMIN);
    expectRefused(() => move(adminOfTargetOnly, s, s.target.id), 400, detail);
  });

  test("a move into the organization the project is in is not refused (PostHog's code does not)", () => {
    const s = stage();
    expect(move(s.owner, s, s.source.id).project.organization_id).toBe(s.source.id);
  });

  test("product page rules are off by default: a last project may leave, a free target may fill up", () => {
    const owner = newUser();
    const source = newOrganization(owner, "scale");
    const target = newOrganization(owner, "free");
    const [only] = store.repos.projects.liveInOrganization(source.id);
    const moved = projects.moveProject(store, owner, only, membership(source, owner), target.id, false);
    expect(moved.project.organization_id).toBe(target.id);
  });

  test("with the product page rules, the source must keep a project (demo ones do not count)", () => {
    const owner = newUser();
    const source = newOrganization(owner, "scale");
    const target = newOrganization(owner, "scale");
    const [only] = store.repos.projects.liveInOrganization(source.id);
    const demo = projects.createProject(store, owner, source.id, { name: "Demo", is_demo: true });
    expect(demo.is_demo).toBe(1);
    expectRefused(
      () => projects.moveProject(store, owner, only, membership(source, owner), target.id, true),
      400,
      "The originating organization must have at least two projects before you can move one.",
    );
  });

  test("with the product page rules, a free target must have room", () => {
    const s = stage("free");
    expectRefused(
      () => move(s.owner, s, s.target.id, true),
      400,
      "The target organization's plan allows only one project. Upgrade its plan before moving a project into it.",
    );
  });

  test("the checks run in order: a member of neither side hears rule 1, not rule 2", () => {
    const s = stage();
    const member = newUser();
    join(s.source, member, Level.MEMBER);
    expect(refusal(() => move(member, s, s.target.id)).body.detail).toBe(NOT_ADMIN_OR_OWNER);
  });

  test("a move keeps the id and token, takes a UUID in any case with spaces, and gives the target level", () => {
    const s = stage();
    const moved = move(s.owner, s, `  ${s.target.id.toUpperCase()} `);
    expect(moved.project.organization_id).toBe(s.target.id);
    expect(moved.project.id).toBe(s.project.id);
    expect(moved.project.api_token).toBe(s.project.api_token);
    expect(moved.level).toBe(Level.OWNER);
  });
});

describe("members", () => {
  function stage() {
    const owner = newUser();
    const org = newOrganization(owner, "scale");
    const adminUser = newUser();
    const memberUser = newUser();
    join(org, adminUser, Level.ADMIN);
    join(org, memberUser, Level.MEMBER);
    const target = (user: UserRow) => members.findMember(store.repos, org.id, user.uuid);
    return { owner, org, adminUser, memberUser, target };
  }

  test("passing ownership on makes the old owner an admin: one owner per organization", () => {
    const s = stage();
    const after = members.changeLevel(store, membership(s.org, s.owner), s.target(s.adminUser), Level.OWNER);
    expect(after.level).toBe(Level.OWNER);
    expect(membership(s.org, s.owner).level).toBe(Level.ADMIN);
    const owners = store.repos.members.list(s.org.id, 100, 0).rows.filter((m) => m.level === Level.OWNER);
    expect(owners.map((m) => m.user_id)).toEqual([s.adminUser.id]);
  });

  test("the owner cannot be removed, nor a second owner added", () => {
    const s = stage();
    const ownerMembership = membership(s.org, s.owner);
    expectRefused(
      () => members.removeMember(store, ownerMembership, ownerMembership),
      403,
      "The organization owner cannot be removed. Pass on ownership first.",
    );
    expectRefused(
      () => members.addMember(store, s.org.id, newUser().email, Level.OWNER),
      409,
      "The organization already has an owner; add the user as admin and pass on ownership.",
    );
    expectRefused(
      () => members.addMember(store, s.org.id, s.memberUser.email, Level.ADMIN),
      409,
      "User already is a member of the organization.",
    );
  });

  test("validate_update: PostHog's five refusals", () => {
    const s = stage();
    const owner = membership(s.org, s.owner);
    const admin = membership(s.org, s.adminUser);
    const member = membership(s.org, s.memberUser);
    expectRefused(
      () => members.validateUpdate(admin, admin, Level.MEMBER),
      403,
      "You can't change your own access level.",
    );
    expectRefused(
      () => members.validateUpdate(admin, member, Level.OWNER),
      403,
      "You can only make another member owner if you're this organization's owner.",
    );
    const secondMember = join(s.org, newUser(), Level.MEMBER);
    const secondAdmin = join(s.org, newUser(), Level.ADMIN);
    expect(() => members.validateUpdate(secondAdmin, secondMember, Level.ADMIN)).not.toThrow();
    expectRefused(
      () => members.validateUpdate(member, secondMember, Level.ADMIN),
      403,
      "You can only change access level of others to lower or equal to your current one.",
    );
    expectRefused(
      () => members.validateUpdate(member, secondMember, Level.MEMBER),
      403,
      "You can only edit others if you are an admin.",
    );
    expectRefused(
      () => members.validateUpdate(admin, owner, Level.ADMIN),
      403,
      "You can only edit others with level lower or equal to you.",
    );
  });

  test("a refused change writes nothing; leaving is allowed to anyone but the owner", () => {
    const s = stage();
    const member = membership(s.org, s.memberUser);
    expect(() => members.changeLevel(store, member, s.target(s.adminUser), Level.MEMBER)).toThrow(ApiError);
    expect(membership(s.org, s.adminUser).level).toBe(Level.ADMIN);
    members.removeMember(store, member, member);
    expect(store.repos.members.get(s.org.id, s.memberUser.id)).toBeUndefined();
    expectRefused(() => s.target(s.memberUser), 404, "Not found.");
  });
});

describe("sessions", () => {
  // The rules' in-memory login state (axes' failure counts, emailed links), fresh per use.
  const withLogin = () => ({ ...store, login: new sessions.LoginState() });

  test("the password step refuses a wrong password and an unknown email alike", () => {
    const user = newUser();
    for (const [email, password] of [
      [user.email, "wrong-password"],
      ["nobody@example.com", "pw-123456"],
    ]) {
      const error = refusal(() => sessions.checkPassword(withLogin(), email, password, "127.0.0.1"));
      expect([error.status, error.body.code, error.body.detail]).toEqual([
        400,
        "invalid_credentials",
        "Invalid email or password.",
      ]);
    }
    expect(sessions.checkPassword(withLogin(), user.email.toUpperCase(), "pw-123456", "127.0.0.1").id).toBe(
      user.id,
    );
  });

  test("a login replaces the previous session", () => {
    const user = newUser();
    const first = sessions.startLogin(withLogin(), user, undefined);
    expect(first.twoFactorPending).toBe(false);
    const second = sessions.startLogin(withLogin(), user, first.session);
    expect(store.repos.sessions.get(first.session)).toBeUndefined();
    expect(store.repos.sessions.get(second.session)?.user_id).toBe(user.id);
  });

  test("with TOTP the session waits for a code, which is good once", () => {
    const secret = authenticator.generateSecret();
    const user = newUser(secret);
    const pending = sessions.startLogin(withLogin(), user, undefined);
    expect(pending.twoFactorPending).toBe(true);
    expect(store.repos.sessions.get(pending.session)?.user_id).toBeNull();
    const invalid = refusal(() => sessions.completeTwoFactorLogin(store, pending.session, "000000x"));
    expect(invalid.body.code).toBe("2fa_invalid");
    const code = authenticator.generate(secret);
    const session = sessions.completeTwoFactorLogin(store, pending.session, code);
    expect(store.repos.sessions.get(session)?.user_id).toBe(user.id);
    const again = sessions.startLogin(withLogin(), user, session);
    const replay = refusal(() => sessions.completeTwoFactorLogin(store, again.session, code));
    expect([replay.status, replay.body.code, replay.body.detail]).toEqual([
      400,
      "2fa_invalid",
      "Invalid authentication code",
    ]);
  });

  test("the TOTP step without a pending login is an invalid 2FA session; after the timeout it has expired", () => {
    const user = newUser(authenticator.generateSecret());
    const expired = "Login attempt has expired. Re-enter username/password.";
    expectRefused(
      () => sessions.completeTwoFactorLogin(store, undefined, "123456"),
      400,
      "Invalid 2FA session. Please log in again.",
    );
    const pending = sessions.startLogin(withLogin(), user, undefined);
    store.db
      .prepare("UPDATE sessions SET pending_2fa_at = pending_2fa_at - ?")
      .run(sessions.TWO_FACTOR_TIMEOUT_SECONDS + 1);
    expectRefused(() => sessions.completeTwoFactorLogin(store, pending.session, "123456"), 400, expired);
  });
});
