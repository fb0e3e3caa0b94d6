import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";
import type { LevelValue } from "../domain";

export interface MembershipRow {
  id: string;
  organization_id: string;
  user_id: number;
  level: LevelValue;
  joined_at: string;
  updated_at: string;
}

export interface MemberWithUser extends MembershipRow {
  user_uuid: string;
  distinct_id: string;
  email: string;
  first_name: string;
  last_name: string;
  last_login: string | null;
  totp_secret: string | null;
}

export class MemberRepository {
  constructor(private readonly db: Db) {}

  add(organizationId: string, userId: number, level: LevelValue): MembershipRow {
    const now = new Date().toISOString();
    const id = randomUUID();
    this.db
      .prepare(
        "INSERT INTO memberships (id, organization_id, user_id, level, joined_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(id, organizationId, userId, level, now, now);
    return this.db.prepare("SELECT * FROM memberships WHERE id = ?").get(id) as MembershipRow;
  }

  get(organizationId: string, userId: number): MembershipRow | undefined {
    return this.db
      .prepare("SELECT * FROM memberships WHERE organization_id = ? AND user_id = ?")
      .get(organizationId, userId) as MembershipRow | undefined;
  }

  private static readonly WITH_USER = `SELECT m.*, u.uuid AS user_uuid, u.distinct_id, u.email, u.first_name, u.last_name,
      u.last_login, u.totp_secret FROM memberships m JOIN users u ON u.id = m.user_id`;

  list(organizationId: string, limit: number, offset: number): { count: number; rows: MemberWithUser[] } {
    const count = (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM memberships WHERE organization_id = ?")
        .get(organizationId) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(
        `${MemberRepository.WITH_USER} WHERE m.organization_id = ? ORDER BY m.joined_at, m.id LIMIT ? OFFSET ?`,
      )
      .all(organizationId, limit, offset) as MemberWithUser[];
    return { count, rows };
  }

  getWithUser(organizationId: string, userUuid: string): MemberWithUser | undefined {
    return this.db
      .prepare(`${MemberRepository.WITH_USER} WHERE m.organization_id = ? AND u.uuid = ?`)
      .get(organizationId, userUuid) as MemberWithUser | undefined;
  }

  setLevel(membershipId: string, level: LevelValue): void {
    this.db
      .prepare("UPDATE memberships SET level = ?, updated_at = ? WHERE id = ?")
      .run(level, new Date().toISOString(), membershipId);
  }

  remove(membershipId: string): void {
    this.db.prepare("DELETE FROM memberships WHERE id = ?").run(membershipId);
  }
}
