import type { Db } from "../db/database";
import { EnvironmentSettingsRepository } from "./environment-settings";
import { EventRepository } from "./events";
import { InviteRepository } from "./invites";
import { MemberRepository } from "./members";
import { OrganizationRepository } from "./organizations";
import { PersonalApiKeyRepository } from "./personal-api-keys";
import { ProjectRepository } from "./projects";
import { SecretTokenRepository } from "./secret-tokens";
import { SessionRepository } from "./sessions";
import { UserRepository } from "./users";

export interface Repositories {
  users: UserRepository;
  organizations: OrganizationRepository;
  members: MemberRepository;
  projects: ProjectRepository;
  keys: PersonalApiKeyRepository;
  sessions: SessionRepository;
  events: EventRepository;
  invites: InviteRepository;
  environmentSettings: EnvironmentSettingsRepository;
  secretTokens: SecretTokenRepository;
}

/** The database and its repositories: what the rules in `rules/` work on. */
export interface Store {
  db: Db;
  repos: Repositories;
}

export function createRepositories(db: Db): Repositories {
  return {
    users: new UserRepository(db),
    organizations: new OrganizationRepository(db),
    members: new MemberRepository(db),
    projects: new ProjectRepository(db),
    keys: new PersonalApiKeyRepository(db),
    sessions: new SessionRepository(db),
    events: new EventRepository(db),
    invites: new InviteRepository(db),
    environmentSettings: new EnvironmentSettingsRepository(db),
    secretTokens: new SecretTokenRepository(db),
  };
}
