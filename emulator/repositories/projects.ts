import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";
import { newProjectToken } from "../secrets";

export interface ProjectRow {
  id: number;
  uuid: string;
  organization_id: string;
  name: string;
  api_token: string;
  timezone: string;
  product_description: string | null;
  app_urls: string;
  anonymize_ips: number;
  completed_snippet_onboarding: number;
  is_demo: number;
  week_start_day: number | null;
  ingested_event: number;
  created_at: string;
  updated_at: string;
  pending_deletion_at: string | null;
}

export interface ProjectFields {
  name?: string;
  timezone?: string;
  product_description?: string | null;
  app_urls?: string[];
  anonymize_ips?: boolean;
  completed_snippet_onboarding?: boolean;
  is_demo?: boolean;
  week_start_day?: number | null;
}

function toColumns(fields: ProjectFields): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (key === "app_urls") out[key] = JSON.stringify(value);
    else if (typeof value === "boolean") out[key] = value ? 1 : 0;
    else out[key] = value as string | number | null;
  }
  return out;
}

export interface ListFilter {
  organizationId: string;
  search?: string;
  /** When set, only these project ids (a key limited with `scoped_teams`). */
  onlyIds?: number[];
  limit: number;
  offset: number;
}

/** Projects and their single environment (PostHog's team) share one row and one id here. */
export class ProjectRepository {
  constructor(private readonly db: Db) {}

  create(organizationId: string, fields: ProjectFields & { name: string }): ProjectRow {
    const now = new Date().toISOString();
    const columns = { ...toColumns(fields) };
    const names = [
      "uuid",
      "organization_id",
      "api_token",
      "created_at",
      "updated_at",
      ...Object.keys(columns),
    ];
    const values = [randomUUID(), organizationId, newProjectToken(), now, now, ...Object.values(columns)];
    const result = this.db
      .prepare(`INSERT INTO projects (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`)
      .run(...values);
    return this.get(Number(result.lastInsertRowid)) as ProjectRow;
  }

  get(id: number): ProjectRow | undefined {
    return this.db.prepare("SELECT * FROM projects WHERE id = ?").get(id) as ProjectRow | undefined;
  }

  /** Only projects that are not being deleted can receive events or answer flags. */
  liveByToken(token: string): ProjectRow | undefined {
    return this.db
      .prepare("SELECT * FROM projects WHERE api_token = ? AND pending_deletion_at IS NULL")
      .get(token) as ProjectRow | undefined;
  }

  liveInOrganization(organizationId: string): ProjectRow[] {
    return this.db
      .prepare("SELECT * FROM projects WHERE organization_id = ? AND pending_deletion_at IS NULL ORDER BY id")
      .all(organizationId) as ProjectRow[];
  }

  /** Every project of the organization, pending deletion or not (PostHog lists and counts both). */
  inOrganization(organizationId: string): ProjectRow[] {
    return this.db
      .prepare("SELECT * FROM projects WHERE organization_id = ? ORDER BY id")
      .all(organizationId) as ProjectRow[];
  }

  count(organizationId: string, excludeDemo = false): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM projects WHERE organization_id = ?${excludeDemo ? " AND is_demo = 0" : ""}`,
        )
        .get(organizationId) as { n: number }
    ).n;
  }

  list(filter: ListFilter): { count: number; rows: ProjectRow[] } {
    const where = ["organization_id = ?"];
    const params: (string | number)[] = [filter.organizationId];
    if (filter.search) {
      // PostHog filters with `name__icontains`.
      where.push("name LIKE ? ESCAPE '\\'");
      params.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (filter.onlyIds) {
      if (filter.onlyIds.length === 0) return { count: 0, rows: [] };
      where.push(`id IN (${filter.onlyIds.map(() => "?").join(", ")})`);
      params.push(...filter.onlyIds);
    }
    const clause = where.join(" AND ");
    const count = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM projects WHERE ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM projects WHERE ${clause} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...params, filter.limit, filter.offset) as ProjectRow[];
    return { count, rows };
  }

  /**
   * Case-insensitive, trimmed comparison over all the organization's projects, pending deletion
   * included (a pending project keeps its name), as PostHog does.
   */
  nameTaken(organizationId: string, name: string, exceptId?: number): ProjectRow | undefined {
    const wanted = name.trim().toLocaleLowerCase();
    return this.inOrganization(organizationId).find(
      (p) => p.id !== exceptId && p.name.trim().toLocaleLowerCase() === wanted,
    );
  }

  update(id: number, fields: ProjectFields): void {
    const columns = toColumns(fields);
    const keys = Object.keys(columns);
    const sets = [...keys.map((k) => `${k} = ?`), "updated_at = ?"];
    this.db
      .prepare(`UPDATE projects SET ${sets.join(", ")} WHERE id = ?`)
      .run(...Object.values(columns), new Date().toISOString(), id);
  }

  markPendingDeletion(id: number): void {
    const now = new Date().toISOString();
    this.db
      .prepare("UPDATE projects SET pending_deletion_at = ?, updated_at = ? WHERE id = ?")
      .run(now, now, id);
  }

  cancelPendingDeletion(id: number): void {
    this.db
      .prepare("UPDATE projects SET pending_deletion_at = NULL, updated_at = ? WHERE id = ?")
      .run(new Date().toISOString(), id);
  }

  /** Removes the project at once; its events, settings and secret tokens go with it (ON DELETE CASCADE). */
  remove(id: number): void {
    this.db.prepare("DELETE FROM projects WHERE id = ?").run(id);
  }

  resetToken(id: number): void {
    this.db
      .prepare("UPDATE projects SET api_token = ?, updated_at = ? WHERE id = ?")
      .run(newProjectToken(), new Date().toISOString(), id);
  }

  move(id: number, organizationId: string): void {
    this.db
      .prepare("UPDATE projects SET organization_id = ?, updated_at = ? WHERE id = ?")
      .run(organizationId, new Date().toISOString(), id);
  }

  markIngested(id: number): void {
    this.db.prepare("UPDATE projects SET ingested_event = 1 WHERE id = ? AND ingested_event = 0").run(id);
  }
}
