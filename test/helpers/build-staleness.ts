import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What `npm run build` reads: the sources, the build scripts and their configuration. */
export const BUILD_INPUTS = [
  "src",
  "scripts/build-cli.js",
  "scripts/imported-for-effect.js",
  "scripts/esbuild-plugins.js",
  "tsconfig.build.json",
  "tsconfig.json",
  "package.json",
] as const;

/**
 * Outputs every build rewrites: both esbuild bundles and one tsc file (tsc, not incremental here,
 * rewrites all its outputs on every run, so one stands for the rest).
 */
export const BUILD_OUTPUTS = ["lib/sigil.cjs", "lib/verify-worker.cjs", "lib/cli/main.js"] as const;

/** Newest modification time of a file, or of any file under a directory; 0 when missing. */
export function newestMtime(path: string): number {
  let stat: import("node:fs").Stats;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * Why lib/ no longer matches what `npm run build` would make of the tree under `root`, or
 * undefined when it does: an output is missing, or an input is newer than the oldest output.
 */
export function buildStaleness(
  root: string,
  inputs: readonly string[] = BUILD_INPUTS,
  outputs: readonly string[] = BUILD_OUTPUTS,
): string | undefined {
  let oldest = Number.POSITIVE_INFINITY;
  for (const output of outputs) {
    let mtime: number;
    try {
      mtime = statSync(join(root, output)).mtimeMs;
    } catch {
      return `${output} is missing`;
    }
    oldest = Math.min(oldest, mtime);
  }
  for (const input of inputs) {
    if (newestMtime(join(root, input)) > oldest) return `${input} changed after the last build`;
  }
  return undefined;
}
