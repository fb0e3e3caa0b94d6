/**
 * The generic layer without HTTP: the CRUD flow's diff and input validation
 * (`provider/resources/crud.ts`), and the error module's hints and redaction
 * (`provider/client/errors.ts`).
 */
import { z } from "zod";
import { hintFor, redact, registerSecret } from "../../provider/client/errors";
import { diffFields, UNKNOWN, validateInputs, type FieldPolicy } from "../../provider/resources/crud";

type Inputs = { name: string; timezone?: string; parent: string; tags?: Record<string, string> };

const fields: { readonly [K in keyof Inputs]-?: FieldPolicy } = {
  name: { onChange: "update", whenAbsent: "compare" },
  timezone: { onChange: "update", whenAbsent: "keep" },
  parent: {
    onChange: "replace",
    whenAbsent: "compare",
    equals: (a, b) => String(a) === String(b),
    unknownIsUnchanged: true,
  },
  tags: { onChange: "update", whenAbsent: "compare" },
};

const spec = { fields, deleteBeforeReplace: true };
const olds = { name: "A", timezone: "UTC", parent: "1", tags: { a: "1", b: "2" } };

describe("diffFields", () => {
  test("equal inputs are no change", () => {
    expect(diffFields(spec, "id", olds, { ...olds })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: undefined,
    });
  });

  test("an update field changes in place", () => {
    expect(diffFields(spec, "id", olds, { ...olds, name: "B" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: undefined,
    });
  });

  test("a replace field asks for a replace, delete-before-replace when the spec says so", () => {
    expect(diffFields(spec, "id", olds, { ...olds, parent: "2" })).toEqual({
      changes: true,
      replaces: ["parent"],
      deleteBeforeReplace: true,
    });
    expect(diffFields({ fields }, "id", olds, { ...olds, parent: "2" }).deleteBeforeReplace).toBeUndefined();
  });

  test("custom equality: the same id as a number is no change", () => {
    expect(diffFields(spec, "id", olds, { ...olds, parent: 1 }).changes).toBe(false);
  });

  test("whenAbsent keep: leaving the field out is no change; compare: it is", () => {
    const { timezone: _tz, ...withoutTimezone } = olds;
    expect(diffFields(spec, "id", olds, withoutTimezone).changes).toBe(false);
    const { tags: _tags, ...withoutTags } = olds;
    expect(diffFields(spec, "id", olds, withoutTags).changes).toBe(true);
  });

  test("maps compare by content, not key order", () => {
    expect(diffFields(spec, "id", olds, { ...olds, tags: { b: "2", a: "1" } }).changes).toBe(false);
    expect(diffFields(spec, "id", olds, { ...olds, tags: { a: "1", b: "3" } }).changes).toBe(true);
  });

  test("an unknown value is a change, unless the field says unknown is unchanged", () => {
    expect(diffFields(spec, "id", olds, { ...olds, name: UNKNOWN }).changes).toBe(true);
    expect(diffFields(spec, "id", olds, { ...olds, parent: UNKNOWN })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: undefined,
    });
  });
});

describe("validateInputs", () => {
  const inputs = z.object({
    name: z.string().min(1),
    timezone: z.string().optional(),
    parent: z.string(),
    tags: z.record(z.string(), z.string()).optional(),
  });
  const validating = { kind: "Thing", inputs };

  test("valid inputs come back parsed, without failures", () => {
    expect(validateInputs(validating, { name: "A", parent: "1" })).toEqual({
      value: { name: "A", parent: "1" },
      failures: [],
    });
  });

  test("each failure names the kind and the property", () => {
    const { value, failures } = validateInputs(validating, { name: "", parent: 5 });
    expect(value).toBeUndefined();
    expect(failures.map((f) => f.property).sort()).toEqual(["name", "parent"]);
    for (const f of failures) expect(f.reason).toMatch(new RegExp(`^Thing input "${f.property}": `));
  });

  test("nested properties are named with dots; a bag that is not an object is (inputs)", () => {
    const nested = validateInputs(validating, { name: "A", parent: "1", tags: { a: 1 } });
    expect(nested.failures.map((f) => f.property)).toEqual(["tags.a"]);
    expect(validateInputs(validating, [] as unknown as Record<string, unknown>).failures[0].property).toBe(
      "(inputs)",
    );
  });

  test("issues at a value not known yet are ignored; the others are still reported", () => {
    const { value, failures } = validateInputs(validating, { name: UNKNOWN, parent: 5 });
    expect(value).toBeUndefined();
    expect(failures.map((f) => f.property)).toEqual(["parent"]);
    expect(validateInputs(validating, { name: "A", parent: "1", tags: UNKNOWN }).failures).toEqual([]);
  });
});

describe("hintFor", () => {
  const ctx = { host: "https://eu.posthog.com" };

  test("PostHog's words come first: a missing scope names the scope", () => {
    expect(hintFor(403, "permission_denied", "API key missing required scope 'project:write'", ctx)).toBe(
      "add the scope 'project:write' to the personal API key (PostHog: Settings > Personal API keys).",
    );
  });

  test("a row matches by code or by detail", () => {
    const byCode = hintFor(400, "invalid_credentials", "", ctx);
    expect(byCode).toContain("check posthog:email and posthog:password");
    expect(hintFor(400, "other", "Invalid email or password.", ctx)).toBe(byCode);
    expect(hintFor(401, "2fa_required", "2FA is required.", ctx)).toContain("set posthog:totpSecret");
  });

  test("the level hint of the caller replaces the generic one", () => {
    const detail = "Your organization access level is insufficient.";
    expect(hintFor(403, "permission_denied", detail, ctx)).toContain("ask an owner of the organization");
    expect(hintFor(403, "permission_denied", detail, { ...ctx, levelHint: "needs OWNER." })).toBe(
      "needs OWNER.",
    );
  });

  test("the bare status is the fallback, and names the host where it helps", () => {
    expect(hintFor(401, "authentication_failed", "Invalid key.", ctx)).toContain(
      "another PostHog host than https://eu.posthog.com",
    );
    expect(hintFor(301, undefined, "", ctx)).toMatch(/^https:\/\/eu\.posthog\.com answered with a redirect/);
    expect(hintFor(404, "not_found", "Not found.", ctx)).toMatch(/^it does not exist/);
    expect(hintFor(409, "conflict", "", ctx)).toContain("existingProjectId");
    expect(hintFor(429, "throttled", "", ctx)).toContain("rate limiting");
    expect(hintFor(503, "error", "", ctx)).toContain("server error");
  });

  test("a detail beats the status: a plan-limit 403 is not a level problem", () => {
    expect(
      hintFor(403, "permission_denied", "You have reached the maximum limit of allowed projects.", ctx),
    ).toMatch(/^upgrade the organization's plan/);
  });

  test("no known cause: no hint", () => {
    expect(hintFor(400, "invalid", "Something else.", ctx)).toBe("");
    expect(hintFor(undefined, undefined, "", ctx)).toBe("");
  });
});

describe("redact", () => {
  test("masks anything shaped like a PostHog credential, keeping the prefix", () => {
    expect(redact("key phx_abcdef123456 token phc_ZYX987-_abc secret phs_0123456789")).toBe(
      "key phx_*** token phc_*** secret phs_***",
    );
  });

  test("leaves short or unprefixed words alone", () => {
    expect(redact("phx_abc is too short; posthog_csrftoken is a cookie name")).toBe(
      "phx_abc is too short; posthog_csrftoken is a cookie name",
    );
  });

  test("masks every occurrence of a registered secret, but not values shorter than 6 characters", () => {
    const secret = `pw-${Math.random().toString(36).slice(2)}-secret`;
    registerSecret(secret);
    registerSecret("abc12");
    expect(redact(`login with ${secret}, again ${secret}; abc12 stays`)).toBe(
      "login with ***, again ***; abc12 stays",
    );
  });
});
