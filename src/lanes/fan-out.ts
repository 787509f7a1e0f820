// Scale-out of the PR lane on Actions (docs/adoption.md, "Hundreds of processors"): the plan
// splits the selection into matrix chunks; each chunk job runs the lane on its refs; the
// aggregate reads every chunk's report back and gives one summary and one outcome.
import { z } from "zod";
import { type ErrorCode, isErrorCode, SigilError } from "../core/index.js";
import type { Selection } from "./changed.js";
import { PR_LANE_REPORT_SCHEMA } from "./pr-lane.js";

/** GitHub refuses a matrix of more than 256 jobs: chunks grow before the matrix does. */
export const MAX_MATRIX_JOBS = 256;
export const DEFAULT_CHUNK_SIZE = 20;

export interface Chunk {
  /** 1-based, stable for one selection: names the chunk's job and artifact. */
  chunk: number;
  refs: string[];
}

/**
 * Contiguous chunks of at most `chunkSize` refs (grown when more than MAX_MATRIX_JOBS chunks
 * would be needed), in the selection's order: every ref lands in exactly one chunk.
 */
export function chunkRefs(refs: readonly string[], chunkSize: number): Chunk[] {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new SigilError("ERR_INPUTS", `chunk size must be a positive integer, not ${chunkSize}`);
  }
  const size = Math.max(chunkSize, Math.ceil(refs.length / MAX_MATRIX_JOBS));
  const chunks: Chunk[] = [];
  for (let at = 0; at < refs.length; at += size) {
    chunks.push({ chunk: chunks.length + 1, refs: refs.slice(at, at + size) });
  }
  return chunks;
}

export interface LanePlan {
  selection: Selection;
  chunk_size: number;
  chunks: Chunk[];
  /** What a `strategy.matrix` takes: one entry per chunk, refs comma-separated. */
  matrix: { include: { chunk: number; refs: string }[] };
}

export function planChunks(selection: Selection, chunkSize: number = DEFAULT_CHUNK_SIZE): LanePlan {
  const chunks = chunkRefs(selection.selected, chunkSize);
  return {
    selection,
    chunk_size: chunks[0]?.refs.length ?? chunkSize,
    chunks,
    matrix: { include: chunks.map((c) => ({ chunk: c.chunk, refs: c.refs.join(",") })) },
  };
}

/** The part of a chunk's `pr-lane/summary.json` the aggregate reads; artifacts are untrusted. */
export const ChunkReport = z.looseObject({
  schema: z.literal(PR_LANE_REPORT_SCHEMA),
  ok: z.boolean(),
  processors: z.array(
    z.looseObject({
      ref: z.string().min(1),
      verdict: z.enum(["pass", "fail"]),
      code: z.string().optional(),
      message: z.string().optional(),
      outputs: z.array(z.looseObject({ path: z.string() })).default([]),
      outputs_index_sha256: z.string().optional(),
    }),
  ),
  timing: z.looseObject({ total_ms: z.number(), processors_ms: z.number() }),
});
export type ChunkReport = z.infer<typeof ChunkReport>;

export interface AggregateVerdict {
  ref: string;
  verdict: "pass" | "fail";
  code?: ErrorCode;
  message?: string;
  outputs: string[];
  outputs_index_sha256?: string;
}

export interface LaneAggregate {
  ok: boolean;
  /** One per selected ref, in the selection's order. */
  processors: AggregateVerdict[];
  /** Selected refs no chunk reported (a chunk that crashed, or whose report was lost). */
  missing: string[];
  /** Refs reported by no selection, or twice: never trusted, always a failure. */
  unexpected: string[];
  reports: number;
  processors_ms: number;
}

/**
 * One outcome from every chunk's report: passes only when each selected ref was reported once,
 * as a pass, and nothing else was reported.
 */
export function aggregateReports(
  selected: readonly string[],
  reports: readonly ChunkReport[],
): LaneAggregate {
  const wanted = new Set(selected);
  const seen = new Map<string, AggregateVerdict>();
  const unexpected: string[] = [];
  for (const report of reports) {
    for (const p of report.processors) {
      if (!wanted.has(p.ref) || seen.has(p.ref)) {
        unexpected.push(p.ref);
        continue;
      }
      seen.set(p.ref, {
        ref: p.ref,
        verdict: p.verdict,
        ...(p.code !== undefined ? { code: isErrorCode(p.code) ? p.code : "ERR_INTERNAL" } : {}),
        ...(p.message !== undefined ? { message: p.message } : {}),
        outputs: p.outputs.map((o) => o.path),
        ...(p.outputs_index_sha256 ? { outputs_index_sha256: p.outputs_index_sha256 } : {}),
      });
    }
  }
  const missing = selected.filter((ref) => !seen.has(ref));
  const processors = selected.map(
    (ref) =>
      seen.get(ref) ?? {
        ref,
        verdict: "fail" as const,
        code: "ERR_LANE_INCOMPLETE" as const,
        message: new SigilError("ERR_LANE_INCOMPLETE", `${ref}: no chunk reported a verdict`).message,
        outputs: [],
      },
  );
  return {
    ok: unexpected.length === 0 && processors.every((p) => p.verdict === "pass"),
    processors,
    missing,
    unexpected: [...new Set(unexpected)].sort(),
    reports: reports.length,
    processors_ms: reports.reduce((sum, r) => sum + r.timing.processors_ms, 0),
  };
}

/** The failure an aggregate stands for, if any: the first failed processor's code. */
export function aggregateFailure(aggregate: LaneAggregate): SigilError | undefined {
  if (aggregate.unexpected.length > 0) {
    return new SigilError(
      "ERR_LANE_INCOMPLETE",
      `reports name processors outside the selection, or twice: ${aggregate.unexpected.join(", ")}`,
    );
  }
  const failed = aggregate.processors.filter((p) => p.verdict === "fail");
  const [first] = failed;
  if (!first) return undefined;
  const more = failed.length > 1 ? ` (${failed.length - 1} more failed)` : "";
  const code: ErrorCode = first.code ?? "ERR_INTERNAL";
  return SigilError.fromReported(code, `${first.message ?? first.ref}${more}`);
}
