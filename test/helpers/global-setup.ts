import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    newest = Math.max(newest, item.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Tests that run `bin/sigil.cjs` as a real process need lib/ to match src/: build when stale. */
export default function setup(): void {
  let built = 0;
  try {
    built = statSync(join(ROOT, "lib/sigil.cjs")).mtimeMs;
  } catch {}
  if (built < newestMtime(join(ROOT, "src"))) {
    execFileSync(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      { cwd: ROOT, stdio: "inherit" },
    );
  }
}
