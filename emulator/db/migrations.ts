/**
 * Versioned schema. Each migration runs once, inside its own transaction, and is recorded in
 * `schema_migrations`; append new entries, never edit applied ones, so an old database file can
 * always be brought forward.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE,
        distinct_id TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        first_name TEXT NOT NULL DEFAULT '',
        last_name TEXT NOT NULL DEFAULT '',
        password_hash TEXT NOT NULL,
        totp_secret TEXT,
        current_organization_id TEXT,
        current_team_id INTEGER,
        date_joined TEXT NOT NULL,
        last_login TEXT
      );

      CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        slug TEXT NOT NULL UNIQUE,
        plan TEXT NOT NULL CHECK (plan IN ('free', 'scale')),
        enforce_2fa INTEGER,
        members_can_invite INTEGER NOT NULL DEFAULT 1,
        members_can_use_personal_api_keys INTEGER NOT NULL DEFAULT 1,
        is_member_join_email_enabled INTEGER NOT NULL DEFAULT 1,
        allow_publicly_shared_resources INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE memberships (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        level INTEGER NOT NULL CHECK (level IN (1, 8, 15)),
        joined_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (organization_id, user_id)
      );
      -- PostHog allows exactly one owner per organization.
      CREATE UNIQUE INDEX memberships_one_owner ON memberships(organization_id) WHERE level = 15;

      CREATE TABLE projects (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE,
        organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        api_token TEXT NOT NULL UNIQUE,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        product_description TEXT,
        app_urls TEXT NOT NULL DEFAULT '[]',
        anonymize_ips INTEGER NOT NULL DEFAULT 0,
        completed_snippet_onboarding INTEGER NOT NULL DEFAULT 0,
        is_demo INTEGER NOT NULL DEFAULT 0,
        week_start_day INTEGER,
        ingested_event INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        pending_deletion_at TEXT
      );
      CREATE INDEX projects_by_org ON projects(organization_id);

      CREATE TABLE personal_api_keys (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        secure_value TEXT NOT NULL UNIQUE,
        mask_value TEXT NOT NULL,
        scopes TEXT NOT NULL,
        scoped_organizations TEXT,
        scoped_teams TEXT,
        created_at TEXT NOT NULL,
        last_used_at TEXT
      );

      CREATE TABLE sessions (
        key_hash TEXT PRIMARY KEY,
        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        pending_2fa_user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        pending_2fa_at INTEGER,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );

      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        event TEXT NOT NULL,
        distinct_id TEXT,
        received_at TEXT NOT NULL
      );
      CREATE INDEX events_by_project ON events(project_id);
    `,
  },
  {
    version: 2,
    name: "remember the last accepted TOTP step",
    // django-otp refuses a code from a time step it already accepted; remember the last one.
    sql: `ALTER TABLE users ADD COLUMN totp_last_step INTEGER;`,
  },
  {
    version: 3,
    name: "organization invites",
    sql: `
      CREATE TABLE invites (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        target_email TEXT NOT NULL,
        first_name TEXT NOT NULL DEFAULT '',
        level INTEGER NOT NULL CHECK (level IN (1, 8, 15)),
        message TEXT,
        emailing_attempt_made INTEGER NOT NULL DEFAULT 0,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX invites_by_org ON invites(organization_id, target_email);
    `,
  },
  {
    version: 4,
    name: "environment settings and the feature-flags secure API key",
    sql: `
      CREATE TABLE environment_settings (
        project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        settings TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE project_secret_tokens (
        project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        secret_api_token TEXT UNIQUE,
        secret_api_token_backup TEXT UNIQUE
      );
    `,
  },
  {
    version: 5,
    name: "organization billing subscription",
    // PostHog refuses to delete the last project of an organization with an active subscription.
    sql: `ALTER TABLE organizations ADD COLUMN active_subscription INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 6,
    name: "per-user login policies: email MFA and SSO enforcement",
    // PostHog Cloud may demand an emailed link for accounts without TOTP, and refuses passwords
    // for accounts on an SSO-enforced domain; posthog-local sets both per user.
    sql: `
      ALTER TABLE users ADD COLUMN email_mfa INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE users ADD COLUMN sso_enforced TEXT;
    `,
  },
];
