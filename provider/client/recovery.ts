/**
 * Recovery from ambiguous failures of non-idempotent requests.
 *
 * PostHog has no idempotency keys, so a POST (or `reset_token`) whose response was
 * lost may or may not have happened. Repeating it blindly can create a duplicate
 * organization or rotate a token twice. Instead: after an ambiguous failure, look up
 * what the first attempt may have done; if it happened, return that; only if nothing
 * happened, try again. Waits and the attempt count follow the client's single retry
 * policy ({@link RetryPolicy} in `http.ts`).
 */
import { HttpClient } from "./http";
import { PostHogApiError, ResponseShapeError } from "./errors";

/** How to carry out one non-idempotent action and how to tell whether it already happened. */
export interface RecoveryPlan<T> {
  /** Sends the request once (the HTTP core never repeats it after an ambiguous failure). */
  readonly attempt: () => Promise<T>;
  /** Finds the result of an earlier attempt that may have succeeded; undefined if none. */
  readonly lookup: () => Promise<T | undefined>;
  /**
   * Whether a refusal proves an earlier ambiguous attempt succeeded (e.g. 409 "already
   * a project called ..." after a lost create response). Checked only after an ambiguity.
   */
  readonly refusalMeansDone?: (error: PostHogApiError) => boolean;
}

/** Runs `plan`, recovering from ambiguous failures as described above. */
export async function withRecovery<T>(http: HttpClient, plan: RecoveryPlan<T>): Promise<T> {
  const startedAt = Date.now();
  let ambiguity: PostHogApiError | undefined;
  for (let round = 1; ; round++) {
    try {
      return await plan.attempt();
    } catch (err) {
      // A 2xx whose body does not parse means the server did act: as ambiguous as a lost response.
      if (err instanceof ResponseShapeError) {
        const found = await plan.lookup();
        http.note(
          `${err.method} ${err.path} answered in an unexpected shape; ` +
            (found !== undefined ? "the request had succeeded: using its result" : "nothing was found"),
        );
        if (found !== undefined) return found;
        throw err;
      }
      if (!(err instanceof PostHogApiError)) throw err;
      const proven = ambiguity !== undefined && plan.refusalMeansDone?.(err) === true;
      if (!err.ambiguous && !proven) throw err;
      ambiguity = ambiguity ?? err;
      const found = await plan.lookup();
      http.note(
        `${err.method} ${err.path} ${err.ambiguous ? `failed ambiguously (${err.status ?? err.networkCode})` : `was refused (${err.status})`}; ` +
          (found !== undefined
            ? "the earlier attempt had succeeded: using its result"
            : "nothing was done: trying again"),
      );
      if (found !== undefined) return found;
      if (proven) throw err;
      const delay = http.delayFor(round);
      if (round > http.retry.retries || !http.fitsBudget(startedAt, delay)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
