import { openDatabase } from "../../emulator/db/database";
import { ApiError } from "../../emulator/http/errors";
import { createRepositories, type Store } from "../../emulator/repositories";
import * as sessions from "../../emulator/rules/sessions";
import { verifyPassword } from "../../emulator/secrets";

// A wrong password must cost the same work whether or not the email has an account (issue 10,
// item 4): the rules verify a dummy hash for unknown emails. Counted through the injectable
// verifier, not timed.

let store: Store;
beforeEach(() => {
  const db = openDatabase(":memory:");
  store = { db, repos: createRepositories(db) };
});
afterEach(() => store.db.close());

/** A login state whose password checks are recorded (the hash each one verified against). */
function countingLogin(): { login: sessions.LoginState; checked: string[] } {
  const checked: string[] = [];
  const login = new sessions.LoginState((password, hash) => {
    checked.push(hash);
    return verifyPassword(password, hash);
  });
  return { login, checked };
}

function refused(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

test("an unknown email costs one scrypt check, like a known email with a wrong password", () => {
  const user = store.repos.users.create({ email: "known@example.com", password: "pw-123456" });
  const { login, checked } = countingLogin();

  const unknown = refused(() =>
    sessions.checkPassword({ ...store, login }, "nobody@example.com", "pw-123456", "a"),
  );
  expect(unknown.body.code).toBe("invalid_credentials");
  expect(checked).toHaveLength(1);
  // A real hash in the same format as a user's, and not any user's.
  expect(checked[0]).toMatch(/^scrypt\$/);
  expect(checked[0]).not.toBe(user.password_hash);

  const wrong = refused(() => sessions.checkPassword({ ...store, login }, user.email, "wrong-password", "a"));
  expect(wrong.body.code).toBe("invalid_credentials");
  expect(checked).toEqual([checked[0], user.password_hash]);
  // Both answers are the same, so the answer does not tell either.
  expect(unknown.body).toEqual(wrong.body);
});

test("SSO enforcement and the lockout answer before any password check, as PostHog orders them", () => {
  const user = store.repos.users.create({ email: "sso@example.com", password: "pw-123456" });
  store.repos.users.setLoginPolicy(user.id, { ssoEnforced: "google-oauth2" });
  const { login, checked } = countingLogin();
  expect(
    refused(() => sessions.checkPassword({ ...store, login }, user.email, "pw-123456", "a")).body.code,
  ).toBe("sso_enforced");
  expect(checked).toHaveLength(0);

  for (let i = 0; i < sessions.LOGIN_FAILURE_LIMIT; i++) login.recordFailure("b");
  expect(
    refused(() => sessions.checkPassword({ ...store, login }, "nobody@example.com", "pw-123456", "b")).body
      .code,
  ).toBe("too_many_failed_attempts");
  expect(checked).toHaveLength(0);
});
