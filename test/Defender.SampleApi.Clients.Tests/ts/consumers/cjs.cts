// A CommonJS module in the same project: resolves to dist/cjs/index.d.ts through "exports" → "require".
import errors = require("defender-errors");

export function describe(error: unknown): string {
  return errors.isDefenderApiError(error) ? `${error.status} ${error.code ?? "?"} ${error.target ?? ""}` : String(error);
}

export const wrapped: typeof fetch = errors.withDefenderErrors(fetch);
export const retryable: boolean = errors.isRetryable(errors.DefenderApiError.fromBody(503, ""));
