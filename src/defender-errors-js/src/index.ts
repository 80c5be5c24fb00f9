import { defenderErrorStatuses, type DefenderErrorCode } from "./codes.js";

export { defenderErrorStatuses, type DefenderErrorCode } from "./codes.js";

// The types below are structural on purpose: the declarations compile with the DOM lib, with @types/node alone, or with
// neither, and accept the Response/Headers/Request of any fetch (browser, Node, undici, a polyfill).

/** What this package reads from a `Headers` object. */
export interface HeadersLike {
  get(name: string): string | null;
}

/** What this package reads from a fetch `Response`. */
export interface ResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeadersLike;
  readonly url: string;
  readonly bodyUsed: boolean;
  clone(): { text(): Promise<string> };
}

/** What this package reads from a fetch `Request`. */
export interface RequestLike {
  readonly url: string;
  readonly method: string;
}

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

/** Marks a `DefenderApiError` made by any copy of this package (two bundles, ESM and CommonJS side by side). */
const brand: unique symbol = Symbol.for("defender-errors.DefenderApiError");

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

/** Whether `code` is one this package knows (documented, or registered by the middleware by default, like `TooManyRequests`). */
export function isKnownDefenderErrorCode(code: unknown): code is DefenderErrorCode {
  return typeof code === "string" && Object.prototype.hasOwnProperty.call(defenderErrorStatuses, code);
}

/** What `DefenderApiError` is made from. */
export interface DefenderApiErrorInit {
  status: number;
  code?: string | undefined;
  message?: string | undefined;
  target?: string | undefined;
  /** Seconds to wait, from `Retry-After`. */
  retryAfter?: number | undefined;
  /** When a retry is welcome, on this machine's clock. */
  retryAfterDate?: Date | undefined;
  rawBody?: string | undefined;
  headers?: HeadersLike | undefined;
  response?: ResponseLike | undefined;
  request?: RequestLike | undefined;
  url?: string | undefined;
  method?: string | undefined;
  cause?: unknown;
}

/** Where an error came from, for `readDefenderError` and `DefenderApiError.fromBody`. */
export interface DefenderErrorSource {
  request?: RequestLike | undefined;
  url?: string | undefined;
  method?: string | undefined;
  response?: ResponseLike | undefined;
  cause?: unknown;
  /** The clock to measure `Retry-After` against (milliseconds since the epoch); `Date.now()` by default. */
  now?: number | undefined;
}

/** Headers as `fromBody` takes them: a `Headers` object, or a plain record (any case) as ofetch or axios give them. */
export type HeadersInitLike = HeadersLike | Record<string, string | readonly string[] | undefined>;

/** Whether the status may succeed if the request is sent again: 408, 429 and 5xx (as the .NET client and the standard resilience handler judge it). */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * An error response from a Defender-style API. `code`, `message` and `target` come from the envelope; when the body was
 * not one (an HTML 502 from a proxy, an empty 503), `code` falls back to the `x-ms-error-code` header and `target` is undefined.
 * The names are those of the .NET client's `DefenderApiError` (`Status`, `Code`, `Message`, `Target`, …): see docs/clients.md.
 */
export class DefenderApiError extends Error {
  override readonly name = "DefenderApiError";
  /** The HTTP status. */
  readonly status: number;
  /** `error.code`, or the `x-ms-error-code` header; undefined when neither was there. */
  readonly code: DefenderErrorCode | (string & {}) | undefined;
  /** `error.target`: the tracking id to quote to support; undefined when the body was not an envelope. */
  readonly target: string | undefined;
  /** Seconds to wait, from `Retry-After` (delta-seconds, or the seconds left until its date); undefined without a valid header. */
  readonly retryAfter: number | undefined;
  /** When a retry is welcome, on this machine's clock (from `Retry-After`); undefined without a valid header. */
  readonly retryAfterDate: Date | undefined;
  /** The body's text (first 4096 characters) when it was not an envelope; undefined for an envelope. */
  readonly rawBody: string | undefined;
  /** The response's headers, when known. */
  readonly headers: HeadersLike | undefined;
  /** The response, when the error was read from one (its body may already be consumed). */
  readonly response: ResponseLike | undefined;
  /** The request, when the client that failed passed it on. */
  readonly request: RequestLike | undefined;
  /** The URL of the request (or of the response). */
  readonly url: string | undefined;
  /** The request's method, when known. */
  readonly method: string | undefined;

  constructor(init: DefenderApiErrorInit) {
    super(init.message || `HTTP ${init.status}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.target = init.target;
    this.retryAfter = init.retryAfter;
    this.retryAfterDate = init.retryAfterDate;
    this.rawBody = init.rawBody;
    this.headers = init.headers ?? init.response?.headers;
    this.response = init.response;
    this.request = init.request;
    this.url = init.url ?? init.request?.url ?? (init.response?.url || undefined);
    this.method = init.method ?? init.request?.method;
  }

  /** Whether the body was a Defender envelope (and `target` is known). */
  get isEnvelope(): boolean {
    return this.target !== undefined;
  }

  /** Whether sending the same request again may succeed: 408, 429, 5xx. Never for another 4xx. */
  get isRetryable(): boolean {
    return isRetryableStatus(this.status);
  }

  /**
   * The error of a body a client already read (ofetch's `error.data`, @hey-api's `error`, axios's `response.data`): the parsed
   * JSON or its text. Anything that is not an envelope is kept as `rawBody`, with the code from the `x-ms-error-code` header.
   */
  static fromBody(status: number, body: unknown, headers?: HeadersInitLike, source: DefenderErrorSource = {}): DefenderApiError {
    const headerLookup = toHeaders(headers);
    let parsed: unknown = body;
    if (typeof body === "string") {
      try {
        parsed = JSON.parse(body);
      } catch {
        // Not JSON: a proxy's page, truncated output.
      }
    }

    const retry = retryAfterOf(headerLookup, source.now);
    const common = { status, ...retry, headers: headerLookup, response: source.response, request: source.request,
      url: source.url, method: source.method, cause: source.cause };
    if (isDefenderError(parsed)) {
      const { code, message, target } = parsed.error;
      return new DefenderApiError({ ...common, code, message, target });
    }

    const statusText = source.response?.statusText;
    const text = body === undefined || body === null ? "" : typeof body === "string" ? body : safeStringify(body);
    return new DefenderApiError({
      ...common,
      code: headerLookup?.get(errorCodeHeader) ?? undefined,
      message: statusText ? `HTTP ${status} ${statusText}` : undefined,
      rawBody: text.slice(0, rawBodyLimit),
    });
  }

  /** `instanceof` answers for errors made by any copy of this package, as `isDefenderApiError` does. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === DefenderApiError ? isDefenderApiError(value) : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

Object.defineProperty(DefenderApiError.prototype, brand, { value: true });

/** Whether `value` is a `DefenderApiError` from any copy of this package (another bundle, the CommonJS build). */
export function isDefenderApiError(value: unknown): value is DefenderApiError {
  return typeof value === "object" && value !== null && (value as { [brand]?: unknown })[brand] === true;
}

/** Whether `error` is an abort (`AbortError`: `controller.abort()`) or a timeout (`TimeoutError`: `AbortSignal.timeout()`). Never retry these. */
export function isAbortError(error: unknown): boolean {
  const name = typeof error === "object" && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === "AbortError" || name === "TimeoutError";
}

// What fetch implementations reject with when no response arrived: Node/undici, Chromium, Firefox, Safari, React Native.
const networkFailureMessages = new Set(["fetch failed", "Failed to fetch", "NetworkError when attempting to fetch resource.", "Load failed", "Network request failed"]);

/**
 * Whether `error` is a network failure — no response at all (connection refused, DNS, TLS, a reset): fetch's `TypeError`,
 * or an error that wraps one as its `cause` (ofetch's `FetchError`). Aborts and timeouts are not network failures.
 */
export function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === "object" && current !== null && depth < 5; depth++) {
    if (isAbortError(current) || isDefenderApiError(current)) return false;
    if (current instanceof TypeError && networkFailureMessages.has(current.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Whether the failed call may succeed if made again: a `DefenderApiError` with 408, 429 or 5xx, or a network failure.
 * Never an abort, a timeout the caller set, another 4xx, or an error this package does not know.
 */
export function isRetryable(error: unknown): boolean {
  if (isDefenderApiError(error)) return error.isRetryable;
  return isNetworkError(error);
}

/**
 * How long to wait before retrying, in milliseconds, from the error's `Retry-After`; undefined when the error has none
 * (then use your own backoff). Never negative.
 */
export function retryDelayMs(error: unknown, now: number = Date.now()): number | undefined {
  const date = isDefenderApiError(error) ? error.retryAfterDate : undefined;
  return date === undefined ? undefined : Math.max(0, date.getTime() - now);
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const day = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const month = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const time = "(\\d{2}):(\\d{2}):(\\d{2})";
// RFC 9110 §5.6.7: IMF-fixdate, and the two obsolete forms a recipient must still accept (RFC 850, asctime).
const imfFixdate = new RegExp(`^${day}, (\\d{2}) ${month} (\\d{4}) ${time} GMT$`);
const rfc850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${month}-(\\d{2}) ${time} GMT$`);
const asctime = new RegExp(`^${day} ${month} ( \\d|\\d{2}) ${time} (\\d{4})$`);

/** An HTTP date (RFC 9110) as milliseconds since the epoch; undefined for anything else. */
export function parseHttpDate(value: string): number | undefined {
  let parts: [string, string, string, string, string, string] | undefined;
  let match = imfFixdate.exec(value);
  if (match) parts = [match[3]!, match[2]!, match[1]!, match[4]!, match[5]!, match[6]!];
  else if ((match = rfc850.exec(value))) {
    // Two-digit years: the most recent year with those digits that is not more than 50 years ahead (RFC 9110).
    const yy = Number(match[3]);
    const thisYear = new Date().getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    parts = [String(year), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!];
  } else if ((match = asctime.exec(value))) parts = [match[6]!, match[1]!, match[2]!.trim(), match[3]!, match[4]!, match[5]!];
  if (!parts) return undefined;

  const [year, mon, date, hours, minutes, seconds] = parts;
  const ms = Date.UTC(Number(year), months.indexOf(mon), Number(date), Number(hours), Number(minutes), Number(seconds));
  // Rejects 31 Feb, 25:00:00 and the like, which Date.UTC would roll over.
  const check = new Date(ms);
  return check.getUTCDate() === Number(date) && check.getUTCHours() === Number(hours) && check.getUTCMinutes() === Number(minutes)
    && check.getUTCSeconds() === Number(seconds) ? ms : undefined;
}

/**
 * `Retry-After` in seconds, parsed strictly: delta-seconds (a non-negative integer) as sent, an HTTP date as the seconds
 * left (never negative); undefined for anything else ("1.5", "-1", "soon", an ISO date).
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const ms = parseRetryAfterMs(value, now);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

function parseRetryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text);
  return date === undefined ? undefined : Math.max(0, date - now);
}

function retryAfterOf(headers: HeadersLike | undefined, now: number = Date.now()): { retryAfter?: number; retryAfterDate?: Date } {
  const value = headers?.get("retry-after");
  // A date is measured against the server's own clock when it sent one, so a skewed local clock does not distort the wait.
  const serverNow = headers?.get("date");
  const serverTime = serverNow ? parseHttpDate(serverNow.trim()) : undefined;
  const ms = parseRetryAfterMs(value, serverTime ?? now);
  return ms === undefined ? {} : { retryAfter: Math.ceil(ms / 1000), retryAfterDate: new Date(now + ms) };
}

function toHeaders(headers: HeadersInitLike | undefined): HeadersLike | undefined {
  if (headers === undefined) return undefined;
  if (typeof (headers as HeadersLike).get === "function") return headers as HeadersLike;
  const record = headers as Record<string, string | readonly string[] | undefined>;
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined) lower.set(name.toLowerCase(), typeof value === "string" ? value : value.join(", "));
  }
  return { get: (name) => lower.get(name.toLowerCase()) ?? null };
}

function safeStringify(body: unknown): string {
  try {
    return JSON.stringify(body) ?? String(body);
  } catch {
    return String(body);
  }
}

/**
 * The error of `response`, or undefined for a status below 400. Reads a clone, so the body stays readable; never throws on
 * a body that is not an envelope (HTML, empty, truncated JSON) or that was already read. An abort or a timeout while the
 * body is read is rethrown as it is.
 */
export async function readDefenderError(response: ResponseLike, source: DefenderErrorSource = {}): Promise<DefenderApiError | undefined> {
  if (response.status < 400) return undefined;
  let text: string | undefined;
  try {
    text = response.bodyUsed ? undefined : await response.clone().text();
  } catch (error) {
    if (isAbortError(error)) throw error;
    // A connection dropped mid-body: report the status and headers.
  }

  return DefenderApiError.fromBody(response.status, text, response.headers, { ...source, response });
}

/** The part of openapi-fetch's `Middleware` this package implements (structural: no dependency on openapi-fetch). */
export interface DefenderErrorMiddleware {
  onResponse(options: { request: RequestLike; response: ResponseLike }): Promise<undefined>;
}

/**
 * openapi-fetch middleware: `client.use(defenderErrorMiddleware())` makes every error response reject with a
 * `DefenderApiError` (with the request) instead of resolving with `{ error }`.
 */
export function defenderErrorMiddleware(): DefenderErrorMiddleware {
  return {
    async onResponse({ request, response }) {
      const error = await readDefenderError(response, { request });
      if (error) throw error;
      return undefined;
    },
  };
}

/** The `fetch` shape this package wraps: any function taking fetch's arguments and resolving with a response. */
export type FetchLike<R extends ResponseLike = ResponseLike> = (input: any, init?: any) => Promise<R>;

/**
 * `fetch` that rejects with a `DefenderApiError` for every error response and resolves with the response otherwise:
 * `const api = withDefenderErrors(fetch)`. Aborts, timeouts and network failures reject as fetch rejected (see
 * `isAbortError`, `isNetworkError`).
 */
export function withDefenderErrors<F extends FetchLike>(fetchImpl?: F): F {
  const inner: FetchLike = fetchImpl ?? ((input, init) => (globalThis as unknown as { fetch: FetchLike }).fetch(input, init));
  const wrapped: FetchLike = async (input, init) => {
    const response = await inner(input, init);
    const request = typeof input === "object" && input !== null && typeof input.method === "string" ? input as RequestLike : undefined;
    const method: string = (init?.method as string | undefined)?.toUpperCase() ?? request?.method ?? "GET";
    const url: string = request?.url ?? String(input);
    const error = await readDefenderError(response, { request, url, method });
    if (error) throw error;
    return response;
  };
  return wrapped as F;
}
