// The package against the running sample (started by the C# test on Kestrel): plain fetch and openapi-fetch.
import { test } from "node:test";
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import { DefenderApiError, defenderErrorMiddleware, readDefenderError, withDefenderErrors } from "../dist/index.js";
import { api, guid, machineId, missingId, needsSample, rateLimitedApi, recordTarget } from "./support.js";

const reader = { Authorization: "Bearer dev-reader" };
const admin = { Authorization: "Bearer dev-admin", "Content-Type": "application/json" };

/** Asserts a rejection is the expected DefenderApiError read from the body and returns it. */
async function rejectsWith(promise, status, code, message) {
  let caught;
  await assert.rejects(promise, (e) => { caught = e; return e instanceof DefenderApiError; });
  assert.equal(caught.status, status);
  assert.equal(caught.code, code);
  if (message !== undefined) assert.equal(caught.message, message);
  assert.match(caught.target, guid);
  recordTarget(caught.target);
  return caught;
}

test("fetch wrapper: a success is the response, untouched", needsSample, async () => {
  const response = await withDefenderErrors()(`${api}/api/machines/${machineId}`, { headers: reader });
  assert.equal(response.status, 200);
  assert.equal((await response.json()).id, machineId);
});

test("fetch wrapper: 404 ResourceNotFound, with the request and the response", needsSample, async () => {
  const error = await rejectsWith(withDefenderErrors()(`${api}/api/machines/${missingId}`, { headers: reader }),
    404, "ResourceNotFound", `Machine ${missingId} was not found`);
  assert.equal(error.url, `${api}/api/machines/${missingId}`);
  assert.equal(error.method, "GET");
  assert.equal(error.response.status, 404);
  assert.equal(error.headers.get("x-ms-error-code"), "ResourceNotFound");
  assert.equal(error.isRetryable, false);
});

test("fetch wrapper: 400 MissingRequiredParameter for a wrong-case body", needsSample, async () => {
  await rejectsWith(
    withDefenderErrors()(`${api}/api/machines/${machineId}/isolate`, { method: "POST", headers: admin, body: JSON.stringify({ comment: "Contain" }) }),
    400, "MissingRequiredParameter", "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.");
});

test("fetch wrapper: 401 Unauthorized without a token", needsSample, async () => {
  await rejectsWith(withDefenderErrors()(`${api}/api/machines`), 401, "Unauthorized", "Unauthorized");
});

test("fetch wrapper: 429 TooManyRequests with retryAfter from Retry-After", needsSample, async () => {
  const call = () => withDefenderErrors()(`${rateLimitedApi}/api/machines/${machineId}`, { headers: { Authorization: "Bearer dev-nolive" } });
  await call().catch(() => undefined); // the one call the window allows (or already a 429 from an earlier test)
  const error = await rejectsWith(call(), 429, "TooManyRequests");
  assert.ok(Number.isInteger(error.retryAfter) && error.retryAfter > 0, `retryAfter ${error.retryAfter}`);
  assert.equal(error.isRetryable, true);
});

test("readDefenderError on a raw fetch response", needsSample, async () => {
  const response = await fetch(`${api}/api/machines/${missingId}`, { headers: reader });
  const error = await readDefenderError(response);
  assert.equal(error?.code, "ResourceNotFound");
  assert.match(recordTarget(error?.target ?? ""), guid);
  assert.equal((await response.json()).error.target, error?.target);
});

test("openapi-fetch middleware: a success resolves with data", needsSample, async () => {
  const client = createClient({ baseUrl: api, headers: reader });
  client.use(defenderErrorMiddleware());
  const { data, response } = await client.GET("/api/machines/{id}", { params: { path: { id: machineId } } });
  assert.equal(response.status, 200);
  assert.equal(data.id, machineId);
});

test("openapi-fetch middleware: 404 rejects with DefenderApiError", needsSample, async () => {
  const client = createClient({ baseUrl: api, headers: reader });
  client.use(defenderErrorMiddleware());
  const error = await rejectsWith(client.GET("/api/machines/{id}", { params: { path: { id: missingId } } }), 404, "ResourceNotFound");
  assert.equal(error.request.method, "GET");
  assert.equal(error.url, `${api}/api/machines/${missingId}`);
});

test("openapi-fetch middleware: 400 wrong-case body rejects with MissingRequiredParameter", needsSample, async () => {
  const client = createClient({ baseUrl: api, headers: admin });
  client.use(defenderErrorMiddleware());
  await rejectsWith(client.POST("/api/machines/{id}/isolate", { params: { path: { id: machineId } }, body: { comment: "Contain" } }),
    400, "MissingRequiredParameter", "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.");
});

test("openapi-fetch middleware: 401 rejects with Unauthorized", needsSample, async () => {
  const client = createClient({ baseUrl: api });
  client.use(defenderErrorMiddleware());
  await rejectsWith(client.GET("/api/machines"), 401, "Unauthorized");
});
