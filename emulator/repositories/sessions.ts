import type { Db } from "../db/database";
import { SESSION_AGE_SECONDS } from "../domain";
import { randomString, sha256 } from "../secrets";

export interface SessionRow {
  key_hash: string;
  user_id: number | null;
  pending_2fa_user_id: number | null;
  pending_2fa_at: number | null;
  created_at: number;
  expires_at: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Server-side sessions keyed by the SHA-256 of the cookie value, like a Django DB session store. */
export class SessionRepository {
  constructor(private readonly db: Db) {}

  /** Creates a session and returns the raw cookie value (32 lowercase alphanumerics, as Django). */
  create(fields: { userId?: number; pendingTwoFactorUserId?: number }): string {
    const raw = randomString(32, "abcdefghijklmnopqrstuvwxyz0123456789");
    const now = nowSeconds();
    this.db
      .prepare(
        "INSERT INTO sessions (key_hash, user_id, pending_2fa_user_id, pending_2fa_at, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        sha256(raw),
        fields.userId ?? null,
        fields.pendingTwoFactorUserId ?? null,
        fields.pendingTwoFactorUserId ? now : null,
        now,
        now + SESSION_AGE_SECONDS,
      );
    return raw;
  }

  get(raw: string): SessionRow | undefined {
    const row = this.db.prepare("SELECT * FROM sessions WHERE key_hash = ?").get(sha256(raw)) as
      SessionRow | undefined;
    if (!row || row.expires_at <= nowSeconds()) return undefined;
    return row;
  }

  delete(raw: string): void {
    this.db.prepare("DELETE FROM sessions WHERE key_hash = ?").run(sha256(raw));
  }

  /** Live, fully logged-in sessions (not pending a second factor), for the admin API. */
  listLive(): { user_id: number; created_at: number; expires_at: number }[] {
    return this.db
      .prepare(
        "SELECT user_id, created_at, expires_at FROM sessions WHERE user_id IS NOT NULL AND expires_at > ? ORDER BY created_at",
      )
      .all(nowSeconds()) as { user_id: number; created_at: number; expires_at: number }[];
  }

  deleteExpired(): void {
    this.db.prepare("DELETE FROM sessions WHERE expires_at <= ?").run(nowSeconds());
  }
}
