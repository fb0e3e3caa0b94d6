import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * Minimal cookie handling. @fastify/cookie 11 loads the ESM `cookie` package with a dynamic
 * `import()`, which fails inside jest's VM (no --experimental-vm-modules), and every in-process
 * test starts this server under jest; the two cookies we need do not justify that risk.
 */
export function readCookies(request: FastifyRequest): Record<string, string> {
  const header = request.headers.cookie;
  const out: Record<string, string> = {};
  if (typeof header !== "string") return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value, as browsers and Django do with undecodable cookies
    }
    if (!(name in out)) out[name] = value;
  }
  return out;
}

export interface CookieOptions {
  maxAge: number;
  httpOnly?: boolean;
  sameSite?: "Lax" | "Strict";
  path?: string;
}

export function setCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions): void {
  const expires = new Date(Date.now() + options.maxAge * 1000).toUTCString();
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `expires=${expires}`,
    `Max-Age=${options.maxAge}`,
    `Path=${options.path ?? "/"}`,
    `SameSite=${options.sameSite ?? "Lax"}`,
  ];
  if (options.httpOnly) parts.push("HttpOnly");
  const existing = reply.getHeader("set-cookie");
  const list =
    existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header("set-cookie", [...list.filter((c) => !c.startsWith(`${name}=`)), parts.join("; ")]);
}
