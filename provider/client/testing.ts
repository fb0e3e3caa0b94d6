/**
 * Hooks for the tests, kept out of the package entries (`pulumi-posthog/provider` exports
 * neither this module nor `setClientTuning` of `provider/context.ts`): tests import them by
 * path.
 */
import { CSRF_COOKIE, HttpClient } from "./http";

/** Whether the client's cookie jar holds a CSRF cookie (the session handshake happened). */
export async function hasCsrfCookie(http: HttpClient): Promise<boolean> {
  const cookies = await http.jar.getCookies(http.host);
  return cookies.some((c) => c.key === CSRF_COOKIE);
}
