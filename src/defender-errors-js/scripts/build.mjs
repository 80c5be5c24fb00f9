// Builds both module formats: ESM in dist/, CommonJS in dist/cjs/ (marked as such by its own package.json, so Node and
// TypeScript read dist/cjs/*.js and *.d.ts as CommonJS whatever the root package.json says).
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync("dist", { recursive: true, force: true });
for (const project of ["tsconfig.json", "tsconfig.cjs.json"]) {
  execFileSync(process.execPath, [tsc, "-p", project], { stdio: "inherit" });
}
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
