/**
 * The feature-flags secure API key (`phs_`, PostHog's `secret_api_token`) and its backup slot:
 * rotation keeps the old key working as the backup until the backup is deleted, and the flag
 * definitions endpoint that SDKs call for local evaluation accepts either slot.
 */
import { inTransaction } from "../db/database";
import { ApiError, errors } from "../http/errors";
import type { Store } from "../repositories";
import type { ProjectRow } from "../repositories/projects";
import type { SecretTokens } from "../repositories/secret-tokens";

/**
 * rotate_secret_token: a new primary; the old primary becomes the backup (a previous backup
 * ends). Like reset_token it needs project ADMIN: routes call `requireCanManage` first.
 */
export function rotateSecretToken({ db, repos }: Store, project: ProjectRow): SecretTokens {
  return inTransaction(db, () => repos.secretTokens.rotate(project.id));
}

/** delete_secret_token_backup: ends the backup key; without one it changes nothing and still answers 200. */
export function deleteSecretTokenBackup({ db, repos }: Store, project: ProjectRow): SecretTokens {
  return inTransaction(db, () => repos.secretTokens.deleteBackup(project.id));
}

/** The project fields PostHog's serializers add for the secure key. */
export function serializeSecretTokens(tokens: SecretTokens) {
  return { secret_api_token: tokens.primary, secret_api_token_backup: tokens.backup };
}

const invalidSecretKey = () =>
  new ApiError(401, {
    type: "authentication_error",
    code: "authentication_failed",
    detail: "Secret API key found in request Authorization header is invalid.",
    attr: null,
  });

const missingSecretKey = () =>
  new ApiError(401, {
    type: "authentication_error",
    code: "not_authenticated",
    detail: "Authentication credentials were not provided.",
    attr: null,
  });

/**
 * The project whose flag definitions a `Bearer phs_...` request may load: the key must be the
 * primary or the backup of a live project, and a `token` query parameter, when given, must be
 * that project's token (a key of one project never reads another's definitions).
 */
export function projectForSecretKey(
  { repos }: Store,
  authorization: string | undefined,
  projectToken: string | null,
): ProjectRow {
  const match = typeof authorization === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match) throw missingSecretKey();
  const owner = match[1].startsWith("phs_") ? repos.secretTokens.ownerOf(match[1]) : undefined;
  const project = owner ? repos.projects.get(owner.projectId) : undefined;
  if (!project || project.pending_deletion_at !== null) throw invalidSecretKey();
  if (projectToken !== null && projectToken !== project.api_token) {
    throw errors.permissionDenied("The secret API key does not belong to the project of this token.");
  }
  return project;
}

/** What local evaluation loads: posthog-local holds no flags, so the lists are empty. */
export function flagDefinitions() {
  return { flags: [], group_type_mapping: {}, cohorts: {} };
}
