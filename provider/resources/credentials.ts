/**
 * The preview-time credential check: a plan must not preview green when `up` would
 * fail on the first request because the API key is wrong or missing, or nothing answers
 * at the host.
 *
 * Decision: `check` verifies the credentials only for a resource the plan creates or
 * changes, and at most once per provider process. A request the resource's own preview
 * checks already made with the key proves it (no extra request); otherwise one
 * `GET /api/organizations/`, a small request every key that can manage projects may make.
 * So a preview with nothing to change costs no request at all (PostHog's rate limit is
 * the team's budget), and a missing key, which costs nothing to see, fails every preview.
 * A plan that only deletes is not verified: the engine asks the provider nothing about a
 * delete before it happens. A 403 (the key lacks `organization:read`) proves the key is
 * valid and passes, and so does a 429 or 5xx (`up` reports those as they come); a 401, a
 * redirect, no answer, or an answer that is not PostHog's fails.
 */
import { PostHogApiError, PostHogClient, PostHogError } from "../client";
import type { ProviderConfig } from "../config";

const verified = new WeakMap<PostHogClient, Promise<string | undefined>>();

/** The missing-key problem, found without a request. */
export function missingKey(config: ProviderConfig): string | undefined {
  return config.apiKey
    ? undefined
    : "posthog:apiKey (or POSTHOG_API_KEY) is not set. Hint: create a personal API key in PostHog " +
        "(Settings > Personal API keys) and run `pulumi config set --secret posthog:apiKey phx_...`.";
}

/** Why the credentials cannot work, or undefined when they can. Asked once per client. */
export function credentialProblem(
  config: ProviderConfig,
  client: PostHogClient,
): Promise<string | undefined> {
  const missing = missingKey(config);
  if (missing) return Promise.resolve(missing);
  let answer = verified.get(client);
  if (!answer && client.http.keyAccepted) return Promise.resolve(undefined);
  if (!answer) {
    const op = { action: "check the credentials against", resource: config.host };
    answer = client.organizations.list(op).then(
      () => undefined,
      (err: unknown) => {
        const refused = err instanceof PostHogApiError && (err.status === 401 || (err.status ?? 0) < 400);
        if (err instanceof PostHogApiError && !refused) return undefined;
        if (err instanceof PostHogError) return err.message;
        throw err;
      },
    );
    verified.set(client, answer);
  }
  return answer;
}
