import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { SigilError } from "../../core/index.js";
import type { RunContext, StepRecord, StopCode } from "../context.js";
import type { OrchestratorDeps } from "../deps.js";
import { assertKbDoc, type DocKind } from "../kb/lint.js";
import type { Pipeline } from "../pipeline.js";
import { writeRunContext } from "../sidecar.js";
import { uploadWithRetry } from "../upload.js";

/** What every step does the same way: read the source, stop, record, lint, upload. */
export async function readSource(root: string, path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolve(root, path)));
  } catch (error) {
    throw new SigilError("ERR_USAGE", `cannot read the source ${path}: ${(error as Error).message}`);
  }
}

export async function stop(
  run: RunContext,
  deps: OrchestratorDeps,
  code: StopCode,
  detail: string,
  pinned: Record<string, string> = {},
) {
  run.state = "stopped";
  run.stop = { code, detail, pinned };
  await writeRunContext(deps.root, run);
  return false;
}

export function upsertStep(run: RunContext, record: StepRecord): void {
  const at = run.steps.findIndex((s) => s.index === record.index);
  if (at >= 0) run.steps[at] = record;
  else run.steps.push(record);
  run.steps.sort((a, b) => a.index - b.index);
}

export function ownIds(run: RunContext): string[] {
  return Object.values(run.minted).flatMap((ids) => Object.values(ids));
}

export function lint(run: RunContext, kind: DocKind, path: string, text: string): void {
  assertKbDoc(path, text, {
    kind,
    runId: run.run_id,
    ownIds: ownIds(run),
    folderName: run.kb_folder.split("/").at(-1) ?? "",
  });
}

export async function upload(
  run: RunContext,
  pipeline: Pipeline,
  deps: OrchestratorDeps,
  message: string,
  files: { path: string; bytes: Uint8Array; mode?: "create" | "append" }[],
): Promise<boolean> {
  try {
    const outcome = await uploadWithRetry(() => deps.publisher.publish({ message, files }), deps.sleep);
    if (outcome.ok) return true;
    return stop(
      run,
      deps,
      "STOP_KB_UPLOAD",
      `${files[0]?.path}: ${outcome.attempts} attempts failed: ${outcome.error.message}`,
    );
  } catch (error) {
    return stop(
      run,
      deps,
      "STOP_REPLAY_CONFLICT",
      SigilError.from(error, "ERR_INTERNAL").message,
      pipeline.pinnedIds(run),
    );
  }
}
