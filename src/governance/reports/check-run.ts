import type { Octokit } from "@octokit/rest";
import { z } from "zod";
import { parseWith } from "../../core/index.js";
import { type KeyedLock, reportWriteLock } from "./keyed-lock.js";
import {
  ANNOTATION_MESSAGE_LIMIT,
  ANNOTATION_TITLE_LIMIT,
  ANNOTATIONS_PER_REQUEST,
  CHECK_RUN_TEXT_LIMIT,
  clip,
  fitMarkdown,
} from "./limits.js";

export interface RepoCoords {
  owner: string;
  repo: string;
}

/** One line-level finding shown on the check run (GitHub's annotation object). */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export type CheckConclusion = "success" | "failure" | "neutral" | "action_required";

export interface CheckRunReport {
  name: string;
  headSha: string;
  /**
   * What this result is about (`pin-verify:<sha>`, `workflow_run:<id>`): a completed check run with
   * the same name and external id on the same commit means the work is done (a redelivery).
   */
  externalId: string;
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations: readonly CheckAnnotation[];
  /** Linked from truncated summaries/texts and from the check run itself. */
  fullReportUrl?: string;
}

/** Serializes the writes of one installation (the App's write queue); `(w) => w()` outside the App. */
export type EnqueueWrite = <T>(write: () => Promise<T>) => Promise<T>;

export interface CheckRunWritten {
  id: number;
  /** False when a completed check run with the same external id already existed (a replay). */
  written: boolean;
  /** Requests that wrote (create + updates). */
  writes: number;
  truncated: boolean;
}

const ListedRuns = z.object({
  check_runs: z.array(z.object({ id: z.number(), status: z.string(), external_id: z.string().nullable() })),
});
const CreatedRun = z.object({ id: z.number() });

function trimAnnotation(a: CheckAnnotation): CheckAnnotation {
  return {
    ...a,
    start_line: Math.max(1, a.start_line),
    end_line: Math.max(a.start_line, a.end_line, 1),
    message: clip(a.message, ANNOTATION_MESSAGE_LIMIT),
    ...(a.title !== undefined ? { title: clip(a.title, ANNOTATION_TITLE_LIMIT) } : {}),
  };
}

/**
 * Creates a check run and completes it (docs/checks-and-reports.md): summary and text fitted under GitHub's
 * 65,535 characters with a count and a link, annotations sent 50 per request while the run is in
 * progress, the conclusion with the last batch. A completed run with the same name and external
 * id on the commit is left alone, so a redelivered event writes nothing.
 */
export async function writeCheckRun(
  octokit: Octokit,
  at: RepoCoords,
  report: CheckRunReport,
  enqueueWrite: EnqueueWrite,
  lock: KeyedLock = reportWriteLock,
): Promise<CheckRunWritten> {
  // Two deliveries of one event must not both find "no run yet" and create two.
  const key = `${at.owner}/${at.repo}@${report.headSha}/${report.name}`.toLowerCase();
  return lock.run(key, () => writeUnlocked(octokit, at, report, enqueueWrite));
}

async function writeUnlocked(
  octokit: Octokit,
  at: RepoCoords,
  report: CheckRunReport,
  enqueueWrite: EnqueueWrite,
): Promise<CheckRunWritten> {
  const listed = await octokit.rest.checks.listForRef({
    ...at,
    ref: report.headSha,
    check_name: report.name,
    per_page: 100,
  });
  const runs = parseWith(ListedRuns, listed.data, "ERR_INTERNAL", "check runs list").check_runs;
  const done = runs.find((r) => r.external_id === report.externalId && r.status === "completed");
  if (done) return { id: done.id, written: false, writes: 0, truncated: false };

  const summary = fitMarkdown(report.summary, CHECK_RUN_TEXT_LIMIT, report.fullReportUrl);
  const text =
    report.text === undefined
      ? undefined
      : fitMarkdown(report.text, CHECK_RUN_TEXT_LIMIT, report.fullReportUrl);
  const output = (annotations: CheckAnnotation[]) => ({
    title: clip(report.title, ANNOTATION_TITLE_LIMIT),
    summary: summary.text,
    ...(text ? { text: text.text } : {}),
    ...(annotations.length > 0 ? { annotations } : {}),
  });
  const created = await enqueueWrite(() =>
    octokit.rest.checks.create({
      ...at,
      name: report.name,
      head_sha: report.headSha,
      external_id: report.externalId,
      status: "in_progress",
      ...(report.fullReportUrl ? { details_url: report.fullReportUrl } : {}),
    }),
  );
  const id = parseWith(CreatedRun, created.data, "ERR_INTERNAL", "created check run").id;
  const annotations = report.annotations.map(trimAnnotation);
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const last = batches.pop() ?? [];
  for (const batch of batches)
    await enqueueWrite(() => octokit.rest.checks.update({ ...at, check_run_id: id, output: output(batch) }));
  await enqueueWrite(() =>
    octokit.rest.checks.update({
      ...at,
      check_run_id: id,
      status: "completed",
      conclusion: report.conclusion,
      output: output(last),
    }),
  );
  return {
    id,
    written: true,
    writes: 2 + batches.length,
    truncated: summary.truncated || text?.truncated === true,
  };
}
