/**
 * What one provider process has already read, so that it does not ask again: an
 * organization, an organization's full project list, a project. One Pulumi operation runs
 * in one provider process, so the cache lives seconds to minutes and starts empty each run.
 *
 * Rules (issue 11):
 * - Entries are promises: parallel callers share one request, and a failed request is
 *   forgotten, never cached.
 * - The process's own writes update the entries they touch (a created project joins its
 *   organization's list; a rename, a move, a rotation and a delete are applied), so a
 *   hundred creates in one `up` do not each page through the organization again.
 * - A 403 or 409 from PostHog means the cache may be wrong about that organization: its
 *   entries are dropped.
 * - The cache may let a preview-time check pass (PostHog still refuses with its 409/403 at
 *   `up`, and that answer is reported as it is), but never make a refusal: a duplicate name
 *   found in a cached list is confirmed by a fresh search (`ProjectsApi.findByName`).
 */
import type { Organization, Project, ProjectListItem } from "./schemas";

/**
 * The per-process read cache of the client. The provider builds its client with
 * `readCache: true` (provider/context.ts); a client built without it (tools, tests that use
 * the client directly) reads every time. Tests that drive several engine operations through
 * one process start a fresh client per operation (`resetClient` in provider/context.ts).
 */
export class ReadCache {
  constructor(readonly enabled: boolean) {}

  private readonly organizations = new Map<string, Promise<Organization>>();
  private readonly projectLists = new Map<string, Promise<ProjectListItem[]>>();
  /** Undefined: the last read found the project gone. */
  private readonly projects = new Map<string, Promise<Project | undefined>>();

  /** The organization, read once. */
  organization(id: string, read: () => Promise<Organization>): Promise<Organization> {
    if (!this.enabled) return read();
    return remember(this.organizations, id, read);
  }

  /** The organization's full project list, read once; own writes keep it current. */
  projectList(organizationId: string, read: () => Promise<ProjectListItem[]>): Promise<ProjectListItem[]> {
    if (!this.enabled) return read();
    return remember(this.projectLists, organizationId, read);
  }

  /** Whether the organization's full list is cached or being read. */
  hasProjectList(organizationId: string): boolean {
    return this.projectLists.has(organizationId);
  }

  /** Looks the project up once; parallel readers (a project and its token) share the request. */
  locateProject(
    id: number | string,
    locate: () => Promise<Project | undefined>,
  ): Promise<Project | undefined> {
    if (!this.enabled) return locate();
    return remember(this.projects, String(id), locate);
  }

  /** Records a project as just read. */
  projectRead(project: Project): void {
    if (!this.enabled) return;
    this.projects.set(String(project.id), Promise.resolve(project));
  }

  /** Records a project this process created, read or changed, in the entries it touches. */
  projectWritten(project: Project, previousOrganizationId?: string): void {
    if (!this.enabled) return;
    this.projects.set(String(project.id), Promise.resolve(project));
    if (previousOrganizationId !== undefined && previousOrganizationId !== project.organization) {
      this.editList(previousOrganizationId, (list) => list.filter((p) => p.id !== project.id));
      this.organizations.delete(previousOrganizationId);
      this.organizations.delete(project.organization);
    }
    const item: ProjectListItem = {
      id: project.id,
      name: project.name,
      organization: project.organization,
      is_demo: project.is_demo,
      is_pending_deletion: project.is_pending_deletion,
    };
    this.editList(project.organization, (list) => [...list.filter((p) => p.id !== project.id), item]);
  }

  /** Records that this process deleted the project (or found it gone). */
  projectDeleted(organizationId: string, id: number | string): void {
    this.projects.delete(String(id));
    this.editList(organizationId, (list) => list.filter((p) => p.id !== Number(id)));
  }

  /** Drops the organization and its project list: PostHog said they were not what we thought. */
  forgetOrganization(organizationId: string): void {
    this.organizations.delete(organizationId);
    this.projectLists.delete(organizationId);
  }

  private editList(organizationId: string, edit: (list: ProjectListItem[]) => ProjectListItem[]): void {
    const cached = this.projectLists.get(organizationId);
    if (!cached) return;
    const next = cached.then(edit);
    this.projectLists.set(organizationId, next);
    next.catch(() => {
      if (this.projectLists.get(organizationId) === next) this.projectLists.delete(organizationId);
    });
  }
}

function remember<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  const cached = map.get(key);
  if (cached) return cached;
  const pending = read();
  map.set(key, pending);
  pending.catch(() => {
    if (map.get(key) === pending) map.delete(key);
  });
  return pending;
}
