// pr-lane: wall time of the bundled pr-lane action (`node dist/pr-lane.js`, as the runner starts
// it) over the two example processors, and how much of it is spent outside the processors'
// own subprocesses (4 runs: 2 processors × 2 identical runs). Goal: own overhead ≤ 1000 ms.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runnerStep } from "./lib/runner-step.js";
import { fmt, median, timeMs } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COPIED = [
  "registry/processors",
  "processors/_runtime",
  "processors/llm/litellm",
  "processors/vision/replicate",
  ".github/sigil.yml",
];

export function main(runs = Number(process.env.BENCH_RUNS ?? 5)) {
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-pr-lane-"));
  try {
    const workspace = join(dir, "workspace");
    for (const rel of COPIED) {
      cpSync(join(ROOT, rel), join(workspace, rel), {
        recursive: true,
        filter: (p) => !p.includes("__pycache__"),
      });
    }
    const step = runnerStep(dir, workspace);
    const once = () => {
      step.reset();
      const wall = timeMs(() =>
        execFileSync(process.execPath, [join(ROOT, "dist/pr-lane.js")], {
          cwd: workspace,
          env: step.env,
          stdio: "ignore",
        }),
      );
      const report = JSON.parse(readFileSync(join(workspace, "artifacts/pr-lane/summary.json"), "utf8"));
      if (!report.ok) throw new Error("pr-lane failed during the benchmark");
      return { wall, processors: report.timing.processors_ms };
    };
    once(); // warm the file cache and Python's
    const samples = Array.from({ length: runs }, once);
    const total = median(samples.map((s) => s.wall));
    const processors = median(samples.map((s) => s.processors));
    const overhead = median(samples.map((s) => s.wall - s.processors));
    const line = `pr-lane: total ${fmt(total)}, processors ${fmt(processors)}, own overhead ${fmt(overhead)} (goal ≤ 1000 ms), share outside processors ${((overhead / total) * 100).toFixed(0)}%, medians of ${runs} runs`;
    console.log(line);
    return { totalMs: total, processorsMs: processors, overheadMs: overhead };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
