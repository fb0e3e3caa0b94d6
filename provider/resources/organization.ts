/**
 * The Organization resource's spec. What it does for users (inputs, outputs, what updates in
 * place and what replaces) is documented once, on the sdk class `Organization` in
 * `sdk/organization.ts`; comments here say only how.
 */
import { z } from "zod";
import {
  DEFAULT_PROJECT_NAME,
  sameProjectName,
  Organization,
  OrganizationWrite,
  organizationProjects,
  PostHogClient,
  projectAllowance,
} from "../client";
import { entriesFor, ORGANIZATION_FLAG_NAMES, ORGANIZATION_FLAGS } from "../fields/organization";
import { FieldPolicy, patchOrKeepPartial, ResourceSpec } from "./crud";

/** Validated Organization inputs. */
export const organizationInputs = z.object({
  name: z
    .string({ error: "must be a string" })
    .trim()
    .min(1, "must not be empty")
    .max(64, "must be at most 64 characters (PostHog's limit)"),
  ...entriesFor(ORGANIZATION_FLAG_NAMES, () => z.boolean().optional()),
});
export type OrganizationInputs = z.infer<typeof organizationInputs>;

/** Organization outputs: the inputs as PostHog holds them, plus what PostHog computes. */
export interface OrganizationOutputs extends OrganizationInputs {
  [key: string]: unknown;
  slug: string;
  membershipLevel: number;
  defaultProjectId?: number;
  projectAllowance: number;
}

/** The request body for the inputs that are set (and differ from `live`, when given). */
function writeBody(inputs: OrganizationInputs, live?: Organization): OrganizationWrite {
  const body: OrganizationWrite = {};
  if (!live || live.name !== inputs.name) body.name = inputs.name;
  for (const key of ORGANIZATION_FLAG_NAMES) {
    const value = inputs[key];
    if (value !== undefined && (!live || live[ORGANIZATION_FLAGS[key]] !== value))
      body[ORGANIZATION_FLAGS[key]] = value;
  }
  return body;
}

/** The "Default project" PostHog creates with every organization. */
function defaultProjectOf(org: Organization): number | undefined {
  const projects = organizationProjects(org);
  const named = projects.find((p) => sameProjectName(p.name, DEFAULT_PROJECT_NAME));
  if (named) return named.id;
  return projects.length > 0 ? Math.min(...projects.map((p) => p.id)) : undefined;
}

function outputsOf(org: Organization, defaultProjectId: number | undefined): OrganizationOutputs {
  const outputs: OrganizationOutputs = {
    name: org.name,
    slug: org.slug,
    membershipLevel: org.membership_level ?? 0,
    defaultProjectId,
    projectAllowance: projectAllowance(org),
  };
  for (const key of ORGANIZATION_FLAG_NAMES) {
    const value = org[ORGANIZATION_FLAGS[key]];
    if (typeof value === "boolean") outputs[key] = value;
  }
  return outputs;
}

const keep: FieldPolicy = { onChange: "update", whenAbsent: "keep" };

/** The Organization resource. */
export const organizationSpec: ResourceSpec<OrganizationInputs, OrganizationOutputs> = {
  kind: "Organization",
  inputs: organizationInputs,
  fields: {
    name: { onChange: "update", whenAbsent: "compare" },
    ...entriesFor(ORGANIZATION_FLAG_NAMES, () => keep),
  },

  async create(client: PostHogClient, inputs) {
    const created = await client.organizations.create({ ...writeBody(inputs), name: inputs.name });
    const defaultProjectId = defaultProjectOf(created);
    // Some PostHog versions ignore flags on create: apply what did not stick.
    const rest = writeBody(inputs, created);
    delete rest.name;
    const outputs = await patchOrKeepPartial(
      created.id,
      created,
      rest,
      (patch) => client.organizations.update(created.id, patch, created.name),
      (org) => outputsOf(org, defaultProjectId),
    );
    return { id: created.id, outputs };
  },

  async read(client, id, state) {
    const org = await client.organizations.find(id);
    if (!org) return undefined;
    // The default project is the one created with the organization: carried forward, not re-derived.
    return outputsOf(org, state.defaultProjectId ?? defaultProjectOf(org));
  },

  async update(client, id, olds, news) {
    const live = await client.organizations.get(id);
    const body = writeBody(news, live);
    const org = Object.keys(body).length > 0 ? await client.organizations.update(id, body, live.name) : live;
    return outputsOf(org, olds.defaultProjectId ?? defaultProjectOf(org));
  },

  async delete(client, id, state) {
    await client.organizations.delete(id, state.name);
  },

  inputsOf(outputs) {
    const inputs: OrganizationInputs = { name: outputs.name };
    for (const key of ORGANIZATION_FLAG_NAMES) if (outputs[key] !== undefined) inputs[key] = outputs[key];
    return inputs;
  },
};
