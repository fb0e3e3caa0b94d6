import type { FastifyRequest } from "fastify";

/** DRF LimitOffsetPagination with PostHog's PAGE_SIZE of 100; bad values fall back like DRF does. */
export const DEFAULT_PAGE_SIZE = 100;

export interface Page {
  limit: number;
  offset: number;
}

function positiveInt(value: unknown, strict: boolean): number | null {
  if (typeof value !== "string" || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) return null;
  if (strict && n === 0) return null;
  return n;
}

export function pageFrom(request: FastifyRequest): Page {
  const query = request.query as Record<string, unknown>;
  return {
    limit: positiveInt(query.limit, true) ?? DEFAULT_PAGE_SIZE,
    offset: positiveInt(query.offset, false) ?? 0,
  };
}

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

function pageUrl(request: FastifyRequest, limit: number, offset: number | null): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set("limit", String(limit));
  if (offset === null || offset <= 0) url.searchParams.delete("offset");
  else url.searchParams.set("offset", String(offset));
  return url.toString();
}

/** Wraps a page of results; `next` and `previous` are absolute URLs to follow as given. */
export function paginated<T>(request: FastifyRequest, page: Page, count: number, results: T[]): Paginated<T> {
  const next =
    page.offset + page.limit < count ? pageUrl(request, page.limit, page.offset + page.limit) : null;
  const previous = page.offset > 0 ? pageUrl(request, page.limit, page.offset - page.limit) : null;
  return { count, next, previous, results };
}
