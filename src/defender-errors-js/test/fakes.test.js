// The package against small fake servers on 127.0.0.1: what sits between a front end and the API (a proxy's HTML 502, a
// body that never ends, a closed port, Retry-After in each form) and what the caller does to a request (abort, time out).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  DefenderApiError,
  isAbortError,
  isDefenderApiError,
  isNetworkError,
  isRetryable,
  readDefenderError,
  retryDelayMs,
  withDefenderErrors,
} from "../dist/index.js";
import { closedPortUrl, startFakeServer } from "./support.js";

const target = "43f4cb08-8fac-4b65-9db1-745c2ae65f3a";
const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
let server;

before(async () => { server = await startFakeServer(); });
after(() => server.close());

/** The rejection of `promise`, asserted to happen. */
async function rejection(promise) {
  let caught;
  await assert.rejects(promise, (e) => { caught = e; return true; });
  return caught;
}

test("an HTML 502 from a proxy: the status, the page's text, the request and the response", async () => {
  const error = await rejection(withDefenderErrors(fetch)(`${server.url}/html502`, { method: "post", body: "{}" }));
  assert.ok(isDefenderApiError(error));
  assert.ok(error instanceof DefenderApiError);
  assert.equal(error.status, 502);
  assert.equal(error.code, undefined);
  assert.equal(error.target, undefined);
  assert.equal(error.isEnvelope, false);
  assert.equal(error.isRetryable, true);
  assert.equal(error.message, "HTTP 502 Bad Gateway");
  assert.equal(error.rawBody, html);
  assert.equal(error.method, "POST");
  assert.equal(error.url, `${server.url}/html502`);
  assert.equal(error.response.status, 502);
  assert.equal(error.headers.get("content-type"), "text/html");
  assert.equal(await error.response.text(), html, "the body stays readable");
});

test("an abort while the error body is read is the AbortError, not a DefenderApiError", async () => {
  const controller = new AbortController();
  const call = withDefenderErrors(fetch)(`${server.url}/slow500`, { signal: controller.signal });
  setTimeout(() => controller.abort(), 150);
  const error = await rejection(call);
  assert.equal(error.name, "AbortError");
  assert.equal(isAbortError(error), true);
  assert.equal(isDefenderApiError(error), false);
  assert.equal(isRetryable(error), false);
});

test("a timeout while the error body is read is the TimeoutError, untouched", async () => {
  const error = await rejection(withDefenderErrors(fetch)(`${server.url}/slow500`, { signal: AbortSignal.timeout(150) }));
  assert.equal(error.name, "TimeoutError");
  assert.equal(isAbortError(error), true);
  assert.equal(isNetworkError(error), false);
  assert.equal(isRetryable(error), false);
});

test("readDefenderError rethrows an abort while it reads the body", async () => {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/slow500`, { signal: controller.signal });
  const reading = readDefenderError(response);
  setTimeout(() => controller.abort(), 100);
  assert.equal((await rejection(reading)).name, "AbortError");
});

test("a closed port rejects with fetch's own error, recognised as a retryable network failure", async () => {
  const error = await rejection(withDefenderErrors(fetch)(await closedPortUrl()));
  assert.ok(error instanceof TypeError);
  assert.equal(isDefenderApiError(error), false);
  assert.equal(isNetworkError(error), true);
  assert.equal(isRetryable(error), true);
  assert.equal(retryDelayMs(error), undefined);
});

test("Retry-After as seconds", async () => {
  const sent = Date.now();
  const error = await rejection(withDefenderErrors(fetch)(`${server.url}/throttled?retryAfter=7`));
  const received = Date.now();
  assert.equal(error.status, 429);
  assert.equal(error.code, "TooManyRequests");
  assert.equal(error.target, target);
  assert.equal(error.retryAfter, 7);
  assert.equal(error.isRetryable, true);
  const delay = retryDelayMs(error, received);
  assert.ok(delay <= 7000 && delay >= 7000 - (received - sent), `delay ${delay}`);
  assert.equal(retryDelayMs(error, error.retryAfterDate.getTime() + 1), 0, "never negative");
});

test("Retry-After as an HTTP date, measured against the server's Date", async () => {
  const error = await rejection(withDefenderErrors(fetch)(`${server.url}/throttled?retryAfter=date30`));
  assert.equal(error.retryAfter, 30);
  const delay = retryDelayMs(error);
  assert.ok(delay > 29_000 && delay <= 30_000, `delay ${delay}`);
  assert.ok(error.retryAfterDate instanceof Date);
});

test("Retry-After that is not delta-seconds or an HTTP date is no delay at all", async () => {
  for (const garbage of ["1.5", "-1", "soon", "2026-01-01T00:00:00Z", "0x10", "", "1e3", "Thu, 31 Feb 2026 00:00:00 GMT"]) {
    const error = await rejection(withDefenderErrors(fetch)(`${server.url}/unavailable?retryAfter=${encodeURIComponent(garbage)}`));
    assert.equal(error.status, 503);
    assert.equal(error.retryAfter, undefined, garbage);
    assert.equal(error.retryAfterDate, undefined, garbage);
    assert.equal(retryDelayMs(error), undefined, garbage);
    assert.equal(error.isRetryable, true);
  }
});

test("a 404 and a 400 are not retryable; 408 and 5xx are", async () => {
  for (const [status, retryable] of [[400, false], [401, false], [404, false], [409, false], [408, true], [429, true], [500, true], [504, true]]) {
    const error = DefenderApiError.fromBody(status, { error: { code: "X", message: "m", target } });
    assert.equal(isRetryable(error), retryable, String(status));
  }
  assert.equal(isRetryable(new Error("boom")), false);
  assert.equal(isRetryable(undefined), false);
});

test("isDefenderApiError and instanceof answer for the CommonJS copy of the package too", async () => {
  const cjs = createRequire(import.meta.url)("../dist/cjs/index.js");
  assert.notEqual(cjs.DefenderApiError, DefenderApiError, "two copies of the class");
  const fromCjs = cjs.DefenderApiError.fromBody(404, { error: { code: "ResourceNotFound", message: "m", target } });
  const fromEsm = await readDefenderError(new Response(JSON.stringify({ error: { code: "ResourceNotFound", message: "m", target } }), { status: 404 }));
  assert.ok(isDefenderApiError(fromCjs));
  assert.ok(fromCjs instanceof DefenderApiError);
  assert.ok(cjs.isDefenderApiError(fromEsm));
  assert.ok(fromEsm instanceof cjs.DefenderApiError);
  assert.equal(isDefenderApiError({ name: "DefenderApiError", status: 404 }), false);
  assert.equal({ name: "DefenderApiError" } instanceof DefenderApiError, false);
  class Sub extends DefenderApiError {}
  assert.equal(fromEsm instanceof Sub, false, "a subclass keeps ordinary instanceof");
});

test("DefenderApiError.fromBody: a parsed envelope, its text, and what is not one", () => {
  const envelope = { error: { code: "ResourceNotFound", message: "Machine 1 was not found", target } };
  const parsed = DefenderApiError.fromBody(404, envelope, { "X-MS-Error-Code": "ResourceNotFound" }, { url: "https://api.test/m/1", method: "GET" });
  assert.deepEqual(
    { status: parsed.status, code: parsed.code, message: parsed.message, target: parsed.target, url: parsed.url, method: parsed.method, isEnvelope: parsed.isEnvelope },
    { status: 404, code: "ResourceNotFound", message: "Machine 1 was not found", target, url: "https://api.test/m/1", method: "GET", isEnvelope: true });
  assert.equal(DefenderApiError.fromBody(404, JSON.stringify(envelope)).target, target);

  const cause = new Error("the client's own error");
  const foreign = DefenderApiError.fromBody(429, { message: "slow down" }, { "x-ms-error-code": "TooManyRequests", "retry-after": "3" }, { cause });
  assert.equal(foreign.code, "TooManyRequests");
  assert.equal(foreign.target, undefined);
  assert.equal(foreign.rawBody, '{"message":"slow down"}');
  assert.equal(foreign.retryAfter, 3);
  assert.equal(foreign.cause, cause);
  assert.equal(DefenderApiError.fromBody(502, html, new Headers({ "content-type": "text/html" })).rawBody, html);
  assert.equal(DefenderApiError.fromBody(503, undefined).rawBody, "");
});
