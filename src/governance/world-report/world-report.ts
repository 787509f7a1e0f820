import type { Octokit } from "@octokit/rest";
import type { Logger, SigilConfig } from "../../core/index.js";
import { parseOwnerName, SigilError } from "../../core/index.js";
import { gatherReport, renderReport } from "../../report/index.js";
import type { Finding, VerifyReport } from "../../world/verify/index.js";
import { verifyWorld } from "../../world/verify/index.js";
import {
  DEFAULT_ARTIFACT_MAX_BYTES,
  DEFAULT_EXTRACT_LIMITS,
  downloadArtifact,
  type ExtractLimits,
  extractZip,
  findRunArtifact,
} from "../artifact/index.js";
import { ARTIFACTS_PREFIX, type PublishWorldReport, publishWorld } from "../publish-world.js";
import type { GovernancePublisher } from "../publisher/index.js";
import {
  type CheckAnnotation,
  type CheckRunWritten,
  collectRunSummaries,
  type EnqueueWrite,
  type KeyedLock,
  type RepoCoords,
  renderVerifierReport,
  type StickyCommentWritten,
  upsertStickyComment,
  writeCheckRun,
} from "../reports/index.js";

export const DETERMINISM_CHECK_NAME = "sigil/determinism";
export const DETERMINISM_REPORT_KIND = "determinism";

/** The fields of a completed workflow run the report needs (parsed from the webhook by the face). */
export interface WorkflowRunRef {
  id: number;
  name: string;
  runNumber?: number;
  /** Re-running a workflow keeps its id and bumps the attempt: each attempt is its own result. */
  attempt?: number;
  headSha: string;
  htmlUrl: string;
  /** Numbers of the PRs the run belongs to (empty for pushes and forks). */
  pullRequests: readonly number[];
}

/** Makes the publisher for a repository's config (local git or GitHub backend). */
export type PublisherFactory = (
  config: SigilConfig,
  context: { octokit: Octokit; repository: RepoCoords },
) => GovernancePublisher | Promise<GovernancePublisher>;

export interface WorldReportDeps {
  octokit: Octokit;
  repository: RepoCoords;
  config: SigilConfig;
  enqueueWrite: EnqueueWrite;
  logger: Logger;
  /** The App's bot user id: its sticky comments are the only ones it finds and edits. */
  appUserId: number;
  /** Absent, or no `governance.repo` in the config: nothing is published. */
  publisherFor?: PublisherFactory;
  maxArtifactBytes?: number;
  extractLimits?: ExtractLimits;
  lock?: KeyedLock;
}

export type WorldReportOutcome =
  | { status: "skipped"; reason: string }
  | {
      status: "verified" | "failed" | "refused";
      findings: number;
      checkRun: CheckRunWritten;
      comments: StickyCommentWritten[];
      published: PublishWorldReport | null;
    };

/** Where the full report lands in the governance repository: one path per workflow run attempt. */
export function reportPath(repository: RepoCoords, runId: number, attempt = 1): string {
  const suffix = attempt > 1 ? `-attempt-${attempt}` : "";
  return `reports/${repository.owner}/${repository.repo}/workflow-runs/${runId}${suffix}/determinism.md`;
}

/** The check run's external id: one result per workflow run attempt. */
function externalId(run: WorkflowRunRef): string {
  return `workflow_run:${run.id}${(run.attempt ?? 1) > 1 ? `:${run.attempt}` : ""}`;
}

/** The finding's file as the World lays it out under `artifacts/` (the default world root). */
function annotationOf(f: Finding): CheckAnnotation {
  const inRun = f.path && f.path !== f.run ? `/${f.path}` : "";
  const facts = [f.expected ? `expected ${f.expected}` : "", f.observed ? `observed ${f.observed}` : ""]
    .filter(Boolean)
    .join(", ");
  return {
    path: `${ARTIFACTS_PREFIX}/${f.run}${inRun}`,
    start_line: 1,
    end_line: 1,
    annotation_level: "failure",
    title: `${f.code} · ${f.run}`,
    message: facts ? `${f.message} (${facts})` : f.message,
  };
}

function governanceUrl(config: SigilConfig, run: WorkflowRunRef, path: string): string | undefined {
  const repo = config.governance.repo;
  if (!repo || !parseOwnerName(repo)) return undefined;
  const origin = new URL(run.htmlUrl).origin;
  return `${origin}/${repo}/blob/${encodeURIComponent(config.governance.branch)}/${path}`;
}

/**
 * The World a workflow run uploaded (docs/checks-and-reports.md): downloaded and extracted safely,
 * verified, reported as the `sigil/determinism` check run on the head SHA and a sticky comment on
 * each of the run's PRs, and, only when it verifies, published run by run with the full report
 * beside it. Redelivery writes nothing new: the check run is found by its external id, the comment
 * body is unchanged, and the publisher replays same-bytes paths as no-ops.
 */
export async function reportWorldRun(
  run: WorkflowRunRef,
  deps: WorldReportDeps,
): Promise<WorldReportOutcome> {
  const { octokit, repository, config, logger } = deps;
  const name = config.workflows.world_artifact;
  const artifact = await findRunArtifact(octokit, { ...repository, runId: run.id }, name);
  if (!artifact) return { status: "skipped", reason: `workflow run ${run.id} has no artifact ${name}` };

  let extracted: Awaited<ReturnType<typeof extractZip>>;
  try {
    const zip = await downloadArtifact(
      octokit,
      repository,
      artifact,
      deps.maxArtifactBytes ?? DEFAULT_ARTIFACT_MAX_BYTES,
    );
    extracted = await extractZip(zip, deps.extractLimits ?? DEFAULT_EXTRACT_LIMITS);
  } catch (error) {
    if (
      !(error instanceof SigilError) ||
      !["ERR_ARTIFACT_UNSAFE", "ERR_ARTIFACT_DOWNLOAD"].includes(error.code)
    )
      throw error;
    logger.warn({ event: "world_report.refused", code: error.code, run: run.id }, error.message);
    return refuse(run, deps, error);
  }
  await using world = extracted;
  const report = await verifyWorld(world.dir);
  const runs = await collectRunSummaries(world.dir);
  const ok = report.findings.length === 0;
  const path = reportPath(repository, run.id, run.attempt);
  const origin = {
    headSha: run.headSha,
    workflowRun: {
      name: run.name,
      ...(run.runNumber !== undefined ? { number: run.runNumber } : {}),
      url: run.htmlUrl,
    },
  };
  const fullReportUrl = (ok ? governanceUrl(config, run, path) : undefined) ?? run.htmlUrl;
  const markdown = renderVerifierReport(report, runs, { ...origin, fullReportUrl });
  const checkRun = await writeCheckRun(
    octokit,
    repository,
    {
      name: DETERMINISM_CHECK_NAME,
      headSha: run.headSha,
      externalId: externalId(run),
      conclusion: ok ? "success" : "failure",
      title: checkTitle(report, runs.length),
      summary: markdown,
      annotations: report.findings.map(annotationOf),
      fullReportUrl,
    },
    deps.enqueueWrite,
  );
  const comments = await commentOnPulls(run, deps, markdown, fullReportUrl);
  const published = ok
    ? await publish(run, deps, world.dir, report, renderVerifierReport(report, runs, origin))
    : null;
  logger.info(
    {
      event: "world_report.done",
      run: run.id,
      findings: report.findings.length,
      published: published !== null,
    },
    ok ? "World verified" : "World does not verify",
  );
  return {
    status: ok ? "verified" : "failed",
    findings: report.findings.length,
    checkRun,
    comments,
    published,
  };
}

function checkTitle(report: VerifyReport, runs: number): string {
  if (report.findings.length === 0) return `World verified: ${runs} run${runs === 1 ? "" : "s"}, no findings`;
  const codes = [...new Set(report.findings.map((f) => f.code))].join(", ");
  return `${report.findings.length} finding${report.findings.length === 1 ? "" : "s"}: ${codes}`;
}

async function commentOnPulls(
  run: WorkflowRunRef,
  deps: WorldReportDeps,
  markdown: string,
  fullReportUrl: string,
): Promise<StickyCommentWritten[]> {
  const written: StickyCommentWritten[] = [];
  for (const issueNumber of [...new Set(run.pullRequests)].sort((a, b) => a - b)) {
    written.push(
      await upsertStickyComment(
        deps.octokit,
        { ...deps.repository, issueNumber },
        DETERMINISM_REPORT_KIND,
        markdown,
        {
          appUserId: deps.appUserId,
          enqueueWrite: deps.enqueueWrite,
          fullReportUrl,
          ...(deps.lock ? { lock: deps.lock } : {}),
        },
      ),
    );
  }
  return written;
}

/** A verified World: each run as one commit, then the full report beside them. */
async function publish(
  run: WorkflowRunRef,
  deps: WorldReportDeps,
  world: string,
  report: VerifyReport,
  markdown: string,
): Promise<PublishWorldReport | null> {
  if (!deps.publisherFor || !deps.config.governance.repo) {
    deps.logger.info(
      { event: "world_report.publish_skipped", run: run.id },
      "no governance repository configured",
    );
    return null;
  }
  const publisher = await deps.publisherFor(deps.config, {
    octokit: deps.octokit,
    repository: deps.repository,
  });
  const published = await publishWorld({ world, publisher, verify: async () => report });
  // The full report: the Markdown GitHub renders, and beside it the World report page (one
  // self-contained file, no clock: the same World gives the same bytes, so a replay is a no-op).
  const model = await gatherReport(world, { verify: async () => report });
  // The World is named by where it came from, not by the temp folder it was extracted into.
  const named = {
    ...model,
    world: `${deps.repository.owner}/${deps.repository.repo} workflow run ${run.id}`,
  };
  const page = renderReport(named, "file").get("report.html");
  const markdownPath = reportPath(deps.repository, run.id, run.attempt);
  const encode = (text: string) => new TextEncoder().encode(text);
  await publisher.publish({
    message: `Report: determinism of ${deps.repository.owner}/${deps.repository.repo} workflow run ${run.id}`,
    files: [
      { path: markdownPath, bytes: encode(markdown) },
      ...(page
        ? [{ path: markdownPath.replace(/determinism\.md$/, "report.html"), bytes: encode(page) }]
        : []),
    ],
  });
  return published;
}

/** An artifact that cannot be fetched or opened safely: a failing check run naming why; nothing published. */
async function refuse(
  run: WorkflowRunRef,
  deps: WorldReportDeps,
  error: SigilError,
): Promise<WorldReportOutcome> {
  const markdown = `## ❌ World artifact refused\n\n\`${error.code}\`: ${error.message.replace(/[\r\n]+/g, " ")}\n\nNothing was verified or published. Workflow run: ${run.htmlUrl}\n`;
  const checkRun = await writeCheckRun(
    deps.octokit,
    deps.repository,
    {
      name: DETERMINISM_CHECK_NAME,
      headSha: run.headSha,
      externalId: externalId(run),
      conclusion: "failure",
      title: `World artifact refused: ${error.code}`,
      summary: markdown,
      annotations: [],
    },
    deps.enqueueWrite,
  );
  const comments = await commentOnPulls(run, deps, markdown, run.htmlUrl);
  return { status: "refused", findings: 0, checkRun, comments, published: null };
}
