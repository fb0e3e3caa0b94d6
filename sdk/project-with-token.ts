import * as pulumi from "@pulumi/pulumi";
import { Project, ProjectArgs } from "./project";
import { ProjectToken } from "./project-token";

/** Options of {@link projectWithToken}. */
export interface ProjectWithTokenOptions {
  /** Any new value rotates the project's token; left out, the token is never rotated by config. */
  rotation?: string;
  /**
   * Protects the project and its token together: deleting a token revokes it, so a
   * destroy that stopped at a protected project would otherwise already have cut off
   * the project's ingestion.
   */
  protect?: boolean;
  /**
   * `retainOnDelete` of the project, which its token follows. Left out: true when the project
   * is adopted (`existingProjectId` or `adoptDefaultProject`), as {@link Project} says.
   */
  retainOnDelete?: boolean;
  /** The parent of both resources, e.g. a component. */
  parent?: pulumi.Resource;
}

/** A project and the {@link ProjectToken} that manages its token. */
export interface ProjectWithToken {
  project: Project;
  token: ProjectToken;
}

/**
 * A {@link Project} named `name` and its {@link ProjectToken} named `<name>-token`,
 * the pair every managed project needs. The token's keepers hold the rotation value
 * under `rotation`.
 */
export function projectWithToken(
  name: string,
  args: ProjectArgs,
  options: ProjectWithTokenOptions = {},
): ProjectWithToken {
  const { rotation, protect, retainOnDelete, parent } = options;
  const project = new Project(name, args, { parent, protect, retainOnDelete });
  const token = new ProjectToken(
    `${name}-token`,
    { projectId: project.id, keepers: rotation === undefined ? {} : { rotation } },
    { parent, protect },
  );
  return { project, token };
}
