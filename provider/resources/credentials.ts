/**
 * The preview-time credential check: a plan must not preview green when `up` would
 * fail on the first request because the API key is wrong or missing, or nothing answers
 * at the host.
 *
 * Decision: every `check` (the engine calls it for each declared resource at preview and
 * at `up`) waits for one verification per provider process: `GET /api/organizations/`,
 * one small authenticated request every key that can manage projects may make. So a preview with nothing to change verifies too: the
 * same credentials run the next `up`, and a plan that only deletes (for which the engine
 * asks the provider nothing at preview) is covered as long as one PostHog resource stays
 * declared. A 403 (the key lacks `organization:read`) proves the key is valid and passes, and so
 * does a 429 or 5xx (`up` reports those as they come); a 401, a redirect, no answer, or an
 * answer that is not PostHog's fails.
 */
import { PostHogApiError, PostHogClient, PostHogError } from "../client";
import type { ProviderConfig } from "../config";

const verified = new WeakMap<PostHogClient, Promise<string | undefined>>();

/** Why the credentials cannot work, or undefined when they can. Asked once per client. */
export function credentialProblem(
  config: ProviderConfig,
  client: PostHogClient,
): Promise<string | undefined> {
  if (!config.apiKey) {
    return Promise.resolve(
      "posthog:apiKey (or POSTHOG_API_KEY) is not set. Hint: create a personal API key in PostHog " +
        "(Settings > Personal API keys) and run `pulumi config set --secret posthog:apiKey phx_...`.",
    );
  }
  let answer = verified.get(client);
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
