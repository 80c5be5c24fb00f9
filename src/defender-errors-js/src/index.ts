import { defenderErrorStatuses, type DefenderErrorCode } from "./codes.js";

export { defenderErrorStatuses, type DefenderErrorCode } from "./codes.js";

/** The body of every Microsoft 365 Defender error response: `{"error":{"code","message","target"}}`. */
export interface DefenderErrorBody {
  error: {
    /** One of the documented codes, or a code the API registered. */
    code: DefenderErrorCode | (string & {});
    /** Free text for people; never branch on it. */
    message: string;
    /** A fresh GUID for this one error: the id to quote to support. */
    target: string;
  };
}

/** The longest part of a non-envelope body kept on the error (an HTML page from a proxy can be large). */
const rawBodyLimit = 4096;

/** The response header that repeats `error.code` (readable cross-origin only when the API exposes it). */
export const errorCodeHeader = "x-ms-error-code";

/** Whether `body` is a Defender error envelope: an `error` object whose `code`, `message` and `target` are strings. */
export function isDefenderError(body: unknown): body is DefenderErrorBody {
  if (typeof body !== "object" || body === null) return false;
  const error: unknown = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return false;
  const { code, message, target } = error as Record<string, unknown>;
  return typeof code === "string" && typeof message === "string" && typeof target === "string";
}

/** Whether `code` is one this package knows (documented, or registered by the middleware by default). */
export function isKnownDefenderErrorCode(code: unknown): code is DefenderErrorCode {
  return typeof code === "string" && Object.prototype.hasOwnProperty.call(defenderErrorStatuses, code);
}

/** What `DefenderApiError` is made from. */
export interface DefenderApiErrorInit {
  status: number;
  code?: string | undefined;
  message?: string | undefined;
  target?: string | undefined;
  retryAfter?: number | undefined;
  rawBody?: string | undefined;
}

/**
 * An error response from a Defender-style API. `code`, `message` and `target` come from the envelope; when the body was
 * not one (an HTML 502 from a proxy, an empty 503), `code` falls back to the `x-ms-error-code` header and `target` is undefined.
 */
export class DefenderApiError extends Error {
  override readonly name = "DefenderApiError";
  /** The HTTP status. */
  readonly status: number;
  /** `error.code`, or the `x-ms-error-code` header; undefined when neither was there. */
  readonly code: DefenderErrorCode | (string & {}) | undefined;
  /** `error.target`: the tracking id to quote to support; undefined when the body was not an envelope. */
  readonly target: string | undefined;
  /** Seconds to wait, from `Retry-After` (seconds or an HTTP date); undefined without the header. */
  readonly retryAfter: number | undefined;
  /** The body's text (first 4096 characters) when it was not an envelope; undefined for an envelope. */
  readonly rawBody: string | undefined;

  constructor(init: DefenderApiErrorInit) {
    super(init.message || `HTTP ${init.status}`);
    this.status = init.status;
    this.code = init.code;
    this.target = init.target;
    this.retryAfter = init.retryAfter;
    this.rawBody = init.rawBody;
  }

  /** Whether the body was a Defender envelope (and `target` is known). */
  get isEnvelope(): boolean {
    return this.target !== undefined;
  }
}

/** `Retry-After` in seconds: delta-seconds as sent, an HTTP date as the seconds left (never negative). */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The error of `response`, or undefined for a status below 400. Reads a clone, so the body stays readable; never throws on
 * a body that is not an envelope (HTML, empty, truncated JSON) or that was already read.
 */
export async function readDefenderError(response: Response): Promise<DefenderApiError | undefined> {
  if (response.status < 400) return undefined;
  const headerCode = response.headers.get(errorCodeHeader) ?? undefined;
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  let text: string | undefined;
  try {
    text = response.bodyUsed ? undefined : await response.clone().text();
  } catch {
    // A connection dropped mid-body: report the status and headers.
  }

  if (text) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: a proxy's page, truncated output.
    }

    if (isDefenderError(body)) {
      const { code, message, target } = body.error;
      return new DefenderApiError({ status: response.status, code, message, target, retryAfter });
    }
  }

  return new DefenderApiError({
    status: response.status,
    code: headerCode,
    message: response.statusText ? `HTTP ${response.status} ${response.statusText}` : undefined,
    retryAfter,
    rawBody: text?.slice(0, rawBodyLimit) ?? "",
  });
}

/** The part of openapi-fetch's `Middleware` this package implements (structural: no dependency on openapi-fetch). */
export interface DefenderErrorMiddleware {
  onResponse(options: { response: Response }): Promise<undefined>;
}

/**
 * openapi-fetch middleware: `client.use(defenderErrorMiddleware())` makes every error response reject with a
 * `DefenderApiError` instead of resolving with `{ error }`.
 */
export function defenderErrorMiddleware(): DefenderErrorMiddleware {
  return {
    async onResponse({ response }) {
      const error = await readDefenderError(response);
      if (error) throw error;
      return undefined;
    },
  };
}

/** The `fetch` signature this package wraps. */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * `fetch` that rejects with a `DefenderApiError` for every error response and resolves with the response otherwise:
 * `const api = withDefenderErrors(fetch)`.
 */
export function withDefenderErrors(fetchImpl: FetchLike = (input, init) => globalThis.fetch(input, init)): FetchLike {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const error = await readDefenderError(response);
    if (error) throw error;
    return response;
  };
}
