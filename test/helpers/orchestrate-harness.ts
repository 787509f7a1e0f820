// A child-process entry for orchestrator crash tests, bundled by esbuild at test time:
//   node harness.mjs <root> <kb> <start|resume> <run_id|-> <phase:stage | none>
// It SIGKILLs itself when the run reaches `phase` at `stage` (minted, applied, recorded, uploaded).
import { openLocalOrchestrator, resumeRun, type Stage, startRun } from "../../src/orchestrator/index.js";

const [root = "", kb = "", mode = "", runId = "-", crashAt = "none"] = process.argv.slice(2);
const orch = await openLocalOrchestrator({
  root,
  kb,
  sleep: async () => undefined,
  onStage: (step: string, stage: Stage) => {
    if (`${step}:${stage}` === crashAt) process.kill(process.pid, "SIGKILL");
  },
});
try {
  const status =
    mode === "start"
      ? await startRun(
          {
            pipeline: "document-cut",
            subjectId: "icx-const",
            sourcePath: "examples/orchestrator/icx-const.md",
            space: "dev",
            actor: "bob",
          },
          orch.deps,
        )
      : await resumeRun(runId, orch.deps);
  process.stdout.write(`${JSON.stringify(status)}\n`);
} finally {
  await orch.close();
}
