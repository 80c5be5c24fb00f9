// Generates the TypeScript clients from one served document: openapi-typescript types (used with openapi-fetch) and an
// @hey-api/openapi-ts SDK — next to copies of the tests in clients/ and a strict tsconfig that compiles them all to <output>/js.
// Usage: node generate.mjs <document URL> <output folder>
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
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

const here = dirname(fileURLToPath(import.meta.url));
for (const file of await readdir(join(here, "clients"))) {
  await copyFile(join(here, "clients", file), join(out, file));
}
await writeFile(join(out, "tsconfig.json"), JSON.stringify({
  extends: relative(out, join(here, "tsconfig.base.json")).replaceAll("\\", "/"),
  compilerOptions: { rootDir: ".", outDir: "js" },
  include: ["*.ts", "hey/**/*.ts"],
}, null, 2));
