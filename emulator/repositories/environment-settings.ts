import type { Db } from "../db/database";

/** The stored settings of one environment: only the keys ever written; defaults live in the rules. */
export type StoredSettings = Record<string, unknown>;

/**
 * Environment settings beyond the columns of `projects` (`app_urls`, `anonymize_ips`), one JSON
 * object per environment: they are read and written whole, never queried by value.
 */
export class EnvironmentSettingsRepository {
  constructor(private readonly db: Db) {}

  get(projectId: number): StoredSettings {
    const row = this.db
      .prepare("SELECT settings FROM environment_settings WHERE project_id = ?")
      .get(projectId) as { settings: string } | undefined;
    return row ? (JSON.parse(row.settings) as StoredSettings) : {};
  }

  merge(projectId: number, changes: StoredSettings): void {
    const next = { ...this.get(projectId), ...changes };
    this.db
      .prepare(
        `INSERT INTO environment_settings (project_id, settings) VALUES (?, ?)
         ON CONFLICT (project_id) DO UPDATE SET settings = excluded.settings`,
      )
      .run(projectId, JSON.stringify(next));
  }
}
