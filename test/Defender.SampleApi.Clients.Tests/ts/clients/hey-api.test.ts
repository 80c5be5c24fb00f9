// The @hey-api/openapi-ts SDK, generated from one served document (generate.mjs), compiled with --strict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient, createConfig } from "./hey/client/index.js";
import { getMachine, isolateMachine } from "./hey/sdk.gen.js";
import type { DefenderError, DefenderErrorCode, IsolateRequest, Machine } from "./hey/types.gen.js";
import { api, guid, machineId, missingId, rateLimitedApi, recordTarget, wrongCaseMessage } from "./support.js";

const clientFor = (baseUrl: string, token?: string) =>
  createClient(createConfig({ baseUrl, ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}) }));
const reader = clientFor(api, "dev-reader");

/** The generated error type, with code, message and target read from the body. */
function assertError(error: DefenderError | undefined, code: DefenderErrorCode, message?: string): void {
  assert.ok(error, "expected an error body");
  const typedCode: DefenderErrorCode = error.error.code;
  assert.equal(typedCode, code);
  if (message !== undefined) assert.equal(error.error.message, message);
  assert.match(recordTarget(error.error.target), guid);
}

test("hey-api: a machine arrives typed", async () => {
  const { data, error, response } = await getMachine({ client: reader, path: { id: machineId } });
  assert.equal(response?.status, 200);
  assert.equal(error, undefined);
  const machine: Machine | undefined = data;
  assert.equal(machine?.id, machineId);
  assert.equal(typeof machine?.computerDnsName, "string");
});

test("hey-api: 404 is the generated DefenderError (ResourceNotFound)", async () => {
  const { data, error, response } = await getMachine({ client: reader, path: { id: missingId } });
  assert.equal(response?.status, 404);
  assert.equal(data, undefined);
  assertError(error, "ResourceNotFound", `Machine ${missingId} was not found`);
});

test("hey-api: 400 MissingRequiredParameter for a wrong-case body", async () => {
  const body = { comment: "Contain" } as unknown as IsolateRequest;
  const { error, response } = await isolateMachine({ client: clientFor(api, "dev-admin"), path: { id: machineId }, body });
  assert.equal(response?.status, 400);
  assertError(error, "MissingRequiredParameter", wrongCaseMessage);
});

test("hey-api: 401 Unauthorized without a token", async () => {
  const { error, response } = await getMachine({ client: clientFor(api), path: { id: machineId } });
  assert.equal(response?.status, 401);
  assertError(error, "Unauthorized", "Unauthorized");
});

test("hey-api: 429 TooManyRequests with Retry-After", async () => {
  const limited = clientFor(rateLimitedApi, "dev-admin");
  await getMachine({ client: limited, path: { id: machineId } }); // the one call the window allows
  const { error, response } = await getMachine({ client: limited, path: { id: machineId } });
  assert.equal(response?.status, 429);
  assertError(error, "TooManyRequests");
  assert.match(response?.headers.get("Retry-After") ?? "", /^[1-9]\d*$/);
});

test("hey-api with throwOnError: an error rejects with the generated DefenderError body", async () => {
  let caught: unknown;
  await assert.rejects(getMachine({ client: reader, path: { id: missingId }, throwOnError: true }), (e: unknown) => { caught = e; return true; });
  assertError(caught as DefenderError, "ResourceNotFound");
});
