import type { EmulatorContext } from "../context";
import type { ProjectRow } from "../repositories/projects";
import { serializeSettings } from "../rules/environment-settings";
import { serializeSecretTokens } from "../rules/secret-token";
import { serializeProject } from "./project";

/**
 * An environment (PostHog's team) in the TeamSerializer's shape: the project fields, every
 * setting and the secure key slots. posthog-local has one environment per project, same id.
 */
export function serializeEnvironment(ctx: EmulatorContext, project: ProjectRow, level: number) {
  return {
    ...serializeProject(project, level, serializeSettings(ctx.repos, project)),
    ...serializeSecretTokens(ctx.repos.secretTokens.get(project.id)),
  };
}
