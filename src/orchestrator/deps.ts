import type { Clock } from "../core/index.js";
import type { GovernancePublisher } from "../governance/index.js";
import type { GateBackend } from "./gates.js";
import type { Ledger } from "./ledger.js";
import type { Sleep } from "./upload.js";

/** Points a test (or a crash harness) can stop at: after an id is minted, a phase applied, a doc uploaded. */
export type Stage = "minted" | "applied" | "recorded" | "uploaded";

export interface OrchestratorDeps {
  /** The project: sources are read relative to it; sidecars live under its `.sigil/`. */
  readonly root: string;
  readonly publisher: GovernancePublisher;
  readonly ledger: Ledger;
  readonly gates: GateBackend;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly onStage?: (step: string, stage: Stage) => void;
}

export interface StartRequest {
  readonly pipeline: string;
  readonly subjectId: string;
  readonly sourcePath: string;
  readonly space: string;
  readonly actor: string;
}
