// verify-10k: `sigil verify` over a 10,000-run world against the floor of hashing the same files
// with OpenSSL (`find … -print0 | xargs -0 openssl dgst -sha256`: accelerated sha256 plus the
// same I/O). Goal: ≤ 1.5× the floor, peak RSS < 300 MB.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runStandalone, world10k } from "./lib/world-10k.js";
import { fmt, median, timeMs } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function verifyOnce(world) {
  // GNU time reports the child's peak RSS; without it, the wall time alone is printed.
  const time = existsSync("/usr/bin/time")
    ? ["/usr/bin/time", ["-f", "%M", process.execPath]]
    : [process.execPath, []];
  let rssKb;
  const ms = timeMs(() => {
    const result = spawnSync(time[0], [...time[1], join(ROOT, "bin/sigil.cjs"), "verify", world, "--json"], {
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`sigil verify failed: ${result.stdout.slice(0, 300)}`);
    rssKb = Number(result.stderr.trim().split("\n").at(-1));
  });
  return { ms, rssKb };
}

export function main(runs = Number(process.env.BENCH_REPEAT ?? 3)) {
  const world = world10k();
  const floor = () =>
    execFileSync("sh", ["-c", "find . -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null"], {
      cwd: world,
    });
  floor(); // warm the page cache for both sides
  const floorMs = [];
  const verify = [];
  for (let i = 0; i < runs; i++) {
    floorMs.push(timeMs(floor));
    verify.push(verifyOnce(world));
  }
  const [v, f] = [median(verify.map((r) => r.ms)), median(floorMs)];
  const rss = Math.max(...verify.map((r) => r.rssKb || 0));
  console.log(
    `verify-10k: sigil verify median ${fmt(v)}, openssl floor median ${fmt(f)}, ratio ${(v / f).toFixed(2)}x (goal ≤ 1.5x), peak RSS ${rss ? `${(rss / 1024).toFixed(0)} MB` : "n/a"} (goal < 300 MB), 10,000 runs / 80,000 files`,
  );
  return { verifyMs: v, floorMs: f, rssKb: rss };
}

if (import.meta.url === `file://${process.argv[1]}`) await runStandalone(main);
