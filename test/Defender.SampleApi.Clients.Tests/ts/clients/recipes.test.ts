// The recipes of docs/clients.md, each run as written: against the sample (404 with its target) and against a fake server on
// 127.0.0.1 that counts what it receives (a 429 with Retry-After: 1 once, then the machine).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { QueryClient } from "@tanstack/query-core";
import ky, { isHTTPError } from "ky";
import { FetchError, ofetch } from "ofetch";
import createClient from "openapi-fetch";
import {
  DefenderApiError, defenderErrorMiddleware, isDefenderApiError, isRetryable, parseRetryAfter, retryDelayMs, withDefenderErrors,
} from "defender-errors";
import { createClient as createHeyClient, createConfig } from "./hey/client/index.js";
import { getMachine } from "./hey/sdk.gen.js";
import type { paths } from "./schema.js";
import { api, guid, machineId, missingId, recordTarget } from "./support.js";

// TanStack Query: every query's error is a DefenderApiError (the "typed default error").
declare module "@tanstack/query-core" {
  interface Register {
    defaultError: DefenderApiError;
  }
}

const target = "43f4cb08-8fac-4b65-9db1-745c2ae65f3a";
const reader = { Authorization: "Bearer dev-reader" };
const received = new Map<string, number>();
let fake: Server;
let fakeUrl: string;

before(async () => {
  // /throttled-once/{run}: 429 TooManyRequests with Retry-After: 1 the first time, then a machine.
  fake = createServer((request, response) => {
    const key = `${request.method} ${request.url}`;
    const count = (received.get(key) ?? 0) + 1;
    received.set(key, count);
    if (request.url?.startsWith("/throttled-once/") && count === 1) {
      response.writeHead(429, { "content-type": "application/json", "retry-after": "1", "x-ms-error-code": "TooManyRequests" })
        .end(JSON.stringify({ error: { code: "TooManyRequests", message: "Too many requests.", target } }));
    } else {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: machineId }));
    }
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
});
after(() => { fake.closeAllConnections(); fake.close(); });

const run = () => Math.random().toString(36).slice(2);

/** Asserts the error the sample gave for the missing machine: 404 ResourceNotFound with its target (found in the log by the C# side). */
function assertNotFound(error: unknown): asserts error is DefenderApiError {
  assert.ok(isDefenderApiError(error), `not a DefenderApiError: ${String(error)}`);
  assert.equal(error.status, 404);
  assert.equal(error.code, "ResourceNotFound");
  assert.equal(error.isRetryable, false);
  assert.match(recordTarget(error.target ?? ""), guid);
}

// --- TanStack Query -------------------------------------------------------------------------------------------------------
const defenderFetch = withDefenderErrors(fetch);
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failureCount, error) => failureCount < 3 && isRetryable(error),
      retryDelay: (attempt, error) => retryDelayMs(error) ?? Math.min(1000 * 2 ** attempt, 30_000),
    },
  },
});

test("TanStack Query: a 404 is fetched once and is the typed DefenderApiError", async () => {
  let calls = 0;
  const queryKey = ["machine", missingId];
  await assert.rejects(queryClient.fetchQuery({
    queryKey,
    queryFn: async () => { calls++; return (await defenderFetch(`${api}/api/machines/${missingId}`, { headers: reader })).json(); },
  }), (e: unknown) => { assertNotFound(e); return true; });
  assert.equal(calls, 1);
  const error: DefenderApiError | null = queryClient.getQueryState(queryKey)?.error ?? null;
  assert.equal(error?.status, 404);
});

test("TanStack Query: a 429 is retried after its Retry-After", async () => {
  const path = `/throttled-once/${run()}`;
  const started = Date.now();
  const machine = await queryClient.fetchQuery({
    queryKey: ["throttled", path],
    queryFn: async () => (await defenderFetch(fakeUrl + path)).json() as Promise<{ id: string }>,
  });
  assert.equal(machine.id, machineId);
  assert.equal(received.get(`GET ${path}`), 2);
  assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
});

// --- ky ---------------------------------------------------------------------------------------------------------------------
// ky retries 408/413/429/5xx itself and waits Retry-After; beforeError turns its HTTPError (body already read) into ours.
const kyApi = ky.create({
  retry: { limit: 2 },
  hooks: {
    beforeError: [({ error, request }) => isHTTPError(error)
      ? DefenderApiError.fromBody(error.response.status, error.data, error.response.headers, { request, response: error.response, cause: error })
      : error],
  },
});

test("ky: a 404 is a DefenderApiError with its request", async () => {
  await assert.rejects(kyApi.get(`${api}/api/machines/${missingId}`, { headers: reader }).json(), (e: unknown) => {
    assertNotFound(e);
    assert.equal(e.method, "GET");
    assert.equal(e.url, `${api}/api/machines/${missingId}`);
    return true;
  });
});

test("ky: a 429 is retried after its Retry-After", async () => {
  const path = `/throttled-once/${run()}`;
  assert.deepEqual(await kyApi.get(fakeUrl + path).json(), { id: machineId });
  assert.equal(received.get(`GET ${path}`), 2);
});

// --- ofetch -----------------------------------------------------------------------------------------------------------------
// ofetch retries the listed statuses; its delay reads Retry-After; the caught FetchError (body in .data) becomes ours.
const ofetchRaw = ofetch.create({
  retry: 2,
  retryStatusCodes: [408, 429, 500, 502, 503, 504],
  retryDelay: ({ response }) => (parseRetryAfter(response?.headers.get("retry-after")) ?? 0.5) * 1000,
});
async function ofetchApi<T>(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<T> {
  try {
    return await ofetchRaw<T>(url, options);
  } catch (error) {
    if (error instanceof FetchError && error.response) {
      throw DefenderApiError.fromBody(error.response.status, error.data, error.response.headers,
        { response: error.response, url, method: options.method ?? "GET", cause: error });
    }
    throw error;
  }
}

test("ofetch: a 404 is a DefenderApiError built from the body ofetch already read", async () => {
  await assert.rejects(ofetchApi(`${api}/api/machines/${missingId}`, { headers: reader }), (e: unknown) => {
    assertNotFound(e);
    assert.ok(e.cause instanceof FetchError);
    return true;
  });
});

test("ofetch: a 429 is retried after its Retry-After", async () => {
  const path = `/throttled-once/${run()}`;
  const started = Date.now();
  assert.deepEqual(await ofetchApi(fakeUrl + path), { id: machineId });
  assert.equal(received.get(`GET ${path}`), 2);
  assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
});

// --- openapi-fetch ------------------------------------------------------------------------------------------------------------
test("openapi-fetch: the middleware rejects with a DefenderApiError carrying the request", async () => {
  const client = createClient<paths>({ baseUrl: api, headers: reader });
  client.use(defenderErrorMiddleware());
  await assert.rejects(client.GET("/api/machines/{id}", { params: { path: { id: missingId } } }), (e: unknown) => {
    assertNotFound(e);
    assert.equal(e.request?.method, "GET");
    return true;
  });
});

// --- @hey-api/openapi-ts --------------------------------------------------------------------------------------------------------
test("@hey-api: an error interceptor makes every error a DefenderApiError, returned or thrown", async () => {
  const client = createHeyClient(createConfig({ baseUrl: api, headers: reader }));
  client.interceptors.error.use((error, response, request) =>
    response ? DefenderApiError.fromBody(response.status, error, response.headers, { request, response }) : error);

  const { error } = await getMachine({ client, path: { id: missingId } });
  assertNotFound(error);
  await assert.rejects(getMachine({ client, path: { id: missingId }, throwOnError: true }), (e: unknown) => {
    assertNotFound(e);
    assert.equal(e.url, `${api}/api/machines/${missingId}`);
    return true;
  });
});
