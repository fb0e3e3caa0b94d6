import type { FastifyReply } from "fastify";
import { SESSION_AGE_SECONDS } from "../domain";
import { randomString, safeEqual } from "../secrets";

/**
 * Wire names from PostHog's settings (posthog/settings/web.py): Django's session cookie keeps its
 * default name, the CSRF cookie is renamed, and the header is Django's default `X-CSRFToken`.
 */
export const SESSION_COOKIE = "sessionid";
export const CSRF_COOKIE = "posthog_csrftoken";
export const CSRF_HEADER = "x-csrftoken";

const CSRF_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CSRF_SECRET_LENGTH = 32;

/** Django's cookie attributes: whole site, Lax, two weeks; `expires` too, as Django sends both. */
function setCookie(reply: FastifyReply, name: string, value: string, httpOnly: boolean): void {
  reply.setCookie(name, value, {
    path: "/",
    sameSite: "lax",
    httpOnly,
    maxAge: SESSION_AGE_SECONDS,
    expires: new Date(Date.now() + SESSION_AGE_SECONDS * 1000),
  });
}

export function setSessionCookie(reply: FastifyReply, value: string): void {
  setCookie(reply, SESSION_COOKIE, value, true);
}

/** Django's logout flushes the session and deletes its cookie. */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/" });
}

/** Django rotates the CSRF secret at login; the cookie is readable by scripts on purpose. */
export function setNewCsrfCookie(reply: FastifyReply): string {
  const secret = randomString(CSRF_SECRET_LENGTH, CSRF_ALPHABET);
  setCookie(reply, CSRF_COOKIE, secret, false);
  return secret;
}

/** Django accepts the 32-char secret itself or a 64-char masked form (mask + cipher). */
function unmask(token: string): string | null {
  if (token.length === CSRF_SECRET_LENGTH) return token;
  if (token.length !== CSRF_SECRET_LENGTH * 2) return null;
  const mask = token.slice(0, CSRF_SECRET_LENGTH);
  const cipher = token.slice(CSRF_SECRET_LENGTH);
  let secret = "";
  for (let i = 0; i < CSRF_SECRET_LENGTH; i++) {
    const m = CSRF_ALPHABET.indexOf(mask[i]);
    const c = CSRF_ALPHABET.indexOf(cipher[i]);
    if (m < 0 || c < 0) return null;
    secret += CSRF_ALPHABET[(c - m + CSRF_ALPHABET.length) % CSRF_ALPHABET.length];
  }
  return secret;
}

/** Returns null when the double-submit check passes, else Django's reason text. */
export function csrfFailure(cookie: string | undefined, header: string | undefined): string | null {
  if (!cookie) return "CSRF cookie not set.";
  if (!header) return "CSRF token missing.";
  const secret = unmask(header);
  if (secret === null || !safeEqual(secret, cookie)) {
    return "CSRF token from the 'X-Csrftoken' HTTP header incorrect.";
  }
  return null;
}

/**
 * Django's origin check: an `Origin` must be this site's own (`http://<Host>` here, plain HTTP),
 * else Django's REASON_BAD_ORIGIN. Returns null when it matches.
 */
export function originFailure(origin: string, host: string | undefined): string | null {
  if (host !== undefined && origin === `http://${host}`) return null;
  return `Origin checking failed - ${origin} does not match any trusted origins.`;
}
