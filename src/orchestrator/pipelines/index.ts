import { SigilError } from "../../core/index.js";
import type { Pipeline } from "../pipeline.js";
import { documentCut } from "./document-cut.js";

export const PIPELINES: Readonly<Record<string, Pipeline>> = { "document-cut": documentCut };

export function getPipeline(name: string): Pipeline {
  const pipeline = PIPELINES[name];
  if (!pipeline)
    throw new SigilError(
      "ERR_PIPELINE",
      `${JSON.stringify(name)}; known: ${Object.keys(PIPELINES).join(", ")}`,
    );
  return pipeline;
}

/** Every pipeline's ledger tables: one ledger serves them all. */
export function allLedgerSchemas(): string {
  return Object.values(PIPELINES)
    .map((p) => p.ledgerSchema)
    .join("\n");
}

export { documentCut, markRegions } from "./document-cut.js";
