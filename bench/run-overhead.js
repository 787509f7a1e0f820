// run-overhead: median wall time of `sigil run` (compiled JS, local adapter, mock) against the
// same processor run directly with python3 on the same inputs. Goal: ≤ 100 ms median overhead.
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
    const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp" };
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
    sigil("warm");
    direct("warm");
    const sigilTimes = [];
    const directTimes = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so drift in machine load hits both sides alike.
      sigilTimes.push(timeMs(() => sigil(i)));
      directTimes.push(timeMs(() => direct(i)));
    }
    const [s, d] = [median(sigilTimes), median(directTimes)];
    const line = `run-overhead: sigil run median ${fmt(s)}, python3 direct median ${fmt(d)}, overhead ${fmt(s - d)} (goal ≤ 100 ms), ratio ${(s / d).toFixed(2)}x, runs ${runs} each`;
    console.log(line);
    return { sigilMs: s, directMs: d, overheadMs: s - d };
  } finally {
    rmSync(world, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
