// Shared by the tests: the sample's addresses (set by the C# test that starts it) and a record of every target seen.
import { appendFileSync } from "node:fs";

export const api = process.env.DEFENDER_API_URL;
export const rateLimitedApi = process.env.DEFENDER_RATE_LIMITED_API_URL;
export const needsSample = api && rateLimitedApi ? {} : { skip: "DEFENDER_API_URL / DEFENDER_RATE_LIMITED_API_URL not set (dotnet test starts the sample and sets them)" };
export const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const machineId = "188f657e6e881ed9209b8867ebe514e532a664ca";
export const missingId = "0000000000000000000000000000000000000000";

/** Notes a target so the C# side can find it in the server's log. */
export function recordTarget(target) {
  if (process.env.DEFENDER_TARGETS_FILE) appendFileSync(process.env.DEFENDER_TARGETS_FILE, target + "\n");
  return target;
}
