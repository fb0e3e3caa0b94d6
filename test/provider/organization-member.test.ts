/** The OrganizationMember rules and the move preview text, as pure functions (the e2e test runs them through the engine). */
import type { Member } from "../../provider/client";
import {
  accessLostOnMove,
  memberRuleViolations,
  MOVE_PREVIEW_NAMES,
} from "../../provider/resources/organization-member";

const member = (email: string, level: number): Member => ({
  id: `m-${email}`,
  level,
  user: { uuid: `u-${email}`, email },
});
const me = (level: number) => ({ email: "me@example.com", level });

describe("memberRuleViolations: PostHog's refusals, in its words", () => {
  test("changing your own level", () => {
    const s = { me: me(15), target: member("me@example.com", 15) };
    expect(memberRuleViolations(s, "ME@example.com", 8)).toEqual(["You can't change your own access level."]);
    expect(memberRuleViolations(s, "me@example.com", 15)).toEqual([]);
  });

  test("removing yourself", () => {
    const s = { me: me(15), target: member("me@example.com", 15) };
    expect(memberRuleViolations(s, "me@example.com", undefined, true)[0]).toMatch(/account that runs Pulumi/);
  });

  test("a member-level caller changes nothing; nobody raises above their own level", () => {
    expect(memberRuleViolations({ me: me(1), target: member("a@x.io", 1) }, "a@x.io", 1, true)).toEqual([
      "You can only edit others if you are an admin.",
    ]);
    expect(memberRuleViolations({ me: me(8), target: member("a@x.io", 1) }, "a@x.io", 15)).toEqual([
      "You can only make another member owner if you're this organization's owner.",
    ]);
    expect(memberRuleViolations({ me: me(8), target: member("a@x.io", 15) }, "a@x.io", 8)).toEqual([
      "You can only edit others with level lower or equal to you.",
    ]);
    expect(memberRuleViolations({ me: me(1) }, "new@x.io", 8)).toEqual([
      "You cannot invite a user with a higher permission level than your own.",
    ]);
  });

  test("one owner: a non-member is not invited as owner; an owner hands ownership to a member", () => {
    expect(memberRuleViolations({ me: me(15) }, "new@x.io", 15)[0]).toMatch(/one owner per organization/);
    expect(memberRuleViolations({ me: me(15), target: member("a@x.io", 8) }, "a@x.io", 15)).toEqual([]);
  });
});

describe("accessLostOnMove", () => {
  test("names the source members missing from the target, and nobody else", () => {
    const text = accessLostOnMove(
      "Web",
      { name: "Old", members: [member("a@x.io", 15), member("b@x.io", 1), member("c@x.io", 8)] },
      { name: "New", members: [member("A@x.io", 15)] },
    );
    expect(text).toBe(
      'Moving project "Web" from "Old" to "New": 2 members of "Old" not in "New" will lose access to it: ' +
        "b@x.io, c@x.io. Their personal API keys (including keys scoped to this project) stop working for it too.",
    );
  });

  test("nobody loses access: no text", () => {
    expect(
      accessLostOnMove(
        "Web",
        { name: "Old", members: [member("a@x.io", 15)] },
        { name: "New", members: [member("a@x.io", 8)] },
      ),
    ).toBeUndefined();
  });

  test("beyond the limit it counts the rest", () => {
    const many = Array.from({ length: MOVE_PREVIEW_NAMES + 3 }, (_, i) =>
      member(`p${String(i).padStart(2, "0")}@x.io`, 1),
    );
    const text = accessLostOnMove("Web", { name: "Old", members: many }, { name: "New", members: [] }) ?? "";
    expect(text).toContain(`${MOVE_PREVIEW_NAMES + 3} members`);
    expect(text).toContain("and 3 more.");
    expect(text).not.toContain(`p${MOVE_PREVIEW_NAMES}@x.io`);
  });
});
