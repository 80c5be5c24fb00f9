// Generates the TypeScript clients from one served document: openapi-typescript types (used with openapi-fetch) and an
// @hey-api/openapi-ts SDK. Usage: node generate.mjs <document URL> <output folder>
import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { createClient } from "@hey-api/openapi-ts";

const [url, out] = process.argv.slice(2);
if (!url || !out) throw new Error("usage: node generate.mjs <document URL> <output folder>");

await mkdir(out, { recursive: true });
await writeFile(join(out, "schema.d.ts"), astToString(await openapiTS(new URL(url))));
await createClient({
  input: url,
  output: { path: join(out, "hey"), importFileExtension: ".js" },
  logs: { level: "silent" },
});
