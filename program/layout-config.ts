/**
 * The stack config of the root program: which organizations exist and which projects
 * live in them. One zod schema is the whole contract; every error names the config key
 * to fix, e.g. `posthog-layout:projects.web.organization`.
 */
import { z } from "zod";
import { ENVIRONMENTS } from "../sdk/environments";
import { entriesFor, ORGANIZATION_FLAG_NAMES } from "../provider/fields/organization";
import { settingValuesSchema } from "../provider/fields/project-settings";
import { MEMBER_LEVELS } from "../provider/fields/member";

export const CONFIG_NAMESPACE = "posthog-layout";

const organizationFlags = entriesFor(ORGANIZATION_FLAG_NAMES, () => z.boolean().optional());

/** An object with an optional entry per environment, and nothing else. */
function perEnvironment<T extends z.ZodType>(value: () => T) {
  return z.object(entriesFor(ENVIRONMENTS, () => value().optional())).strict();
}

/** PostHog's recommended three projects, declared once per organization. */
const standardLayoutSchema = z
  .object({
    names: perEnvironment(() => z.string().trim().min(1).max(200)).optional(),
    timezone: z.string().min(1).optional(),
    adoptDefaultProject: z.enum([...ENVIRONMENTS, "none"]).optional(),
    protectProduction: z.boolean().optional(),
    /** Change any environment's value to rotate that environment's token. */
    tokenRotation: perEnvironment(() => z.string()).optional(),
    /** Per-environment project settings, merged over StandardProjects' documented defaults. */
    settings: perEnvironment(() => settingValuesSchema).optional(),
    /** Manage each environment's feature-flags secure API key (`phs_`). */
    secureKeys: z.boolean().optional(),
    /** Change any environment's value to rotate that environment's secure key without downtime. */
    secureKeyRotation: perEnvironment(() => z.string()).optional(),
  })
  .strict();

const organizationSchema = z
  .object({
    /** Creates and manages a new organization with this name. */
    name: z.string().trim().min(1).max(64).optional(),
    /** Uses an organization that already exists (for example the one with your billing plan) without managing it. */
    existingId: z.uuid().optional(),
    standardLayout: standardLayoutSchema.optional(),
    /**
     * People in the organization, `email: level`: an OrganizationMember each (a PostHog
     * invite for an address that is not a member yet). At most one `owner`.
     */
    members: z.record(z.email(), z.enum(MEMBER_LEVELS)).optional(),
    ...organizationFlags,
  })
  .strict()
  .refine((org) => (org.name === undefined) !== (org.existingId === undefined), {
    message:
      "set exactly one of `name` (create and manage an organization) or `existingId` (use an existing one)",
  })
  // Each member resource sees only its own inputs; only the layout sees them all.
  .refine((org) => Object.values(org.members ?? {}).filter((level) => level === "owner").length <= 1, {
    message:
      "PostHog keeps one owner per organization: declare at most one member as owner (setting an existing member to owner transfers ownership, and the current owner becomes an admin)",
    path: ["members"],
  });

const projectSchema = z
  .object({
    /** Key of an entry in `organizations`; change it to move the project. */
    organization: z.string().min(1),
    name: z.string().trim().min(1).max(200),
    timezone: z.string().min(1).optional(),
    productDescription: z.string().max(1000).optional(),
    /** Adopt a project that already exists instead of creating one. */
    existingProjectId: z.number().int().positive().optional(),
    /** Adopt the organization's "Default project" (renamed to `name`) instead of creating one. */
    adoptDefaultProject: z.boolean().optional(),
    /** Any new value rotates the project's token. */
    tokenRotation: z.string().optional(),
    protect: z.boolean().optional(),
  })
  .strict()
  .refine((project) => !(project.existingProjectId !== undefined && project.adoptDefaultProject), {
    message: "set either `existingProjectId` or `adoptDefaultProject`, not both",
    path: ["adoptDefaultProject"],
  });

const KEY = /^[a-z][a-z0-9-]*$/;
const keyMessage =
  "keys are lower-case letters, digits and dashes, starting with a letter (they name Pulumi resources)";

export const layoutSchema = z
  .object({
    organizations: z.record(z.string(), organizationSchema).refine((o) => Object.keys(o).length > 0, {
      message: "declare at least one organization",
    }),
    projects: z.record(z.string(), projectSchema).default({}),
  })
  .superRefine((layout, ctx) => {
    // Checked here rather than on the record's key schema so the message names the key.
    for (const map of ["organizations", "projects"] as const) {
      for (const key of Object.keys(layout[map])) {
        if (!KEY.test(key)) ctx.addIssue({ code: "custom", path: [map, key], message: keyMessage });
      }
    }
    const declared = Object.keys(layout.organizations);
    for (const [key, project] of Object.entries(layout.projects)) {
      if (!declared.includes(project.organization)) {
        ctx.addIssue({
          code: "custom",
          path: ["projects", key, "organization"],
          message: `unknown organization "${project.organization}"; declared organizations: ${declared.join(", ")}`,
        });
      }
    }
  });

export type Layout = z.infer<typeof layoutSchema>;

/** Thrown for an invalid layout; the message lists every problem with its config key. */
export class LayoutConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The stack config of the PostHog layout is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "LayoutConfigError";
  }
}

/** Validates raw config values (as `pulumi.Config#getObject` returns them). */
export function parseLayout(raw: { organizations: unknown; projects: unknown }): Layout {
  const result = layoutSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new LayoutConfigError(
    result.error.issues.map((issue) => {
      const [top, ...rest] = issue.path.map(String);
      const key = top ? `${CONFIG_NAMESPACE}:${[top, ...rest].join(".")}` : CONFIG_NAMESPACE;
      return `${key}: ${issue.message}`;
    }),
  );
}
