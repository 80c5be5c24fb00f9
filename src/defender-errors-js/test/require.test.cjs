// The CommonJS build, as a project without "type": "module" loads it: require() by the package's name.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { DefenderApiError, isDefenderApiError, readDefenderError, withDefenderErrors, defenderErrorStatuses } = require("defender-errors");

test("require('defender-errors') is the CommonJS build, with every export", async () => {
  assert.equal(require.resolve("defender-errors"), require.resolve("../dist/cjs/index.js"));
  assert.equal(typeof withDefenderErrors, "function");
  assert.equal(defenderErrorStatuses.TooManyRequests, 429);
  const error = await readDefenderError(new Response('{"error":{"code":"Unauthorized","message":"Unauthorized","target":"43f4cb08-8fac-4b65-9db1-745c2ae65f3a"}}', { status: 401 }));
  assert.ok(error instanceof DefenderApiError);
  assert.ok(isDefenderApiError(error));
  assert.equal(error.code, "Unauthorized");
});

test("import('defender-errors') from CommonJS is the ESM build, and the two recognise each other's errors", async () => {
  const esm = await import("defender-errors");
  assert.notEqual(esm.DefenderApiError, DefenderApiError);
  const error = esm.DefenderApiError.fromBody(500, "");
  assert.ok(error instanceof DefenderApiError);
  assert.ok(isDefenderApiError(error));
});
