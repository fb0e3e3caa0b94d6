/** A tiny fetch wrapper for the conformance suite: real HTTP only, nothing from the emulator's code. */

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (throws if the body is not JSON). */
  json<T = Record<string, unknown>>(): T;
  setCookies: string[];
}

export interface CallOptions {
  body?: unknown;
  /** Sent as-is, bypassing JSON encoding. */
  rawBody?: string | Uint8Array;
  key?: string | null;
  headers?: Record<string, string>;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key) headers.Authorization = `Bearer ${options.key}`;
  let body: string | Uint8Array | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  const url = path.startsWith("http") ? path : `${baseUrl}${path}`;
  const response = await fetch(url, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
    setCookies: response.headers.getSetCookie(),
  };
}

/** A client bound to one credential (a personal API key), so tests read like sentences. */
export class KeyClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string | null,
  ) {}
  get = (path: string, o: CallOptions = {}) => call(this.baseUrl, "GET", path, { key: this.key, ...o });
  post = (path: string, body?: unknown, o: CallOptions = {}) =>
    call(this.baseUrl, "POST", path, { key: this.key, body, ...o });
  patch = (path: string, body?: unknown, o: CallOptions = {}) =>
    call(this.baseUrl, "PATCH", path, { key: this.key, body, ...o });
  put = (path: string, body?: unknown, o: CallOptions = {}) =>
    call(this.baseUrl, "PUT", path, { key: this.key, body, ...o });
  delete = (path: string, o: CallOptions = {}) => call(this.baseUrl, "DELETE", path, { key: this.key, ...o });
}

function cookieValue(setCookies: string[], name: string): string | undefined {
  for (const line of setCookies) {
    const [pair] = line.split(";");
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** A logged-in browser-like session: keeps cookies and echoes the CSRF token on unsafe requests. */
export class SessionClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  absorb(res: Res): void {
    for (const name of ["sessionid", "posthog_csrftoken"]) {
      const value = cookieValue(res.setCookies, name);
      if (value !== undefined) this.cookies.set(name, value);
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async login(email: string, password: string): Promise<Res> {
    const res = await call(this.baseUrl, "POST", "/api/login", { body: { email, password } });
    this.absorb(res);
    return res;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = { Cookie: this.cookieHeader(), Referer: `${this.baseUrl}/` };
    const csrf = this.cookies.get("posthog_csrftoken");
    if (options.csrf !== false && csrf && method !== "GET") headers["X-CSRFToken"] = csrf;
    const res = await call(this.baseUrl, method, path, { body, headers });
    this.absorb(res);
    return res;
  }
}

export const errorBody = (type: string, code: string, detail: string, attr: string | null = null) => ({
  type,
  code,
  detail,
  attr,
});

/** PostHog's 403 for a personal API key on an action that declares no scopes (reset_token, moves, secure keys). */
export const SESSION_ONLY_REFUSAL = errorBody(
  "authentication_error",
  "permission_denied",
  "This action does not support Personal API Key access",
);

let counter = 0;
/** Names unique per run, so the suite can share a real PostHog organization with other data. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix} ${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}
