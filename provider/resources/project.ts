/**
 * The Project resource's spec. What it does for users (inputs, outputs, what updates in
 * place and what replaces) is documented once, on the sdk class `Project` in
 * `sdk/project.ts`; comments here say only how.
 */
import { z } from "zod";
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import {
  MembershipLevel,
  membershipLevelName,
  Organization,
  PostHogApiError,
  PostHogClient,
  Project,
  projectAllowance,
  ProjectWrite,
  sameProjectName,
  DEFAULT_PROJECT_NAME,
  label,
} from "../client";
import { patchOrKeepPartial, Props, ResourceSpec } from "./crud";
import { announceAccessLostOnMove } from "./organization-member";
import { withInterruptedCreateHint } from "./interrupted-create";

function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A project id given as a number or a string of digits, kept as a string. */
export const projectIdInput = z
  .union([z.number().int().positive(), z.string().trim().regex(/^\d+$/, "must be a project id (digits)")], {
    error: "must be a project id (a positive integer or a string of digits)",
  })
  .transform((v) => String(v));

/** Validated Project inputs. */
export const projectInputs = z.object({
  organizationId: z.uuid({ error: "must be an organization id (a UUID, for example an Organization's id)" }),
  name: z
    .string({ error: "must be a string" })
    .trim()
    .min(1, "must not be empty")
    .max(200, "must be at most 200 characters (PostHog's limit)"),
  timezone: z
    .string()
    .refine(isTimezone, { error: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"' })
    .optional(),
  productDescription: z.string().max(1000, "must be at most 1000 characters").optional(),
  existingProjectId: projectIdInput.optional(),
  adoptDefaultProject: z.boolean({ error: "must be a boolean" }).optional(),
});
export type ProjectInputs = z.infer<typeof projectInputs>;

/** The time zone PostHog gives a project created without one. */
const POSTHOG_DEFAULT_TIMEZONE = "UTC";

/** Project outputs. */
export interface ProjectOutputs {
  [key: string]: unknown;
  organizationId: string;
  name: string;
  timezone: string;
  productDescription?: string;
  existingProjectId?: string;
  adoptDefaultProject?: boolean;
  uuid: string;
}

/** What was adopted: carried from inputs to outputs unchanged. */
type Adoption = Pick<ProjectOutputs, "existingProjectId" | "adoptDefaultProject">;

function outputsOf(project: Project, adoption: Adoption = {}): ProjectOutputs {
  return {
    organizationId: project.organization,
    name: project.name,
    timezone: project.timezone,
    productDescription: project.product_description ?? undefined,
    existingProjectId: adoption.existingProjectId,
    adoptDefaultProject: adoption.adoptDefaultProject,
    uuid: project.uuid,
  };
}

/** The organization's "Default project" (the name PostHog gives it), if it is there and not being deleted. */
function findDefaultProject(client: PostHogClient, organizationId: string): Promise<Project | undefined> {
  return client.projects.liveNamed(organizationId, DEFAULT_PROJECT_NAME);
}

/**
 * A project to adopt by `existingProjectId` in the organization, pending deletion or not (adopting
 * a pending project cancels its deletion); undefined when it is not there.
 */
async function adoptable(
  client: PostHogClient,
  organizationId: string,
  id: string,
): Promise<Project | undefined> {
  try {
    return await client.projects.get(organizationId, id);
  } catch (err) {
    if (err instanceof PostHogApiError && err.isGone) return undefined;
    throw err;
  }
}

/** The PATCH body for what differs between `inputs` and the live project. */
function patchFor(inputs: ProjectInputs, live: Project): ProjectWrite {
  const patch: ProjectWrite = {};
  if (live.name !== inputs.name) patch.name = inputs.name;
  if (inputs.timezone !== undefined && live.timezone !== inputs.timezone) patch.timezone = inputs.timezone;
  if (
    inputs.productDescription !== undefined &&
    (live.product_description ?? "") !== inputs.productDescription
  ) {
    patch.product_description = inputs.productDescription;
  }
  return patch;
}

/** Every declared field as a PATCH body. */
function fullPatch(inputs: ProjectInputs): ProjectWrite {
  return {
    name: inputs.name,
    ...(inputs.timezone !== undefined ? { timezone: inputs.timezone } : {}),
    ...(inputs.productDescription !== undefined ? { product_description: inputs.productDescription } : {}),
  };
}

/** PATCHes the project in the organization of `inputs`; undefined when it is not there. */
async function patchInPlace(
  client: PostHogClient,
  id: string,
  inputs: ProjectInputs,
): Promise<Project | undefined> {
  try {
    return await client.projects.update(inputs.organizationId, id, fullPatch(inputs), inputs.name);
  } catch (err) {
    if (err instanceof PostHogApiError && err.isGone) return undefined;
    throw err;
  }
}

function noLongerExists(id: string, name: string): Error {
  return new Error(
    `Cannot update ${label("Project", id, name)}: it no longer exists (run \`pulumi refresh\`).`,
  );
}

/** Non-demo projects of an organization, pending deletion included: what PostHog's plan limit counts. */
async function countedProjects(client: PostHogClient, org: Organization): Promise<number> {
  const projects = await client.projects.list(org.id);
  return projects.filter((p) => !p.is_demo).length;
}

/** How long PostHog keeps a deleted project that had ingested events (with its name) before removing it. */
const PENDING_DELETION_HOURS = 48;

const PLAN_LIMIT =
  "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects.";

/**
 * The product page's move rule that PostHog's API does not check ("Moving projects
 * between organizations" on PostHog's Projects page), quoted word for word: the page is
 * the only source of its wording.
 */
export const SOURCE_NEEDS_TWO_PROJECTS =
  "The originating organization must have at least two projects before you can move one.";

/**
 * PostHog's 409 for a name in use, said at preview. A project pending deletion still holds its
 * name; the usual cause is `pulumi destroy` then `pulumi up` of the same stack, so the message
 * offers getting that project back (adoption cancels its deletion) or another name.
 */
async function duplicateName(
  client: PostHogClient,
  org: Organization,
  name: string,
): Promise<CheckFailure | undefined> {
  const match = await client.projects.named(org.id, name);
  if (!match) return undefined;
  if (match.is_pending_deletion) {
    return {
      property: "name",
      reason:
        `The name "${name.trim()}" is held by Project "${match.name}" (id ${match.id}) in Organization "${org.name}", which is being deleted: ` +
        `PostHog keeps a deleted project that had ingested events, with its name, for ${PENDING_DELETION_HOURS} hours after its deletion, then removes it, and the name is free again. ` +
        `To get that project back instead (its id, token and data, as after \`pulumi destroy\` then \`pulumi up\` of the same stack), set existingProjectId: "${match.id}" on this Project: adopting a project that is being deleted cancels its deletion. ` +
        `Otherwise choose a different name, or wait until PostHog has removed it.`,
    };
  }
  return {
    property: "name",
    reason: `There is already a project called "${match.name}" in this organization. Choose a different name. (Organization "${org.name}", existing project id ${match.id}; to manage that project instead, set existingProjectId: "${match.id}".)`,
  };
}

/** What PostHog would refuse when creating a project in `orgId`. */
async function checkCreate(client: PostHogClient, news: ProjectInputs): Promise<CheckFailure[]> {
  const org = await client.organizations.find(news.organizationId);
  if (!org) {
    return [
      {
        property: "organizationId",
        reason: `Organization ${news.organizationId} does not exist, or the credentials are not a member of it.`,
      },
    ];
  }
  if (news.existingProjectId !== undefined) {
    const existing = await adoptable(client, org.id, news.existingProjectId);
    return existing
      ? []
      : [
          {
            property: "existingProjectId",
            reason: `Project ${news.existingProjectId} is not in Organization "${org.name}" (${org.id}): nothing to adopt there.`,
          },
        ];
  }
  if (news.adoptDefaultProject === true) {
    const adoptable = await findDefaultProject(client, org.id);
    if (adoptable) {
      const dup = sameProjectName(adoptable.name, news.name)
        ? undefined
        : await duplicateName(client, org, news.name);
      return dup ? [dup] : [];
    }
  }
  const failures: CheckFailure[] = [];
  if ((org.membership_level ?? 0) < MembershipLevel.ADMIN) {
    failures.push({
      property: "organizationId",
      reason: `You need to be an organization admin or above to create new projects. (Organization "${org.name}": your level is ${membershipLevelName(org.membership_level)}.)`,
    });
  }
  const allowance = projectAllowance(org);
  const count = await countedProjects(client, org);
  if (count >= allowance) {
    failures.push({
      property: "organizationId",
      reason: `${PLAN_LIMIT} (Organization "${org.name}" has ${count} of the ${allowance} project${allowance === 1 ? "" : "s"} its plan allows.)`,
    });
  }
  const dup = await duplicateName(client, org, news.name);
  if (dup) failures.push(dup);
  return failures;
}

/** What PostHog (and the product page's rules) would refuse when moving a project. */
async function checkMove(
  client: PostHogClient,
  fromId: string,
  news: ProjectInputs,
): Promise<CheckFailure[]> {
  const [source, target] = await Promise.all([
    client.organizations.find(fromId),
    client.organizations.find(news.organizationId),
  ]);
  if (!target) {
    return [
      {
        property: "organizationId",
        reason: `You must be an admin or owner of both the source and target organizations to move a project. (Organization ${news.organizationId} does not exist or you are not a member.)`,
      },
    ];
  }
  if (!source) return []; // the project's current organization is gone: read/refresh will tell
  const failures: CheckFailure[] = [];
  const sourceLevel = source.membership_level ?? 0;
  const targetLevel = target.membership_level ?? 0;
  if (sourceLevel < MembershipLevel.ADMIN || targetLevel < MembershipLevel.ADMIN) {
    failures.push({
      property: "organizationId",
      reason: `You must be an admin of both the source and target organizations to move a project. (Your level: ${membershipLevelName(sourceLevel)} in "${source.name}", ${membershipLevelName(targetLevel)} in "${target.name}".)`,
    });
  }
  const sourceCount = await countedProjects(client, source);
  if (sourceCount < 2) {
    failures.push({
      property: "organizationId",
      reason: `${SOURCE_NEEDS_TWO_PROJECTS} (Organization "${source.name}" has ${sourceCount}.)`,
    });
  }
  const allowance = projectAllowance(target);
  const targetCount = await countedProjects(client, target);
  if (targetCount >= allowance) {
    failures.push({
      property: "organizationId",
      reason:
        allowance === 1
          ? `Free organizations are limited to one project, and Organization "${target.name}" already has ${targetCount}: upgrade its plan before moving a project into it. ${PLAN_LIMIT}`
          : `${PLAN_LIMIT} (Organization "${target.name}" has ${targetCount} of the ${allowance} projects its plan allows.)`,
    });
  }
  const dup = await duplicateName(client, target, news.name);
  if (dup) failures.push(dup);
  if (failures.length === 0) await announceAccessLostOnMove(client, news.name, source, target);
  return failures;
}

/** The Project resource. */
export const projectSpec: ResourceSpec<ProjectInputs, ProjectOutputs> = {
  kind: "Project",
  inputs: projectInputs,
  // A move is `change_organization`, which PostHog allows only in a session.
  sessionAction: (id, olds, news) =>
    typeof olds.organizationId === "string" &&
    typeof news.organizationId === "string" &&
    olds.organizationId !== news.organizationId
      ? `move ${label("Project", id, typeof news.name === "string" ? news.name : undefined)} to Organization ${news.organizationId}`
      : undefined,
  fields: {
    organizationId: { onChange: "update", whenAbsent: "compare" },
    name: { onChange: "update", whenAbsent: "compare" },
    timezone: { onChange: "update", whenAbsent: "keep" },
    productDescription: { onChange: "update", whenAbsent: "keep" },
    // Adopting a different project replaces; naming the project already managed
    // (or dropping the field after adoption) changes nothing.
    // Only read at create: toggling it later changes nothing.
    adoptDefaultProject: {
      onChange: "update",
      whenAbsent: "keep",
      equals: () => true,
      unknownIsUnchanged: true,
    },
    existingProjectId: {
      onChange: "replace",
      whenAbsent: "keep",
      unknownIsUnchanged: true,
      equals: (oldValue, newValue, id) =>
        String(newValue) === id || (oldValue !== undefined && String(oldValue) === String(newValue)),
    },
  },

  async remoteCheck(client, olds: Props, news) {
    const fromId = typeof olds.organizationId === "string" ? olds.organizationId : undefined;
    const isNew = fromId === undefined;
    if (isNew) {
      const failures = await checkCreate(client, news);
      return withInterruptedCreateHint(failures, client, { id: news.organizationId }, news.name);
    }
    if (news.existingProjectId !== undefined && String(olds.existingProjectId) !== news.existingProjectId) {
      return checkCreate(client, news); // a replacement adopting another project
    }
    if (fromId !== news.organizationId) return checkMove(client, fromId, news);
    if (typeof olds.name === "string" && !sameProjectName(olds.name, news.name)) {
      // A rename: one search; the organization is read only to name it in a refusal.
      if (!(await client.projects.named(news.organizationId, news.name))) return [];
      const org = await client.organizations.find(news.organizationId);
      const dup = org ? await duplicateName(client, org, news.name) : undefined;
      return dup ? [dup] : [];
    }
    return [];
  },

  async create(client, inputs) {
    const adoption: Adoption = {
      existingProjectId: inputs.existingProjectId,
      adoptDefaultProject: inputs.adoptDefaultProject,
    };
    const defaultProject =
      inputs.existingProjectId === undefined && inputs.adoptDefaultProject === true
        ? await findDefaultProject(client, inputs.organizationId)
        : undefined;
    // Brings the created or adopted project to the declared settings, keeping it on failure.
    const settle = async (project: Project) => {
      const id = String(project.id);
      const outputs = await patchOrKeepPartial(
        id,
        project,
        patchFor(inputs, project),
        (patch) => client.projects.update(inputs.organizationId, project.id, patch, project.name),
        (updated) => outputsOf(updated, adoption),
      );
      return { id, outputs };
    };
    if (inputs.existingProjectId === undefined && !defaultProject) {
      const created = await client.projects.create(inputs.organizationId, {
        name: inputs.name,
        timezone: inputs.timezone,
        product_description: inputs.productDescription,
      });
      // A recovered create may have adopted a project made with other settings.
      return settle(created);
    }
    // Adoption: the project must already be in the declared organization. Naming a project that
    // is being deleted is deliberate: its deletion is cancelled (nothing else adopts a pending one).
    const found =
      defaultProject ?? (await adoptable(client, inputs.organizationId, inputs.existingProjectId as string));
    const adopted = found?.is_pending_deletion
      ? await client.projects.cancelDeletion(inputs.organizationId, found.id, found.name)
      : found;
    if (!adopted) {
      const elsewhere = await client.projects.locate(inputs.existingProjectId as string);
      throw new Error(
        elsewhere
          ? `Cannot adopt Project ${inputs.existingProjectId}: it is in Organization ${elsewhere.organization}, not ${inputs.organizationId}. ` +
              `Set organizationId to ${elsewhere.organization} to adopt it (then change organizationId to move it).`
          : `Cannot adopt Project ${inputs.existingProjectId}: it does not exist, or the credentials cannot see it.`,
      );
    }
    return settle(adopted);
  },

  async read(client, id, state) {
    const live = await client.projects.locate(id, state.organizationId);
    return live ? outputsOf(live, state) : undefined;
  },

  async update(client, id, olds, news) {
    if (olds.organizationId === news.organizationId) {
      // Not a move: one PATCH of every declared field where the project was last seen (sending
      // unchanged values changes nothing). A 404 means it moved or went: look for it below.
      const patched = await patchInPlace(client, id, news);
      if (patched?.is_pending_deletion) throw noLongerExists(id, news.name);
      if (patched) {
        return outputsOf(patched, {
          existingProjectId: news.existingProjectId ?? olds.existingProjectId,
          adoptDefaultProject: olds.adoptDefaultProject,
        });
      }
    }
    const live = await client.projects.locate(id, olds.organizationId);
    if (!live) throw noLongerExists(id, news.name);
    const adoption: Adoption = {
      existingProjectId: news.existingProjectId ?? olds.existingProjectId,
      adoptDefaultProject: olds.adoptDefaultProject,
    };
    const moved =
      live.organization === news.organizationId
        ? live
        : await client.projects.changeOrganization(live.organization, id, news.organizationId, live.name);
    // The move (if any) happened: a failed PATCH still records it.
    return patchOrKeepPartial(
      id,
      moved,
      patchFor(news, moved),
      (patch) => client.projects.update(moved.organization, id, patch, moved.name),
      (project) => outputsOf(project, adoption),
    );
  },

  async delete(client, id, state) {
    const live = await client.projects.locate(id, state.organizationId);
    if (live) await client.projects.delete(live.organization, id, live.name);
  },

  // What a refresh writes as the inputs. The engine shows a later change against these, so
  // a server default (PostHog's "UTC", no description) stays undeclared here, as it is in a
  // program that leaves the field out; the diff itself keeps absent fields either way.
  inputsOf(outputs) {
    return {
      organizationId: outputs.organizationId,
      name: outputs.name,
      timezone: outputs.timezone === POSTHOG_DEFAULT_TIMEZONE ? undefined : outputs.timezone,
      productDescription: outputs.productDescription || undefined,
      existingProjectId: outputs.existingProjectId,
      adoptDefaultProject: outputs.adoptDefaultProject,
    };
  },
};
