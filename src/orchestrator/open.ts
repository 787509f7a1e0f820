import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Clock, SigilError, systemClock } from "../core/index.js";
import type { GovernancePublisher } from "../governance/index.js";
import { openPglite } from "../index/index.js";
import type { OrchestratorDeps } from "./engine.js";
import type { GateBackend } from "./gates.js";
import { type KbTarget, kbLabel } from "./kb-target.js";
import { type Ledger, openLedger } from "./ledger.js";
import { allLedgerSchemas } from "./pipelines/index.js";
import { runsDir } from "./sidecar.js";

/** An opened orchestrator: the engine's dependencies on one KB, and the ledger to close. */
export interface Orchestrator {
  readonly deps: OrchestratorDeps;
  readonly kb: KbTarget;
  /** ERR_ORCH_STATE when the run's gate requests went to another KB than this one (a run with no request yet passes). */
  assertRunKb(runId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Tables of the faces (docs/orchestrator.md "The ledger"): which GitHub KB a run's gate requests
 * went to, and the review ids seen in `pull_request_review.edited` deliveries.
 */
export const FACE_LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS orch_run_kb (
  run_id text PRIMARY KEY,
  kb text NOT NULL
);
CREATE TABLE IF NOT EXISTS orch_review_edits (
  pull_number bigint NOT NULL,
  review_id bigint NOT NULL,
  UNIQUE (pull_number, review_id)
);
`;

export interface OpenOptions {
  readonly root: string;
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onStage?: OrchestratorDeps["onStage"];
}

/**
 * The part every backend shares: the PGlite ledger under `<root>/.sigil/orchestrator/ledger`,
 * the backend's publisher and gates built on it, and the run ↔ KB binding, so an approval on one
 * GitHub repository never opens a gate whose request went to another.
 */
export async function openOrchestrator(
  options: OpenOptions & {
    readonly kb: KbTarget;
    readonly backend: (
      ledger: Ledger,
      clock: Clock,
    ) => Promise<{ publisher: GovernancePublisher; gates: GateBackend }>;
  },
): Promise<Orchestrator> {
  const clock = options.clock ?? systemClock;
  const db = await openPglite(join(runsDir(options.root), "ledger"));
  try {
    const ledger = await openLedger(db, allLedgerSchemas() + FACE_LEDGER_SCHEMA);
    const { publisher, gates } = await options.backend(ledger, clock);
    const label = options.kb.kind === "github" ? kbLabel(options.kb) : null;
    /** `strict`: a gate is being decided, so its request must have gone to this very KB. */
    const checkRunKb = async (runId: string, strict: boolean) => {
      const [row] = await ledger.select("orch_run_kb", { run_id: runId });
      const bound = typeof row?.kb === "string" ? row.kb : null;
      if (bound === label || (!strict && bound === null)) return;
      throw new SigilError(
        "ERR_ORCH_STATE",
        `run ${runId} sends its gate requests to ${bound ?? "a local KB"}, not to ${label ?? "a local KB"}`,
        { kb: bound },
      );
    };
    const bound: GateBackend = {
      kind: gates.kind,
      openRequest: async (input) => {
        if (label !== null) {
          const landed = await ledger.insertOnce("orch_run_kb", { run_id: input.run.run_id, kb: label }, [
            ["run_id"],
          ]);
          if (landed.outcome === "conflict") await checkRunKb(input.run.run_id, true);
        }
        return gates.openRequest(input);
      },
      decide: async (input) => {
        await checkRunKb(input.run.run_id, true);
        return gates.decide(input);
      },
      ...(gates.settleRequest ? { settleRequest: gates.settleRequest } : {}),
    };
    return {
      deps: {
        root: options.root,
        publisher,
        ledger,
        gates: bound,
        clock,
        sleep: options.sleep ?? ((ms) => sleep(ms).then(() => undefined)),
        ...(options.onStage ? { onStage: options.onStage } : {}),
      },
      kb: options.kb,
      assertRunKb: (runId) => checkRunKb(runId, false),
      close: () => db.close(),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
