// An ES module in a Node project without the DOM lib: resolves to dist/index.d.ts through "exports" → "import".
import {
  DefenderApiError, defenderErrorMiddleware, isAbortError, isDefenderApiError, isNetworkError, isRetryable, readDefenderError,
  retryDelayMs, withDefenderErrors, type DefenderErrorCode,
} from "defender-errors";

const api = withDefenderErrors(fetch);
export async function load(url: string): Promise<unknown> {
  try {
    return await (await api(url, { headers: { accept: "application/json" } })).json();
  } catch (error) {
    if (isDefenderApiError(error)) {
      const code: DefenderErrorCode | (string & {}) | undefined = error.code;
      const delay: number | undefined = retryDelayMs(error);
      const method: string | undefined = error.method;
      return { code, delay, method, target: error.target, status: error.status, retryable: isRetryable(error) };
    }
    if (isAbortError(error) || isNetworkError(error)) return undefined;
    throw error;
  }
}

export const fromResponse = async (response: Response): Promise<DefenderApiError | undefined> => readDefenderError(response);
export const middleware = defenderErrorMiddleware();
export const fromBody: DefenderApiError = DefenderApiError.fromBody(404, { error: { code: "NotFound", message: "m", target: "t" } }, { "x-ms-error-code": "NotFound" });
