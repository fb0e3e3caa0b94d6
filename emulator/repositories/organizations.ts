import { randomUUID } from "node:crypto";
import type { Db } from "../db/database";
import type { Plan } from "../domain";
import { randomString } from "../secrets";

export interface OrganizationRow {
  id: string;
  name: string;
  slug: string;
  plan: Plan;
  enforce_2fa: number | null;
  members_can_invite: number;
  members_can_use_personal_api_keys: number;
  is_member_join_email_enabled: number;
  allow_publicly_shared_resources: number;
  /** 1 when billing has an active subscription (see `rules/projects.ts`, deleting the last project). */
  active_subscription: number;
  created_at: string;
  updated_at: string;
}

export interface OrganizationPatch {
  name?: string;
  enforce_2fa?: boolean | null;
  members_can_invite?: boolean;
  members_can_use_personal_api_keys?: boolean;
  is_member_join_email_enabled?: boolean;
  allow_publicly_shared_resources?: boolean;
}

/** Django's `slugify`: ASCII-fold, drop what is not a word character, hyphenate whitespace. */
export function slugify(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/[\u0080-\uffff]/g, "")
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/[-\s]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
}

const LOWERCASE = "abcdefghijklmnopqrstuvwxyz";

export class OrganizationRepository {
  constructor(private readonly db: Db) {}

  create(name: string, plan: Plan): OrganizationRow {
    const now = new Date().toISOString();
    const id = randomUUID();
    this.db
      .prepare(
        "INSERT INTO organizations (id, name, slug, plan, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(id, name, this.uniqueSlug(name), plan, now, now);
    return this.get(id) as OrganizationRow;
  }

  /** PostHog: `slugify(name)[:48]`, and on a clash `slug[:43]-xxxx` with four random letters. */
  private uniqueSlug(name: string): string {
    const base = slugify(name).slice(0, 48);
    if (base !== "" && !this.slugTaken(base)) return base;
    // Bounded: 26^4 suffixes make a run of 100 clashes practically impossible.
    for (let attempt = 0; attempt < 100; attempt++) {
      const candidate = `${base.slice(0, 43)}-${randomString(4, LOWERCASE)}`.replace(/^-/, "");
      if (!this.slugTaken(candidate)) return candidate;
    }
    return randomUUID();
  }

  private slugTaken(slug: string): boolean {
    return this.db.prepare("SELECT 1 FROM organizations WHERE slug = ?").get(slug) !== undefined;
  }

  get(id: string): OrganizationRow | undefined {
    return this.db.prepare("SELECT * FROM organizations WHERE id = ?").get(id) as OrganizationRow | undefined;
  }

  update(id: string, patch: OrganizationPatch): void {
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      sets.push(`${key} = ?`);
      values.push(typeof value === "boolean" ? (value ? 1 : 0) : (value as string | null));
    }
    sets.push("updated_at = ?");
    values.push(new Date().toISOString());
    this.db.prepare(`UPDATE organizations SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
  }

  setPlan(id: string, plan: Plan): void {
    this.db
      .prepare("UPDATE organizations SET plan = ?, updated_at = ? WHERE id = ?")
      .run(plan, new Date().toISOString(), id);
  }

  setActiveSubscription(id: string, active: boolean): void {
    this.db
      .prepare("UPDATE organizations SET active_subscription = ?, updated_at = ? WHERE id = ?")
      .run(active ? 1 : 0, new Date().toISOString(), id);
  }

  delete(id: string): void {
    this.db.prepare("DELETE FROM organizations WHERE id = ?").run(id);
  }

  /** Organizations the user belongs to, oldest membership first, with the user's level. */
  listForUser(userId: number): (OrganizationRow & { level: number })[] {
    return this.db
      .prepare(
        `SELECT o.*, m.level AS level FROM organizations o JOIN memberships m ON m.organization_id = o.id
         WHERE m.user_id = ? ORDER BY m.joined_at, o.created_at, o.id`,
      )
      .all(userId) as (OrganizationRow & { level: number })[];
  }

  memberCount(id: string): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM memberships WHERE organization_id = ?").get(id) as {
        n: number;
      }
    ).n;
  }
}
