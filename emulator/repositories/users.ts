import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";
import { hashPassword, randomString } from "../secrets";

export interface UserRow {
  id: number;
  uuid: string;
  distinct_id: string;
  email: string;
  first_name: string;
  last_name: string;
  password_hash: string;
  totp_secret: string | null;
  current_organization_id: string | null;
  current_team_id: number | null;
  date_joined: string;
  last_login: string | null;
  /** 1 when a password login must be completed by an emailed link (accounts without TOTP). */
  email_mfa: number;
  /** The SSO provider the account's domain enforces (e.g. "google-oauth2"), or null. */
  sso_enforced: string | null;
}

export interface NewUser {
  email: string;
  password: string;
  firstName?: string;
  totpSecret?: string;
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  create(input: NewUser): UserRow {
    const now = new Date().toISOString();
    const result = this.db
      .prepare(
        `INSERT INTO users (uuid, distinct_id, email, first_name, password_hash, totp_secret, date_joined)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        randomUUID(),
        randomString(43),
        input.email.trim(),
        input.firstName ?? "",
        hashPassword(input.password),
        input.totpSecret ?? null,
        now,
      );
    return this.byId(Number(result.lastInsertRowid)) as UserRow;
  }

  byId(id: number): UserRow | undefined {
    return this.db.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
  }

  byEmail(email: string): UserRow | undefined {
    return this.db.prepare("SELECT * FROM users WHERE email = ? COLLATE NOCASE").get(email.trim()) as
      UserRow | undefined;
  }

  setCurrent(userId: number, organizationId: string | null, teamId: number | null): void {
    this.db
      .prepare("UPDATE users SET current_organization_id = ?, current_team_id = ? WHERE id = ?")
      .run(organizationId, teamId, userId);
  }

  /**
   * Records the TOTP time step a login used, if it is newer than the last one; returns
   * false for a step at or before it (a replayed code).
   */
  acceptTotpStep(userId: number, step: number): boolean {
    const result = this.db
      .prepare(
        "UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
      )
      .run(step, userId, step);
    return result.changes === 1;
  }

  /** Sets the login policies the admin API and bootstrap switch per user. */
  setLoginPolicy(userId: number, policy: { emailMfa?: boolean; ssoEnforced?: string | null }): void {
    if (policy.emailMfa !== undefined) {
      this.db.prepare("UPDATE users SET email_mfa = ? WHERE id = ?").run(policy.emailMfa ? 1 : 0, userId);
    }
    if (policy.ssoEnforced !== undefined) {
      this.db.prepare("UPDATE users SET sso_enforced = ? WHERE id = ?").run(policy.ssoEnforced, userId);
    }
  }

  touchLogin(userId: number): void {
    this.db.prepare("UPDATE users SET last_login = ? WHERE id = ?").run(new Date().toISOString(), userId);
  }
}
