// A child-process entry for crash and concurrency tests, bundled by esbuild at test time:
//   node harness.mjs <repoRoot> <brief> <world> <crashAt | none>
// crashAt names a JobPhase to SIGKILL ourselves at, or "spawned" to die while the processor runs.
import { join } from "node:path";
import { type Spawn, silentLogger, spawnProcess } from "../../src/core/index.js";
import { type JobPhase, runJob } from "../../src/jobs/index.js";

const [repoRoot = "", brief = "", world = "", crashAt = "none"] = process.argv.slice(2);
const die = (): never => {
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable");
};
const spawn: Spawn = async (request) => {
  const running = spawnProcess(request);
  if (crashAt === "spawned") setTimeout(die, 40);
  return running;
};
const result = await runJob(
  { briefPath: brief, world, mode: "mock" },
  {
    repoRoot,
    registryDir: join(repoRoot, "registry/processors"),
    doctrineDir: join(repoRoot, "doctrine"),
    cwd: repoRoot,
    env: { PATH: process.env.PATH },
    logger: silentLogger,
    spawn,
    lockTimeoutMs: 30_000,
    onPhase: (phase: JobPhase) => {
      if (phase === crashAt) die();
    },
  },
);
process.stdout.write(
  `${JSON.stringify({ run_id: result.run_id, replayed_from: result.replayed_from ?? null })}\n`,
);
