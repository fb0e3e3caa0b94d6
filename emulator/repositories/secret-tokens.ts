import type { Db } from "../db/database";
import { randomToken } from "../secrets";

/** A project's feature-flags secure API keys (PostHog's `secret_api_token` and its backup slot). */
export interface SecretTokens {
  primary: string | null;
  backup: string | null;
}

interface SecretTokenRow {
  project_id: number;
  secret_api_token: string | null;
  secret_api_token_backup: string | null;
}

/** `phs_` keys. PostHog stores them raw on the team (it shows them to admins), so they are kept raw here too. */
export function newSecretToken(): string {
  return `phs_${randomToken(35)}`;
}

/** Which project a secure key opens, and through which slot. */
export interface SecretTokenOwner {
  projectId: number;
  slot: "primary" | "backup";
}

export class SecretTokenRepository {
  constructor(private readonly db: Db) {}

  get(projectId: number): SecretTokens {
    const row = this.db.prepare("SELECT * FROM project_secret_tokens WHERE project_id = ?").get(projectId) as
      SecretTokenRow | undefined;
    return { primary: row?.secret_api_token ?? null, backup: row?.secret_api_token_backup ?? null };
  }

  /** New primary; the old primary becomes the backup and the previous backup stops working. */
  rotate(projectId: number): SecretTokens {
    const before = this.get(projectId);
    const next = { primary: newSecretToken(), backup: before.primary };
    this.db
      .prepare(
        `INSERT INTO project_secret_tokens (project_id, secret_api_token, secret_api_token_backup) VALUES (?, ?, ?)
         ON CONFLICT (project_id) DO UPDATE SET secret_api_token = excluded.secret_api_token,
           secret_api_token_backup = excluded.secret_api_token_backup`,
      )
      .run(projectId, next.primary, next.backup);
    return next;
  }

  deleteBackup(projectId: number): SecretTokens {
    this.db
      .prepare("UPDATE project_secret_tokens SET secret_api_token_backup = NULL WHERE project_id = ?")
      .run(projectId);
    return this.get(projectId);
  }

  ownerOf(token: string): SecretTokenOwner | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM project_secret_tokens WHERE secret_api_token = ? OR secret_api_token_backup = ?",
      )
      .get(token, token) as SecretTokenRow | undefined;
    if (!row) return undefined;
    return { projectId: row.project_id, slot: row.secret_api_token === token ? "primary" : "backup" };
  }
}
