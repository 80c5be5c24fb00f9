// Every request and success body of the document has a real schema: a body that says nothing is `unknown` in both
// generators, and indexing it below fails the strict compile. The run-time half reads the list routes' typed pages.
import { test } from "node:test";
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";
import { createClient as createHeyClient, createConfig } from "./hey/client/index.js";
import { listIndicators, listMachines } from "./hey/sdk.gen.js";
import type * as Hey from "./hey/types.gen.js";
import { api } from "./support.js";

type Schemas = components["schemas"];

// Request bodies, with the members' case-sensitive names as the binder enforces them.
export type RequestMembers = [
  Schemas["IsolateRequest"]["Comment"],
  Schemas["UnisolateRequest"]["Comment"],
  Schemas["LiveResponseRequest"]["Commands"],
  Schemas["ImportIndicatorsRequest"]["Indicators"],
  Schemas["IndicatorRequest"]["indicatorValue"],
  Hey.IsolateRequest["Comment"],
  Hey.LiveResponseRequest["Commands"],
  Hey.ImportIndicatorsRequest["Indicators"],
];

// Success bodies.
export type ResponseMembers = [
  Schemas["MachineAction"]["id"],
  Schemas["Indicator"]["indicatorValue"],
  NonNullable<paths["/api/indicators/import"]["post"]["responses"][200]["content"]["application/json"]["value"]>,
  Hey.ImportIndicatorsResponse["value"],
];

const reader = { Authorization: "Bearer dev-reader" };

test("openapi-fetch: the list pages arrive typed", async () => {
  const client = createClient<paths>({ baseUrl: api, headers: reader });
  const machines = await client.GET("/api/machines", {});
  const machine: Schemas["Machine"] | undefined = machines.data?.value?.[0];
  assert.equal(typeof machine?.id, "string");
  const indicators = await client.GET("/api/indicators", {});
  const indicator: Schemas["Indicator"] | undefined = indicators.data?.value?.[0];
  assert.equal(typeof indicator?.indicatorValue, "string");
});

test("hey-api: the list pages arrive typed", async () => {
  const client = createHeyClient(createConfig({ baseUrl: api, headers: reader }));
  const machines = await listMachines({ client });
  const machine: Hey.Machine | undefined = machines.data?.value?.[0];
  assert.equal(typeof machine?.id, "string");
  const indicators = await listIndicators({ client });
  const indicator: Hey.Indicator | undefined = indicators.data?.value?.[0];
  assert.equal(typeof indicator?.indicatorValue, "string");
});
