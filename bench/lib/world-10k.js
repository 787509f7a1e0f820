// The 10,000-run world the verify and reindex benchmarks share: generated once into
// .bench/world-10k (about 4 snapshots of ~2 KB and 3 outputs of ~10 KB per run), then reused.
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticWorld } from "./synthetic-world.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Bump when the generator changes, so a stale cached world is rebuilt. */
const GENERATION = "v2";

export function world10k(runs = 10_000) {
  const dir = join(ROOT, ".bench", `world-${runs}`);
  const stamp = join(dir, `.generated-${GENERATION}`);
  if (existsSync(stamp)) return dir;
  rmSync(dir, { recursive: true, force: true });
  const temp = `${dir}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  process.stderr.write(`generating a ${runs}-run world in ${dir} (once)…\n`);
  writeSyntheticWorld(temp, { runs, snapshotsPerRun: 4, snapshotBytes: 2048, outputsPerRun: 3, outputBytes: 10_240 });
  writeFileSync(join(temp, `.generated-${GENERATION}`), "");
  renameSync(temp, dir);
  return dir;
}
