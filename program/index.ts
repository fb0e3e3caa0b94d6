/**
 * The root program: a team's PostHog organizations and projects, declared in stack
 * config (see `program/layout-config.ts` and `layouts/local.yaml`).
 *
 * - Moving a project: change its `organization` key; preview shows `~` on the project.
 * - Rotating a token: change its `tokenRotation` value; preview shows a replace of the token.
 * - Adopting: `existingProjectId` for a project, `existingId` for an organization.
 * - People: `members: {email: level}` per organization (an OrganizationMember each; an
 *   address that is not a member yet is invited).
 * - Settings per environment: `standardLayout.settings.<environment>` (a ProjectSettings each,
 *   over StandardProjects' defaults); secure keys: `standardLayout.secureKeys`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as posthog from "pulumi-posthog";
import { entriesFor, ORGANIZATION_FLAG_NAMES } from "../provider/fields/organization";
import { CONFIG_NAMESPACE, LayoutConfigError, parseLayout } from "./layout-config";

const config = new pulumi.Config(CONFIG_NAMESPACE);
const layout = readLayout();

/** The validated layout; a config problem ends the run with its keys listed and no stack trace. */
function readLayout() {
  try {
    return parseLayout({
      organizations: config.getObject("organizations"),
      projects: config.getObject("projects"),
    });
  } catch (error) {
    if (error instanceof LayoutConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

interface ProjectSummary {
  id: pulumi.Output<string>;
  name: pulumi.Output<string>;
  organization: string;
  token: pulumi.Output<string>;
  /** The managed settings as PostHog holds them (standard layout environments). */
  settings?: pulumi.Output<Record<string, posthog.SettingValue>>;
  /** The feature-flags secure API key, a secret (with `secureKeys`). */
  secureKey?: pulumi.Output<string>;
}

const organizationIds: Record<string, pulumi.Input<string>> = {};
/** A declared member's level and where they stand (`invited` until they accept). */
interface MemberSummary {
  level: pulumi.Output<posthog.MemberLevel>;
  status: pulumi.Output<string>;
}
const organizationSummaries: Record<
  string,
  {
    id: pulumi.Input<string>;
    name: pulumi.Input<string>;
    managed: boolean;
    members?: Record<string, MemberSummary>;
  }
> = {};
const projectSummaries: Record<string, ProjectSummary> = {};

for (const [key, entry] of Object.entries(layout.organizations)) {
  if (entry.existingId !== undefined) {
    organizationIds[key] = entry.existingId;
    organizationSummaries[key] = { id: entry.existingId, name: "(existing, not managed)", managed: false };
    continue;
  }
  const organization = new posthog.Organization(key, {
    name: entry.name!,
    ...entriesFor(ORGANIZATION_FLAG_NAMES, (flag) => entry[flag]),
  });
  organizationIds[key] = organization.id;
  organizationSummaries[key] = { id: organization.id, name: organization.name, managed: true };
}

for (const [key, entry] of Object.entries(layout.organizations)) {
  if (!entry.members) continue;
  const members: Record<string, MemberSummary> = {};
  for (const [email, level] of Object.entries(entry.members)) {
    const member = new posthog.OrganizationMember(`${key}-${email}`, {
      organizationId: organizationIds[key],
      email,
      level,
    });
    members[email] = { level: member.level, status: member.status };
  }
  organizationSummaries[key].members = members;
}

for (const [key, entry] of Object.entries(layout.organizations)) {
  if (!entry.standardLayout) continue;
  const standard = entry.standardLayout;
  const environments = new posthog.StandardProjects(key, {
    organizationId: organizationIds[key],
    names: standard.names,
    timezone: standard.timezone,
    adoptDefaultProject: standard.adoptDefaultProject,
    protectProduction: standard.protectProduction,
    tokenRotation: standard.tokenRotation,
    settings: standard.settings,
    secureKeys: standard.secureKeys,
    secureKeyRotation: standard.secureKeyRotation,
  });
  for (const [environment, outputs] of Object.entries(environments.environments) as Array<
    [string, posthog.EnvironmentOutputs]
  >) {
    projectSummaries[`${key}/${environment}`] = {
      id: outputs.projectId,
      name: outputs.name,
      organization: key,
      token: outputs.token,
      settings: outputs.settings,
      secureKey: outputs.secureKey,
    };
  }
}

for (const [key, entry] of Object.entries(layout.projects)) {
  const { project, token } = posthog.projectWithToken(
    key,
    {
      organizationId: organizationIds[entry.organization],
      name: entry.name,
      timezone: entry.timezone,
      productDescription: entry.productDescription,
      existingProjectId: entry.existingProjectId,
      adoptDefaultProject: entry.adoptDefaultProject,
    },
    { rotation: entry.tokenRotation, protect: entry.protect ?? false },
  );
  projectSummaries[key] = {
    id: project.id,
    name: project.name,
    organization: entry.organization,
    token: token.token,
  };
}

export const organizations = organizationSummaries;
/** Tokens stay secret in the outputs; `npm start` prints them masked. */
export const projects = projectSummaries;
