// run-overhead: median wall time of `sigil run` (bundled CLI, local adapter, mock) against its
// floor measured in the same run: `node -e 0` (a Node process can start no faster) plus the same
// processor run directly with python3 on the same inputs. Goal: sigil ≤ 1.25× the floor.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median, timeMs } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const INPUTS = {
  schema: "v1",
  params: { messages: [{ role: "user", content: "hi" }] },
  files: {},
  mode: "mock",
};

export function main(runs = Number(process.env.BENCH_RUNS ?? 15)) {
  const world = mkdtempSync(join(tmpdir(), "sigil-bench-"));
  try {
    const inputsFile = join(world, "inputs.json");
    writeFileSync(inputsFile, JSON.stringify(INPUTS));
    // The source digest cache lives in the bench's own temp dir: warm after the first run, and
    // removed with it.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? "/tmp",
      XDG_CACHE_HOME: join(world, "cache"),
      // An A/B of the pre-started interpreter (docs/performance.md).
      ...(process.env.SIGIL_NO_PREWARM ? { SIGIL_NO_PREWARM: process.env.SIGIL_NO_PREWARM } : {}),
    };
    const sigil = (i) =>
      execFileSync(
        process.execPath,
        [
          join(ROOT, "bin/sigil.cjs"),
          "run",
          "--ref",
          "llm/litellm@1",
          "--adapter",
          "local",
          "--mode",
          "mock",
          "--root",
          ROOT,
          "--world",
          world,
          "--write-prefix",
          join(world, `s/${i}/{execution_id}`),
          "--inputs-file",
          inputsFile,
          "--json",
        ],
        { env, stdio: ["ignore", "pipe", "ignore"] },
      );
    const direct = (i) =>
      execFileSync(
        "python3",
        [
          "main.py",
          "--inputs",
          inputsFile,
          "--write-prefix",
          join(world, `d/${i}`),
          "--execution-id",
          `bench-${i}`,
        ],
        {
          cwd: join(ROOT, "processors/llm/litellm"),
          env: {
            ...env,
            PYTHONDONTWRITEBYTECODE: "1",
            SIGIL_WORLD: world,
            SIGIL_PROCESSOR_REF: "llm/litellm@1",
            SIGIL_IMAGE_DIGEST: "sha256:bench",
            SIGIL_ENV_FINGERPRINT: "cpu=1;image=sha256:bench;memory=2Gi",
          },
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
    const nodeBare = () => execFileSync(process.execPath, ["-e", "0"], { env, stdio: "ignore" });
    sigil("warm");
    direct("warm");
    nodeBare();
    const sigilTimes = [];
    const nodeTimes = [];
    const directTimes = [];
    const floorTimes = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so drift in machine load hits both sides alike.
      sigilTimes.push(timeMs(() => sigil(i)));
      const n = timeMs(nodeBare);
      const d = timeMs(() => direct(i));
      nodeTimes.push(n);
      directTimes.push(d);
      floorTimes.push(n + d);
    }
    const [s, f] = [median(sigilTimes), median(floorTimes)];
    const [n, d] = [median(nodeTimes), median(directTimes)];
    const line = `run-overhead: sigil run median ${fmt(s)}, floor median ${fmt(f)} (node -e 0 ${fmt(n)} + python3 direct ${fmt(d)}), ratio ${(s / f).toFixed(2)}x (goal ≤ 1.25x), over floor ${fmt(s - f)}, runs ${runs} each`;
    console.log(line);
    return { sigilMs: s, floorMs: f, nodeMs: n, directMs: d, ratio: s / f };
  } finally {
    rmSync(world, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
