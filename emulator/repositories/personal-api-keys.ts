import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";
import { newPersonalApiKey, sha256 } from "../secrets";

export interface PersonalApiKey {
  id: string;
  userId: number;
  label: string;
  maskValue: string;
  scopes: string[];
  scopedOrganizations: string[] | null;
  scopedTeams: number[] | null;
  createdAt: string;
}

interface KeyRow {
  id: string;
  user_id: number;
  label: string;
  secure_value: string;
  mask_value: string;
  scopes: string;
  scoped_organizations: string | null;
  scoped_teams: string | null;
  created_at: string;
}

function fromRow(row: KeyRow): PersonalApiKey {
  return {
    id: row.id,
    userId: row.user_id,
    label: row.label,
    maskValue: row.mask_value,
    scopes: JSON.parse(row.scopes) as string[],
    scopedOrganizations: row.scoped_organizations ? (JSON.parse(row.scoped_organizations) as string[]) : null,
    scopedTeams: row.scoped_teams ? (JSON.parse(row.scoped_teams) as number[]) : null,
    createdAt: row.created_at,
  };
}

export interface NewKey {
  label?: string;
  scopes: string[];
  scopedOrganizations?: string[] | null;
  scopedTeams?: number[] | null;
}

/** Keys are stored as their SHA-256 (`sha256$<hex>`, PostHog's format); the raw value is returned once. */
export class PersonalApiKeyRepository {
  constructor(private readonly db: Db) {}

  create(userId: number, input: NewKey): { key: PersonalApiKey; raw: string } {
    const raw = newPersonalApiKey();
    const id = randomUUID();
    const scopedOrgs = input.scopedOrganizations?.length ? JSON.stringify(input.scopedOrganizations) : null;
    const scopedTeams = input.scopedTeams?.length ? JSON.stringify(input.scopedTeams) : null;
    this.db
      .prepare(
        `INSERT INTO personal_api_keys (id, user_id, label, secure_value, mask_value, scopes, scoped_organizations, scoped_teams, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        userId,
        input.label ?? "posthog-local",
        `sha256$${sha256(raw)}`,
        `phx_...${raw.slice(-4)}`,
        JSON.stringify(input.scopes),
        scopedOrgs,
        scopedTeams,
        new Date().toISOString(),
      );
    const row = this.db.prepare("SELECT * FROM personal_api_keys WHERE id = ?").get(id) as KeyRow;
    return { key: fromRow(row), raw };
  }

  findByRaw(raw: string): PersonalApiKey | undefined {
    const row = this.db
      .prepare("SELECT * FROM personal_api_keys WHERE secure_value = ?")
      .get(`sha256$${sha256(raw)}`) as KeyRow | undefined;
    return row ? fromRow(row) : undefined;
  }
}
