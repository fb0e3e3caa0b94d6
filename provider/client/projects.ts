/**
 * Projects: `/api/organizations/{org}/projects/` and `.../{id}/`, plus the two
 * session-only actions `reset_token` and `change_organization`.
 */
import { OperationContext, PostHogApiError, registerSecret } from "./errors";
import { apiPath, HttpClient } from "./http";
import { OrganizationsApi, organizationProjects } from "./organizations";
import { label } from "./label";
import { withRecovery } from "./recovery";
import { noContentSchema, Project, ProjectListItem, projectListItemSchema, projectSchema } from "./schemas";
import { Session } from "./session";

/** Writable project fields, in PostHog's wire names. */
export interface ProjectWrite {
  name?: string;
  timezone?: string;
  product_description?: string | null;
}

/** The name PostHog gives the project it creates with every organization. */
export const DEFAULT_PROJECT_NAME = "Default project";

/** PostHog compares project names trimmed and case-insensitively (409 on duplicates). */
export function sameProjectName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Project calls of the PostHog client. */
export class ProjectsApi {
  constructor(
    private readonly http: HttpClient,
    private readonly session: Session,
    private readonly organizations: OrganizationsApi,
  ) {}

  private remember(project: Project): Project {
    registerSecret(project.api_token);
    this.http.cache.projectRead(project);
    return project;
  }

  /** Records a write of this process in the read cache. */
  private written(project: Project, previousOrganizationId?: string): Project {
    this.remember(project);
    this.http.cache.projectWritten(project, previousOrganizationId);
    return project;
  }

  /**
   * Every project of an organization (all pages), optionally filtered by PostHog's `search`.
   * The full list is read once per provider process and kept current by its own writes.
   */
  async list(organizationId: string, search?: string): Promise<ProjectListItem[]> {
    const read = () =>
      this.http.list(
        { action: "list projects of", resource: `Organization ${organizationId}` },
        apiPath("organizations", organizationId, "projects"),
        projectListItemSchema,
        search === undefined ? undefined : { search },
      );
    if (search !== undefined) return read();
    return [...(await this.http.cache.projectList(organizationId, read))];
  }

  /** Live (not pending deletion) projects of an organization whose name matches `name` as PostHog compares names. */
  async findByName(organizationId: string, name: string): Promise<ProjectListItem[]> {
    const matching = (list: ProjectListItem[]) =>
      list.filter((p) => sameProjectName(p.name, name) && !p.is_pending_deletion);
    // A cached list may say "free" (PostHog's 409 still catches a name taken since), but a
    // match is confirmed by a fresh search: the cache never makes a refusal.
    if (this.http.cache.hasProjectList(organizationId)) {
      const cached = matching(await this.list(organizationId));
      if (cached.length === 0) return cached;
    }
    return matching(await this.list(organizationId, name.trim()));
  }

  /**
   * The project called `name` (as PostHog compares names) in the organization, read in full,
   * pending deletion or not: only the detail says whether a project is pending (PostHog's list
   * serializer has no `is_pending_deletion`). Names are unique per organization, pending
   * projects included, so there is at most one.
   */
  async named(organizationId: string, name: string, op?: OperationContext): Promise<Project | undefined> {
    for (const candidate of await this.findByName(organizationId, name)) {
      try {
        return await this.get(organizationId, candidate.id, op);
      } catch (err) {
        if (!(err instanceof PostHogApiError && err.isGone)) throw err;
      }
    }
    return undefined;
  }

  /** The live project called `name`: never one pending deletion, so nothing adopts it by accident. */
  async liveNamed(organizationId: string, name: string, op?: OperationContext): Promise<Project | undefined> {
    const project = await this.named(organizationId, name, op);
    return project && !project.is_pending_deletion ? project : undefined;
  }

  /** One project; throws a 404 `PostHogApiError` when it is not in that organization. */
  async get(organizationId: string, id: number | string, op?: OperationContext): Promise<Project> {
    return this.remember(
      await this.http.request({
        op: op ?? { action: "read", resource: label("Project", id) },
        method: "GET",
        path: apiPath("organizations", organizationId, "projects", id),
        schema: projectSchema,
      }),
    );
  }

  /** One project, or undefined if it is not in that organization (or is being deleted). */
  async find(
    organizationId: string,
    id: number | string,
    op?: OperationContext,
  ): Promise<Project | undefined> {
    try {
      const project = await this.get(organizationId, id, op);
      return project.is_pending_deletion ? undefined : project;
    } catch (err) {
      if (err instanceof PostHogApiError && err.isGone) return undefined;
      throw err;
    }
  }

  /**
   * Finds a project by id wherever the caller can see it: first in `organizationHint`
   * (where it was last seen), then in each of the caller's organizations. A project
   * moved to another organization is found there. Undefined when it is gone or
   * pending deletion.
   */
  locate(id: number | string, organizationHint?: string): Promise<Project | undefined> {
    // A project and its token look the same project up: one read per provider process. The
    // cache also holds what this process read or wrote by other calls, pending ones included.
    return this.http.cache
      .locateProject(id, () => this.locateUncached(id, organizationHint))
      .then((found) => (found?.is_pending_deletion ? undefined : found));
  }

  private async locateUncached(id: number | string, organizationHint?: string): Promise<Project | undefined> {
    if (organizationHint) {
      try {
        const found = await this.get(organizationHint, id);
        // Pending deletion where it was last seen: gone, no need to look elsewhere.
        return found.is_pending_deletion ? undefined : found;
      } catch (err) {
        if (!(err instanceof PostHogApiError && err.isGone)) throw err;
      }
    }
    const numericId = Number(id);
    const orgs = await this.organizations.list({
      action: "find the organization of",
      resource: label("Project", id),
    });
    // Organizations whose embedded project list names it first, then the rest.
    const ordered = [...orgs].sort((a, b) => {
      const has = (o: typeof a) => organizationProjects(o).some((p) => p.id === numericId);
      return Number(has(b)) - Number(has(a));
    });
    for (const org of ordered) {
      if (org.id === organizationHint) continue;
      const found = await this.find(org.id, id);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Creates a project. After an ambiguous failure (lost response, 5xx) it looks for a
   * live project of the exact name (as PostHog compares names) in the organization and
   * adopts it; a 409 duplicate-name answer to a repeated attempt means the first one
   * succeeded. A 409 on the first attempt is a real conflict and is reported.
   */
  async create(organizationId: string, body: ProjectWrite & { name: string }): Promise<Project> {
    const op: OperationContext = {
      action: "create",
      resource: `Project "${body.name}" in Organization ${organizationId}`,
    };
    let project: Project;
    try {
      project = await withRecovery(this.http, {
        attempt: () =>
          this.http.request({
            op,
            method: "POST",
            path: apiPath("organizations", organizationId, "projects"),
            body,
            schema: projectSchema,
          }),
        lookup: () => this.liveNamed(organizationId, body.name, op),
        refusalMeansDone: (err) => err.status === 409,
      });
    } catch (err) {
      // A refusal (name taken, plan limit, level) says the cached view of the organization was wrong.
      if (err instanceof PostHogApiError && [400, 403, 409].includes(err.status ?? 0)) {
        this.http.cache.forgetOrganization(organizationId);
      }
      throw err;
    }
    return this.written(project);
  }

  /** PATCHes plain fields (never PUT: PostHog's PUT re-runs the plan-limit check). */
  async update(
    organizationId: string,
    id: number | string,
    patch: ProjectWrite,
    name?: string,
  ): Promise<Project> {
    return this.written(
      await this.http.request({
        op: { action: "update", resource: label("Project", id, name) },
        method: "PATCH",
        path: apiPath("organizations", organizationId, "projects", id),
        body: patch,
        schema: projectSchema,
        // Plain fields: sending the same values again changes nothing.
        idempotent: true,
      }),
    );
  }

  /**
   * Deletes a project. PostHog deletes asynchronously: the project stays readable with
   * `is_pending_deletion` and a second delete answers 400 "already being deleted";
   * that and 404 count as gone. Returns false when it was already gone.
   */
  async delete(organizationId: string, id: number | string, name?: string): Promise<boolean> {
    try {
      await this.http.request({
        op: { action: "delete", resource: label("Project", id, name) },
        method: "DELETE",
        path: apiPath("organizations", organizationId, "projects", id),
        schema: noContentSchema,
      });
      return true;
    } catch (err) {
      if (err instanceof PostHogApiError && err.isGone) return false;
      throw err;
    } finally {
      this.http.cache.projectDeleted(organizationId, id);
    }
  }

  /**
   * Cancels the pending deletion of a project (PostHog: `POST /api/projects/{id}/cancel-deletion/`,
   * ADMIN): it is live again with its id, name, token and data. After an ambiguous failure the
   * project is read again: no longer pending means the cancellation happened.
   */
  async cancelDeletion(organizationId: string, id: number | string, name?: string): Promise<Project> {
    const op: OperationContext = { action: "cancel the deletion of", resource: label("Project", id, name) };
    const live = async () => {
      const now = await this.get(organizationId, id, op);
      return now.is_pending_deletion ? undefined : now;
    };
    await withRecovery(this.http, {
      attempt: () =>
        this.http.request({
          op,
          method: "POST",
          path: apiPath("projects", id, "cancel-deletion"),
          body: {},
          schema: noContentSchema,
        }),
      lookup: live,
    });
    const project = await live();
    if (!project)
      throw new Error(`${label("Project", id, name)} is still being deleted after cancel-deletion.`);
    return this.remember(project);
  }

  /**
   * Regenerates the project's token; the old one stops working at once. Session-only
   * in PostHog. After an ambiguous failure the project is read again: a token that
   * differs from the one read before the attempt means the rotation happened, and it
   * is not repeated (a second rotation would revoke the token just issued). `tokenBefore`, when
   * the caller knows the token to revoke, saves that read.
   */
  async resetToken(
    organizationId: string,
    id: number | string,
    name?: string,
    tokenBefore?: string,
  ): Promise<Project> {
    const op: OperationContext = { action: "rotate the token of", resource: label("Project", id, name) };
    // The token before the attempt, for recovery: given (a ProjectToken's state), or read (the
    // caller has usually just looked the project up).
    const known =
      tokenBefore === undefined && this.http.cache.enabled
        ? await this.http.cache.locateProject(id, () => this.find(organizationId, id, op))
        : undefined;
    const before =
      tokenBefore !== undefined
        ? { api_token: tokenBefore }
        : known?.organization === organizationId
          ? known
          : await this.get(organizationId, id, op);
    const project = await withRecovery(this.http, {
      attempt: () =>
        this.session.send({
          op,
          method: "PATCH",
          path: apiPath("organizations", organizationId, "projects", id, "reset_token"),
          body: {},
          schema: projectSchema,
        }),
      lookup: async () => {
        const now = await this.find(organizationId, id, op);
        return now && now.api_token !== before.api_token ? now : undefined;
      },
    });
    return this.written(project);
  }

  /**
   * Moves the project to another organization; its id and token stay. Session-only in
   * PostHog. After an ambiguous failure the project is looked up in the target
   * organization: if it is there, the move happened.
   */
  async changeOrganization(
    organizationId: string,
    id: number | string,
    targetOrganizationId: string,
    name?: string,
  ): Promise<Project> {
    const op: OperationContext = {
      action: "move",
      resource: `${label("Project", id, name)} from Organization ${organizationId} to Organization ${targetOrganizationId}`,
    };
    const project = await withRecovery(this.http, {
      attempt: () =>
        this.session.send({
          op,
          method: "POST",
          path: apiPath("organizations", organizationId, "projects", id, "change_organization"),
          body: { organization_id: targetOrganizationId },
          schema: projectSchema,
        }),
      lookup: async () => {
        const there = await this.find(targetOrganizationId, id, op);
        return there && there.organization === targetOrganizationId ? there : undefined;
      },
    });
    return this.written(project, organizationId);
  }
}
