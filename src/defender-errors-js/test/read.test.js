// The package without a server: what it makes of envelopes and of everything that is not one.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DefenderApiError,
  defenderErrorMiddleware,
  defenderErrorStatuses,
  isDefenderError,
  isKnownDefenderErrorCode,
  parseHttpDate,
  parseRetryAfter,
  readDefenderError,
  withDefenderErrors,
} from "../dist/index.js";

const target = "43f4cb08-8fac-4b65-9db1-745c2ae65f3a";
const envelope = { error: { code: "ResourceNotFound", message: "Machine 1 was not found", target } };
const json = (body, status, headers = {}) =>
  new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

test("isDefenderError accepts the envelope and rejects look-alikes", () => {
  assert.equal(isDefenderError(envelope), true);
  assert.equal(isDefenderError({ error: { code: "X", message: "", target: "t" }, extra: 1 }), true);
  for (const body of [null, undefined, "error", 42, [], {}, { error: null }, { error: "ResourceNotFound" },
    { error: { code: "X", message: "m" } }, { error: { code: 1, message: "m", target } }, { code: "X", message: "m", target }]) {
    assert.equal(isDefenderError(body), false, JSON.stringify(body));
  }
});

test("defenderErrorStatuses has the documented statuses", () => {
  assert.equal(defenderErrorStatuses.ResourceNotFound, 404);
  assert.equal(defenderErrorStatuses.MissingRequiredParameter, 400);
  assert.equal(defenderErrorStatuses.Unauthorized, 401);
  assert.equal(defenderErrorStatuses.DisabledFeature, 403);
  assert.equal(defenderErrorStatuses.InternalServerError, 500);
  assert.equal(defenderErrorStatuses.TooManyRequests, 429);
  assert.equal(isKnownDefenderErrorCode("ODataError"), true);
  assert.equal(isKnownDefenderErrorCode("toString"), false);
  assert.equal(isKnownDefenderErrorCode("ActiveRequestAlreadyExists"), false);
});

test("readDefenderError reads code, message, target and status from an envelope", async () => {
  const error = await readDefenderError(json(envelope, 404, { "x-ms-error-code": "ResourceNotFound" }));
  assert.ok(error instanceof DefenderApiError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "DefenderApiError");
  assert.deepEqual(
    { status: error.status, code: error.code, message: error.message, target: error.target, retryAfter: error.retryAfter, rawBody: error.rawBody, isEnvelope: error.isEnvelope },
    { status: 404, code: "ResourceNotFound", message: "Machine 1 was not found", target, retryAfter: undefined, rawBody: undefined, isEnvelope: true });
});

test("readDefenderError leaves the body readable", async () => {
  const response = json(envelope, 404);
  await readDefenderError(response);
  assert.deepEqual(await response.json(), envelope);
});

test("readDefenderError returns undefined for a success", async () => {
  assert.equal(await readDefenderError(json({ id: "1" }, 200)), undefined);
  assert.equal(await readDefenderError(new Response(null, { status: 204 })), undefined);
});

test("readDefenderError survives a proxy's HTML page and keeps its text", async () => {
  const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
  const error = await readDefenderError(new Response(html, { status: 502, statusText: "Bad Gateway", headers: { "content-type": "text/html" } }));
  assert.equal(error?.status, 502);
  assert.equal(error?.code, undefined);
  assert.equal(error?.target, undefined);
  assert.equal(error?.isEnvelope, false);
  assert.equal(error?.message, "HTTP 502 Bad Gateway");
  assert.equal(error?.rawBody, html);
});

test("readDefenderError survives empty, truncated and foreign JSON bodies, falling back to the header code", async () => {
  for (const [body, status] of [["", 503], ['{"error":{"code":"InternalServ', 500], ['{"message":"nope"}', 400], ["null", 400], ["[1,2]", 400]]) {
    const error = await readDefenderError(new Response(body, { status, headers: { "x-ms-error-code": "InternalServerError" } }));
    assert.equal(error?.status, status);
    assert.equal(error?.code, "InternalServerError");
    assert.equal(error?.target, undefined);
    assert.equal(error?.message, `HTTP ${status}`);
    assert.equal(error?.rawBody, body);
  }
});

test("readDefenderError cuts a long foreign body to 4096 characters", async () => {
  const error = await readDefenderError(new Response("x".repeat(10_000), { status: 502 }));
  assert.equal(error?.rawBody?.length, 4096);
});

test("readDefenderError does not throw when the body was already read", async () => {
  const response = json(envelope, 404, { "x-ms-error-code": "ResourceNotFound" });
  await response.text();
  const error = await readDefenderError(response);
  assert.equal(error?.code, "ResourceNotFound");
  assert.equal(error?.target, undefined);
});

test("readDefenderError reads Retry-After in seconds or as an HTTP date", async () => {
  const tooMany = { error: { code: "TooManyRequests", message: "Too many requests.", target } };
  assert.equal((await readDefenderError(json(tooMany, 429, { "retry-after": "17" })))?.retryAfter, 17);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now), 30);
  assert.equal(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test("parseRetryAfter is strict: delta-seconds as a non-negative integer or an HTTP date in one of its three forms", () => {
  const now = Date.parse("1994-11-06T08:49:00Z");
  assert.equal(parseRetryAfter("0", now), 0);
  assert.equal(parseRetryAfter("120", now), 120);
  for (const date of ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"]) {
    assert.equal(parseHttpDate(date), Date.parse("1994-11-06T08:49:37Z"), date);
    assert.equal(parseRetryAfter(date, now), 37, date);
  }
  for (const garbage of ["1.5", "-1", "+3", "1e3", "0x10", "", " ", "soon", "2026-01-01T00:00:00Z", "1", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 31 Feb 1994 08:49:37 GMT"]) {
    assert.equal(parseRetryAfter(garbage, now), garbage === "1" ? 1 : undefined, garbage);
  }
});

test("an empty envelope message falls back to the status", async () => {
  const error = await readDefenderError(json({ error: { code: "InternalServerError", message: "", target } }, 500));
  assert.equal(error?.message, "HTTP 500");
  assert.equal(error?.code, "InternalServerError");
  assert.equal(error?.target, target);
});

test("withDefenderErrors rejects with DefenderApiError and passes successes through untouched", async () => {
  const fake = async (input) => (String(input).endsWith("/ok") ? json({ id: "1" }, 200) : json(envelope, 404));
  const api = withDefenderErrors(fake);
  assert.deepEqual(await (await api("https://api.test/ok")).json(), { id: "1" });
  await assert.rejects(api("https://api.test/missing"), (e) => e instanceof DefenderApiError && e.code === "ResourceNotFound" && e.target === target);
});

test("defenderErrorMiddleware throws for an error and returns nothing for a success", async () => {
  const middleware = defenderErrorMiddleware();
  assert.equal(await middleware.onResponse({ response: json({ id: "1" }, 200) }), undefined);
  await assert.rejects(middleware.onResponse({ response: json(envelope, 404) }), DefenderApiError);
});
