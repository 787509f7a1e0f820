// `npm run bench`: runs every benchmark (or the ones named on the command line) and prints one
// comparable line each. Benchmarks are *.js files here exporting `main`. Each cleans its own temp
// dirs; the worlds they share in .bench/ are deleted at the end, whatever happened.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { removeBenchData, removeBenchDataOnSignal } from "./lib/world-10k.js";

const dir = fileURLToPath(new URL(".", import.meta.url));
const skip = new Set(["run.js", "stats.js"]); // bench/lib/ holds shared helpers, not benchmarks
const wanted = process.argv.slice(2);
const names = readdirSync(dir)
  .filter((n) => n.endsWith(".js") && !skip.has(n))
  .map((n) => n.replace(/\.js$/, ""))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();
removeBenchDataOnSignal();
try {
  for (const name of names) {
    const mod = await import(`./${name}.js`);
    if (typeof mod.main === "function") await mod.main();
  }
} finally {
  removeBenchData();
}
