import { openDatabase, inTransaction } from "./db/database";
import { createRepositories } from "./repositories";
import { createOrganizationFor } from "./rules/organizations";
import { verifyPassword } from "./secrets";

export interface BootstrapInput {
  dbPath: string;
  email: string;
  password: string;
  organizationName: string;
  /** "scale" has the `organizations_projects` feature (many projects); "free" holds one project. */
  plan: "free" | "scale";
  /** Default ["*"]. */
  scopes?: string[];
  /** Enables TOTP two-factor login for the user. */
  totpSecret?: string;
  /**
   * Default false: billing has an active subscription for the organization, so its last project
   * cannot be deleted (PostHog's rule). Apart from this, posthog-local models no billing.
   */
  activeSubscription?: boolean;
  /**
   * Makes a password login of a user without TOTP wait for an emailed link, as PostHog Cloud's
   * email MFA does (401 `email_mfa_required`); the admin API reveals the link's token.
   */
  emailMfa?: boolean;
}

export interface BootstrapResult {
  email: string;
  password: string;
  userId: string;
  organizationId: string;
  defaultProjectId: number;
  personalApiKey: string;
}

/**
 * Creates (or reuses, when the email exists with the same password) a user, a new
 * organization on the chosen plan with its default project, and a personal API key. Opens the
 * database itself, so it can run beside a server on the same file (WAL, busy timeout).
 */
export function bootstrap(input: BootstrapInput): BootstrapResult {
  const db = openDatabase(input.dbPath);
  try {
    return inTransaction(db, () => {
      const repos = createRepositories(db);
      const existing = repos.users.byEmail(input.email);
      if (existing && !verifyPassword(input.password, existing.password_hash)) {
        throw new Error(`A user with email ${existing.email} already exists with a different password.`);
      }
      const user =
        existing ??
        repos.users.create({ email: input.email, password: input.password, totpSecret: input.totpSecret });
      if (input.emailMfa !== undefined) repos.users.setLoginPolicy(user.id, { emailMfa: input.emailMfa });
      const { organization, project } = createOrganizationFor(
        repos,
        user,
        input.organizationName,
        input.plan,
      );
      if (input.activeSubscription === true) repos.organizations.setActiveSubscription(organization.id, true);
      const { raw } = repos.keys.create(user.id, { label: "bootstrap", scopes: input.scopes ?? ["*"] });
      return {
        email: user.email,
        password: input.password,
        userId: user.uuid,
        organizationId: organization.id,
        defaultProjectId: project.id,
        personalApiKey: raw,
      };
    });
  } finally {
    db.close();
  }
}
