// openapi-typescript types + openapi-fetch, generated from one served document (generate.mjs), compiled with --strict.
import { test } from "node:test";
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import { DefenderApiError, defenderErrorMiddleware } from "defender-errors";
import type { components, paths } from "./schema.js";
import { api, guid, machineId, missingId, rateLimitedApi, recordTarget, wrongCaseMessage } from "./support.js";

type Machine = components["schemas"]["Machine"];
type DefenderError = components["schemas"]["DefenderError"];
type DefenderErrorCode = components["schemas"]["DefenderErrorCode"];
type IsolateRequest = components["schemas"]["IsolateRequest"];

const reader = createClient<paths>({ baseUrl: api, headers: { Authorization: "Bearer dev-reader" } });
const admin = createClient<paths>({ baseUrl: api, headers: { Authorization: "Bearer dev-admin" } });

/** The generated error type, with code, message and target read from the body. */
function assertError(error: DefenderError | undefined, code: DefenderErrorCode, message?: string): void {
  assert.ok(error, "expected an error body");
  const typedCode: DefenderErrorCode = error.error.code;
  assert.equal(typedCode, code);
  if (message !== undefined) assert.equal(error.error.message, message);
  assert.match(recordTarget(error.error.target), guid);
}

test("openapi-fetch: a machine arrives typed", async () => {
  const { data, error, response } = await reader.GET("/api/machines/{id}", { params: { path: { id: machineId } } });
  assert.equal(response.status, 200);
  assert.equal(error, undefined);
  const machine: Machine | undefined = data;
  const name: string | null | undefined = machine?.computerDnsName;
  assert.equal(machine?.id, machineId);
  assert.equal(typeof name, "string");
});

test("openapi-fetch: 404 is the generated DefenderError (ResourceNotFound)", async () => {
  const { data, error, response } = await reader.GET("/api/machines/{id}", { params: { path: { id: missingId } } });
  assert.equal(response.status, 404);
  assert.equal(data, undefined);
  assertError(error, "ResourceNotFound", `Machine ${missingId} was not found`);
});

test("openapi-fetch: 400 MissingRequiredParameter for a wrong-case body", async () => {
  // A caller's bug the types would catch: the member is Comment.
  const body = { comment: "Contain" } as unknown as IsolateRequest;
  const { error, response } = await admin.POST("/api/machines/{id}/isolate", { params: { path: { id: machineId } }, body });
  assert.equal(response.status, 400);
  assertError(error, "MissingRequiredParameter", wrongCaseMessage);
});

test("openapi-fetch: 401 Unauthorized without a token", async () => {
  const { error, response } = await createClient<paths>({ baseUrl: api }).GET("/api/machines/{id}", { params: { path: { id: machineId } } });
  assert.equal(response.status, 401);
  assertError(error, "Unauthorized", "Unauthorized");
});

test("openapi-fetch: 429 TooManyRequests with Retry-After", async () => {
  const limited = createClient<paths>({ baseUrl: rateLimitedApi, headers: { Authorization: "Bearer dev-reader" } });
  await limited.GET("/api/machines/{id}", { params: { path: { id: machineId } } }); // the one call the window allows
  const { error, response } = await limited.GET("/api/machines/{id}", { params: { path: { id: machineId } } });
  assert.equal(response.status, 429);
  assertError(error, "TooManyRequests");
  assert.match(response.headers.get("Retry-After") ?? "", /^[1-9]\d*$/);
});

test("openapi-fetch with defenderErrorMiddleware: an error rejects as DefenderApiError", async () => {
  const client = createClient<paths>({ baseUrl: api, headers: { Authorization: "Bearer dev-reader" } });
  client.use(defenderErrorMiddleware());
  const call = client.GET("/api/machines/{id}", { params: { path: { id: missingId } } });
  await assert.rejects(call, (e: unknown) =>
    e instanceof DefenderApiError && e.status === 404 && e.code === "ResourceNotFound" && guid.test(recordTarget(e.target ?? "")));
});
