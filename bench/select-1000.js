// select-1000: the PR lane's plan step (the bundled pr-lane-matrix action, `step: plan`, as the
// runner starts it) on a registry of 1,000 processors: validate config and registry, select (all;
// and changed-only, after a commit touching 10 of them), chunk for the matrix.
// Goal: ≤ 1,500 ms per plan, so fanning out never costs more than one processor run.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runnerStep } from "./lib/runner-step.js";
import { fmt, median, timeMs } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PROCESSORS = 1000;

function git(cwd, ...args) {
  execFileSync("git", ["-c", "user.name=b", "-c", "user.email=b@example.com", ...args], {
    cwd,
    stdio: "ignore",
  });
}

function makeRepository(workspace) {
  mkdirSync(join(workspace, "registry/processors"), { recursive: true });
  mkdirSync(join(workspace, ".github"), { recursive: true });
  writeFileSync(join(workspace, ".github/sigil.yml"), "registry: registry/processors\n");
  for (let i = 0; i < PROCESSORS; i++) {
    const name = `p${String(i).padStart(4, "0")}`;
    mkdirSync(join(workspace, `processors/bench/${name}`), { recursive: true });
    writeFileSync(join(workspace, `processors/bench/${name}/main.py`), `print(${i})\n`);
    writeFileSync(
      join(workspace, `registry/processors/bench-${name}-v1.yaml`),
      `ref: bench/${name}@1\nimage: ghcr.io/acme/widgets/bench-${name}:dev\nsource: processors/bench/${name}\nentrypoint: [python3, main.py]\ntimeout_s: 60\n`,
    );
  }
  git(workspace, "init", "-q", "-b", "main");
  git(workspace, "add", "-A");
  git(workspace, "commit", "-q", "-m", "1,000 processors");
  const base = execFileSync("git", ["rev-parse", "HEAD"], { cwd: workspace, encoding: "utf8" }).trim();
  for (let i = 0; i < PROCESSORS; i += 100) {
    writeFileSync(
      join(workspace, `processors/bench/p${String(i).padStart(4, "0")}/main.py`),
      "print('changed')\n",
    );
  }
  git(workspace, "commit", "-q", "-am", "10 changed");
  return base;
}

export function main(runs = Number(process.env.BENCH_RUNS ?? 5)) {
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-select-"));
  try {
    const workspace = join(dir, "workspace");
    const base = makeRepository(workspace);
    const step = runnerStep(dir, workspace);
    const plan = (inputs) => {
      step.reset();
      const env = {
        ...step.env,
        INPUT_STEP: "plan",
        "INPUT_CHUNK-SIZE": "20",
        INPUT_REPOSITORY: "acme/widgets",
        ...inputs,
      };
      let wall = 0;
      try {
        wall = timeMs(() =>
          execFileSync(process.execPath, [join(ROOT, "dist/pr-lane-matrix.js")], {
            cwd: workspace,
            env,
            encoding: "utf8",
          }),
        );
      } catch (error) {
        throw new Error(`the plan failed: ${error.stdout}`);
      }
      // GITHUB_OUTPUT holds `name<<DELIMITER`, the value, then the delimiter.
      const count = /^count<<(\S+)\n(\d+)\n\1$/m.exec(readFileSync(step.output, "utf8"))?.[2];
      return { wall, count: Number(count) };
    };
    plan({}); // warm the file cache
    const all = Array.from({ length: runs }, () => plan({}));
    const changed = Array.from({ length: runs }, () =>
      plan({ "INPUT_CHANGED-ONLY": "true", "INPUT_BASE-REF": base }),
    );
    if (all[0].count !== PROCESSORS || changed[0].count !== 10) {
      throw new Error(`unexpected selection: ${all[0].count} and ${changed[0].count}`);
    }
    const allMs = median(all.map((s) => s.wall));
    const changedMs = median(changed.map((s) => s.wall));
    console.log(
      `select-1000: plan of ${PROCESSORS} processors ${fmt(allMs)} (all, 50 chunks), ${fmt(changedMs)} (changed-only, 10 selected) (goal ≤ 1500 ms), medians of ${runs} runs`,
    );
    return { allMs, changedMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
