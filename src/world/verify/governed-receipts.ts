import { join } from "node:path";
import { canonicalize, checkDualReceipt, OutputsIndex, parseJsonStrict } from "../../core/index.js";
import { type Finding, finding } from "./findings.js";
import { readFileNoFollow } from "./hash-files.js";
import type { ParsedSnapshots } from "./records.js";
import type { RunContext } from "./snapshot-validator.js";
import type { Walked } from "./walk.js";

/** In-process executors are recorded under this namespace; they write no receipt (src/jobs/execute.ts). */
const BUILTIN_PREFIX = "builtin/";

/** `outputs.json` of a run folder: parsed, "missing", or why it is unreadable. */
export function readOutputsIndexFile(dir: string, walked?: Walked): OutputsIndex | "missing" | string {
  // The walk already knows whether the file is there: a failed open per run is not free.
  if (walked && !walked.files.includes("outputs.json") && !walked.links.includes("outputs.json"))
    return "missing";
  let bytes: Buffer;
  try {
    bytes = readFileNoFollow(join(dir, "outputs.json"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "missing";
    return code === "ELOOP" ? "outputs.json is a symbolic link" : (error as Error).message.slice(0, 200);
  }
  try {
    const parsed = OutputsIndex.safeParse(parseJsonStrict(bytes.toString("utf8")));
    return parsed.success ? parsed.data : "outputs.json does not parse as an outputs index";
  } catch (error) {
    return `outputs.json: ${(error as Error).message.slice(0, 200)}`;
  }
}

/**
 * A governed run settled by the job runner keeps its attempt's `outputs.json` and, when a
 * processor ran, its `receipt.json` with the twin `<world>/execution/<id>/determinism.json`
 * (src/jobs/run-lifecycle.ts promoteAttempt). Which of them must exist follows from the
 * model_config snapshot, which is part of the run's identity: any job run has an index; a run of
 * a registered processor (not `builtin/…`) has a receipt. Each is cross-checked with the manifest.
 */
export function checkGovernedReceipts(ctx: RunContext, snapshots: ParsedSnapshots): Finding[] {
  const { manifest, runPath, runDir, worldRoot } = ctx;
  const found: Finding[] = [];
  const bad = (path: string, why: string, extra: Omit<Finding, "code" | "run" | "message" | "path"> = {}) =>
    found.push(finding("ERR_VERIFY_RECEIPT", runPath, why, { path, ...extra }));
  const modelConfig = snapshots.modelConfig || undefined;
  const index = readOutputsIndexFile(runDir, ctx.walked);
  if (index === "missing") {
    if (modelConfig) bad("outputs.json", "outputs.json is missing");
  } else if (typeof index === "string") bad("outputs.json", index);
  else if (canonicalize(index) !== canonicalize(manifest.outputs)) {
    bad("outputs.json", "outputs.json differs from the manifest's outputs");
  }

  const processorRun = modelConfig !== undefined && !modelConfig.processor.ref.startsWith(BUILTIN_PREFIX);
  const hasReceipt = ["receipt.json"].some(
    (f) => ctx.walked.files.includes(f) || ctx.walked.links.includes(f),
  );
  if (!hasReceipt && !processorRun) return found;
  const check = checkDualReceipt({
    prefix: runDir,
    worldRoot,
    ...(manifest.runtime.execution_id ? { executionId: manifest.runtime.execution_id } : {}),
    outputsIndex: manifest.outputs,
  });
  const missing = check.problems.some((p) => p.kind === "receipt_missing");
  if (missing && !processorRun) return found;
  for (const problem of check.problems) bad(problem.path, problem.message);
  const receipt = check.receipt;
  if (!receipt) return found;
  const against = (field: string, expected: string, observed: string) => {
    if (expected !== observed)
      bad("receipt.json", `the receipt's ${field} differs from the manifest`, { expected, observed });
  };
  against("processor_ref", manifest.processor.ref, receipt.processor_ref);
  against("image_digest", manifest.processor.image_digest, receipt.image_digest);
  if (modelConfig) against("mode", modelConfig.mode, receipt.mode);
  if (!manifest.runtime.execution_id)
    bad("manifest.json", "the manifest records no execution_id for its receipt");
  return found;
}
