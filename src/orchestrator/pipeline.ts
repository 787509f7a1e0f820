import type { JsonValue } from "../core/index.js";
import type { ContextPins, RunContext } from "./context.js";
import type { Ledger } from "./ledger.js";

/** One row of section 4 of a phase doc. */
export interface Invariant {
  readonly invariant: string;
  readonly expected: string;
  readonly observed: string;
  readonly ok: boolean;
}

/** One row of section 5: something the phase produced, by content digest. */
export interface ArtifactRef {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** What a phase returns: its payload (hashed into the key), invariants, artifacts and narrative. */
export interface PhaseResult {
  readonly payload: JsonValue;
  readonly invariants: readonly Invariant[];
  readonly artifacts: readonly ArtifactRef[];
  readonly work: readonly string[];
  readonly diff: readonly string[];
  readonly productionMutation: boolean;
  /** Pins this phase fixes; once set, a pin never changes. */
  readonly pins?: Partial<ContextPins>;
}

/** What a phase sees: the run so far, the pinned source, the ledger and an id minter. */
export interface PhaseContext {
  readonly run: Readonly<RunContext>;
  readonly source: Uint8Array;
  readonly pins: ContextPins;
  readonly ledger: Ledger;
  /** A UUID7 for `label`, minted once per run and phase and persisted before it is returned. */
  mintId(label: string): Promise<string>;
  /** The payload an earlier phase of this run recorded. */
  payloadOf(phase: string): JsonValue;
}

export interface PhaseStep {
  readonly kind: "phase";
  readonly name: string;
  readonly title: string;
  run(ctx: PhaseContext): Promise<PhaseResult>;
}

export interface GateStep {
  readonly kind: "gate";
  /** `SG1`, `SG2`, … */
  readonly id: string;
  readonly name: string;
  /** What an approval authorises, said in the request doc. */
  readonly authorises: string;
}

export type PipelineStep = PhaseStep | GateStep;

/** A pipeline is data: ordered phases and gates, plus how to recompute its pins. */
export interface Pipeline {
  readonly name: string;
  readonly steps: readonly PipelineStep[];
  /** The phases between two production legs: a failure there stops with STOP_BETWEEN_LEGS. */
  readonly betweenLegs: readonly string[];
  /** Recomputes every pin from the world as it is now (source, ledger), for gate checks. */
  currentPins(ctx: { run: Readonly<RunContext>; source: Uint8Array; ledger: Ledger }): Promise<ContextPins>;
  /** Ids a stop between legs pins for the human who resolves it. */
  pinnedIds(run: Readonly<RunContext>): Record<string, string>;
  /** Ledger tables the pipeline's production writes go to (CREATE … IF NOT EXISTS). */
  readonly ledgerSchema: string;
}

export function phases(pipeline: Pipeline): PhaseStep[] {
  return pipeline.steps.filter((s): s is PhaseStep => s.kind === "phase");
}
