import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildStaleness } from "./build-staleness.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Tests run `bin/sigil.cjs` (the esbuild bundle) and lib/ as real processes, so lib/ must match
 * src/: when anything the build reads changed since, run the same `npm run build` as package.json.
 */
export default function setup(): void {
  const reason = buildStaleness(ROOT);
  if (reason === undefined) return;
  process.stderr.write(`global setup: ${reason}; running npm run build\n`);
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
}
