// replay: median wall time of replaying an existing governed run against a fresh execution of
// the same brief (examples/briefs/instagram-copy.yaml, mock, in-process, compiled lib/).
// Goal: replay ≤ 25% of a fresh execution, and no child process during a replay.
// In-process on purpose: node's own start-up (~100 ms) is the same for both and would hide
// what admission, the replay check and the processor actually cost.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fmt, median } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BRIEF = join(ROOT, "examples/briefs/instagram-copy.yaml");

async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export async function main(runs = Number(process.env.BENCH_RUNS ?? 15)) {
  const lib = (path) => import(pathToFileURL(join(ROOT, "lib", path)).href);
  const { runJob } = await lib("jobs/index.js");
  const { silentLogger, spawnProcess } = await lib("core/index.js");
  let spawned = 0;
  const deps = {
    repoRoot: ROOT,
    registryDir: join(ROOT, "registry/processors"),
    doctrineDir: join(ROOT, "doctrine"),
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp" },
    logger: silentLogger,
    spawn: (request) => {
      spawned++;
      return spawnProcess(request);
    },
  };
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-replay-"));
  try {
    const propose = (world) => runJob({ briefPath: BRIEF, world: join(dir, world), mode: "mock" }, deps);
    await propose("warm");
    await propose("warm");
    const fresh = [];
    const replay = [];
    let replaySpawns = 0;
    for (let i = 0; i < runs; i++) {
      // Interleaved, so drift in machine load hits both sides alike.
      const first = await timed(() => propose(`w${i}`));
      if (first.value.replayed_from !== undefined) throw new Error("a fresh world replayed");
      fresh.push(first.ms);
      const before = spawned;
      const again = await timed(() => propose(`w${i}`));
      if (again.value.replayed_from !== first.value.run_id)
        throw new Error("the second proposal did not replay");
      replaySpawns += spawned - before;
      replay.push(again.ms);
    }
    const [f, r] = [median(fresh), median(replay)];
    const line = `replay: fresh median ${fmt(f)}, replay median ${fmt(r)}, ratio ${(r / f).toFixed(3)} (goal ≤ 0.25), child processes during replay: ${replaySpawns}, runs ${runs} each`;
    console.log(line);
    return { freshMs: f, replayMs: r, ratio: r / f, replaySpawns };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
