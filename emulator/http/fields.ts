import { z } from "zod";

/**
 * zod builders that fail with Django REST framework's own messages, so validation errors read
 * exactly like PostHog's (the error code is recovered from the message in `errors.ts`).
 */
const presence = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? "This field is required."
    : issue.input === null
      ? "This field may not be null."
      : what;

/** DRF CharField: numbers are accepted as text, whitespace is trimmed, blank refused unless allowed. */
export function charField(options: { max?: number; allowBlank?: boolean } = {}) {
  // DRF's CharField runs ProhibitNullCharactersValidator on every string field.
  let inner = z
    .string({ error: presence("Not a valid string.") })
    .refine((v) => !v.includes("\0"), "Null characters are not allowed.")
    .trim();
  if (!options.allowBlank) inner = inner.min(1, "This field may not be blank.");
  if (options.max !== undefined) {
    inner = inner.max(options.max, `Ensure this field has no more than ${options.max} characters.`);
  }
  return z.preprocess((v) => (typeof v === "number" && Number.isFinite(v) ? String(v) : v), inner);
}

const TRUE_VALUES = new Set<unknown>([
  true,
  1,
  "1",
  "true",
  "True",
  "TRUE",
  "yes",
  "Yes",
  "on",
  "On",
  "y",
  "Y",
  "t",
  "T",
]);
const FALSE_VALUES = new Set<unknown>([
  false,
  0,
  "0",
  "false",
  "False",
  "FALSE",
  "no",
  "No",
  "off",
  "Off",
  "n",
  "N",
  "f",
  "F",
]);

export function booleanField() {
  return z.preprocess(
    (v) => (TRUE_VALUES.has(v) ? true : FALSE_VALUES.has(v) ? false : v),
    z.boolean({ error: presence("Must be a valid boolean.") }),
  );
}

/** DRF ChoiceField: matches on the choice's text form, reports `"<input>" is not a valid choice.` */
export function choiceField<T extends string | number>(choices: readonly T[]) {
  const byText = new Map<string, T>(choices.map((c) => [String(c), c]));
  return z.custom<T>().transform((value, ctx) => {
    if (value === undefined || value === null) {
      ctx.addIssue({
        code: "custom",
        message: value === undefined ? "This field is required." : "This field may not be null.",
      });
      return z.NEVER;
    }
    const match = typeof value === "object" ? undefined : byText.get(String(value));
    if (match === undefined) {
      const shown = typeof value === "object" ? JSON.stringify(value) : String(value);
      ctx.addIssue({ code: "custom", message: `"${shown}" is not a valid choice.` });
      return z.NEVER;
    }
    return match;
  });
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** Canonical lowercase hyphenated form, as Django's UUIDField prints it. */
export function canonicalUuid(value: string): string {
  const hex = value.replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidField() {
  return z
    .string({ error: presence("Must be a valid UUID.") })
    .refine((v) => isUuid(v.trim()), "Must be a valid UUID.")
    .transform((v) => canonicalUuid(v.trim()));
}

export function listOf<T extends z.ZodType>(item: T) {
  return z.array(item, {
    error: (i) =>
      i.input === undefined
        ? "This field is required."
        : `Expected a list of items but got type "${typeof i.input}".`,
  });
}
