import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";
import type { LevelValue } from "../domain";

/** PostHog's INVITE_DAYS_VALIDITY (posthog/constants.py): an invite older than this is expired. */
export const INVITE_DAYS_VALIDITY = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface InviteRow {
  id: string;
  organization_id: string;
  target_email: string;
  first_name: string;
  level: LevelValue;
  message: string | null;
  emailing_attempt_made: number;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface NewInvite {
  targetEmail: string;
  firstName: string;
  level: LevelValue;
  message: string | null;
  createdBy: number;
}

export function isExpired(invite: Pick<InviteRow, "created_at">, now = Date.now()): boolean {
  return Date.parse(invite.created_at) < now - INVITE_DAYS_VALIDITY * DAY_MS;
}

export class InviteRepository {
  constructor(private readonly db: Db) {}

  create(organizationId: string, input: NewInvite): InviteRow {
    const now = new Date().toISOString();
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO invites (id, organization_id, target_email, first_name, level, message, created_by,
           created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        organizationId,
        input.targetEmail,
        input.firstName,
        input.level,
        input.message,
        input.createdBy,
        now,
        now,
      );
    return this.get(id) as InviteRow;
  }

  get(id: string): InviteRow | undefined {
    return this.db.prepare("SELECT * FROM invites WHERE id = ?").get(id) as InviteRow | undefined;
  }

  /** Newest first, as PostHog orders them (`-created_at`). */
  list(organizationId: string, limit: number, offset: number): { count: number; rows: InviteRow[] } {
    const count = (
      this.db.prepare("SELECT COUNT(*) AS n FROM invites WHERE organization_id = ?").get(organizationId) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(
        "SELECT * FROM invites WHERE organization_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
      )
      .all(organizationId, limit, offset) as InviteRow[];
    return { count, rows };
  }

  /** Every invite (expired ones too) for this address in the organization. */
  deleteForEmail(organizationId: string, targetEmail: string): void {
    this.db
      .prepare("DELETE FROM invites WHERE organization_id = ? AND target_email = ? COLLATE NOCASE")
      .run(organizationId, targetEmail);
  }

  delete(id: string): void {
    this.db.prepare("DELETE FROM invites WHERE id = ?").run(id);
  }

  /** Admin API: moves the creation time back so the invite is past PostHog's validity window. */
  backdate(id: string, days: number): void {
    const at = new Date(Date.now() - days * DAY_MS).toISOString();
    this.db.prepare("UPDATE invites SET created_at = ?, updated_at = ? WHERE id = ?").run(at, at, id);
  }
}
