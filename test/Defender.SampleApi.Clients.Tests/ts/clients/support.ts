// Shared by the generated-client tests: the sample's addresses (set by the C# test that starts it) and a record of targets.
import { appendFileSync } from "node:fs";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (dotnet test starts the sample and sets it)`);
  return value;
}

export const api = required("DEFENDER_API_URL");
export const rateLimitedApi = required("DEFENDER_RATE_LIMITED_API_URL");
export const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const machineId = "188f657e6e881ed9209b8867ebe514e532a664ca";
export const missingId = "0000000000000000000000000000000000000000";
export const wrongCaseMessage = "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.";

/** Notes a target so the C# side can find it in the server's log. */
export function recordTarget(target: string): string {
  const file = process.env["DEFENDER_TARGETS_FILE"];
  if (file) appendFileSync(file, target + "\n");
  return target;
}
