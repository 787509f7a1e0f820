// The I/O around fan-out.ts: the plan reads the project and git; the aggregate reads the chunks'
// reports from the artifacts a workflow downloaded.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type Logger,
  parseJsonStrict,
  parseWith,
  SigilError,
  type Spawn,
  walkEntries,
} from "../core/index.js";
import { type ChunkReport, ChunkReport as ChunkReportSchema, type LanePlan, planChunks } from "./fan-out.js";
import { selectProcessors } from "./pr-lane.js";
import { checkProject } from "./project.js";

export interface PlanRequest {
  root: string;
  configPath?: string;
  changedOnly: boolean;
  base?: string;
  repoScope?: string;
  chunkSize: number;
}

/** Validate the project (a bad config fails here, before any chunk starts), select, chunk. */
export async function planPrLane(
  request: PlanRequest,
  deps: { env: NodeJS.ProcessEnv; spawn?: Spawn; logger?: Logger },
): Promise<LanePlan & { entries: number }> {
  const root = resolve(request.root);
  const project = await checkProject({
    root,
    ...(request.configPath ? { configPath: request.configPath } : {}),
    lane: "pr",
    ...(request.repoScope ? { repoScope: request.repoScope } : {}),
  });
  const selection = await selectProcessors(
    project,
    { root, changedOnly: request.changedOnly, ...(request.base ? { base: request.base } : {}) },
    deps,
  );
  deps.logger?.info({ event: "pr_lane.plan", selected: selection.selected.length });
  return { ...planChunks(selection, request.chunkSize), entries: project.entries.length };
}

/** Every `summary.json` under `dir` (one per downloaded chunk artifact), parsed and checked. */
export async function readChunkReports(dir: string): Promise<ChunkReport[]> {
  const files: string[] = [];
  for await (const { path, rel, dirent } of walkEntries(resolve(dir))) {
    if (dirent.isFile() && (rel === "summary.json" || rel.endsWith("/summary.json"))) files.push(path);
  }
  files.sort();
  const reports: ChunkReport[] = [];
  for (const file of files) {
    let value: unknown;
    try {
      value = parseJsonStrict(await readFile(file, "utf8"));
    } catch (error) {
      throw new SigilError(
        "ERR_LANE_INCOMPLETE",
        `${file}: not a readable report: ${(error as Error).message}`,
      );
    }
    reports.push(parseWith(ChunkReportSchema, value, "ERR_LANE_INCOMPLETE", file));
  }
  return reports;
}
