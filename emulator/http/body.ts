import { gunzipSync, inflateSync } from "node:zlib";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError, errors } from "./errors";

/** PostHog accepts request bodies up to 20 MB (DATA_UPLOAD_MAX_MEMORY_SIZE), compressed or not. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

export type ParsedBody =
  | { kind: "json"; value: unknown }
  | { kind: "form"; value: URLSearchParams }
  | { kind: "text"; value: string; mediaType: string };

function decompress(raw: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? "").toLowerCase().trim();
  // posthog-js also sends gzip with a text/plain type and `?compression=gzip-js`, so sniff the magic.
  const looksGzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  try {
    if (enc === "gzip" || looksGzip) return gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES });
    if (enc === "deflate") return inflateSync(raw, { maxOutputLength: MAX_BODY_BYTES });
  } catch {
    throw errors.parse("Malformed request data: the body could not be decompressed.");
  }
  return raw;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Where and why bytes are not UTF-8, in Python's words (DRF decodes with Python's codec). */
function utf8Problem(buf: Buffer): string {
  for (let i = 0; i < buf.length;) {
    const b = buf[i];
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    const at = `byte 0x${b.toString(16).padStart(2, "0")} in position ${i}`;
    if (need < 0) return `${at}: invalid start byte`;
    for (let k = 1; k <= need; k++) {
      if (i + k >= buf.length) return `${at}: unexpected end of data`;
      if ((buf[i + k] & 0xc0) !== 0x80) return `${at}: invalid continuation byte`;
    }
    i += need + 1;
  }
  return "invalid data";
}

/**
 * Bodies must be UTF-8: PostHog's parsers decode strictly and refuse the body, where a lenient
 * decode would store U+FFFD replacement characters in place of the bytes sent.
 */
function decodeUtf8(buf: Buffer): string {
  try {
    return strictUtf8.decode(buf);
  } catch {
    throw errors.parse(`JSON parse error - 'utf-8' codec can't decode ${utf8Problem(buf)}`);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw errors.parse(`JSON parse error - ${(error as Error).message}`);
  }
}

/**
 * One parser for every content type: bodies are decompressed first, then JSON is parsed here so a
 * malformed body becomes PostHog's 400 `parse_error` instead of a framework message. Routes decide
 * which kinds they accept (the management API only JSON, ingestion also forms and text).
 */
export function registerBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_BODY_BYTES }, (request, raw, done) => {
    try {
      const buffer = decompress(raw as Buffer, request.headers["content-encoding"] as string | undefined);
      const mediaType = String(request.headers["content-type"] ?? "")
        .split(";")[0]
        .trim()
        .toLowerCase();
      const text = decodeUtf8(buffer);
      let parsed: ParsedBody;
      if (mediaType === "application/json" || mediaType.endsWith("+json")) {
        parsed = { kind: "json", value: parseJson(text) };
      } else if (mediaType === "application/x-www-form-urlencoded") {
        parsed = { kind: "form", value: new URLSearchParams(text) };
      } else {
        parsed = { kind: "text", value: text, mediaType };
      }
      done(null, parsed);
    } catch (error) {
      done(error as ApiError, undefined);
    }
  });
}

function isParsedBody(body: unknown): body is ParsedBody {
  return typeof body === "object" && body !== null && "kind" in body;
}

/** The JSON body of a management API request; anything but JSON is refused with DRF's 415. */
export function jsonBody(request: FastifyRequest): unknown {
  const body = request.body;
  if (!isParsedBody(body)) return undefined;
  if (body.kind === "json") return body.value;
  if (body.kind === "text" && body.value.trim() === "") return undefined;
  const mediaType = body.kind === "form" ? "application/x-www-form-urlencoded" : body.mediaType;
  throw errors.unsupportedMediaType(mediaType);
}

/** The raw parsed body, for ingestion routes that accept several encodings. */
export function parsedBody(request: FastifyRequest): ParsedBody | undefined {
  return isParsedBody(request.body) ? request.body : undefined;
}
