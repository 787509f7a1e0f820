import type { Octokit } from "@octokit/rest";
import { type Logger, SigilError } from "../../core/index.js";
import type { PinsFile } from "../../supply/index.js";
import { bodyHash, type PinSource, pinPrTitle, renderPinBody, withMarker } from "./body.js";
import { readBase } from "./github-reads.js";
import {
  type BuildRun,
  compareRuns,
  markerRun,
  type PinPrMarker,
  parseMarker,
  refusalMarker,
} from "./marker.js";
import { planPins } from "./plan.js";

export interface OpenPinPrInput {
  owner: string;
  repo: string;
  /** Target branch (config `pin_pr.base`); the PR branch is `sigil/pins/<base>`. */
  base: string;
  labels: readonly string[];
  /** Registry folder (config `registry`). */
  registryDir: string;
  source: PinSource;
  /** The pins; called only when the delivery is not already settled (redelivery, older run). */
  loadPins: () => Promise<PinsFile>;
}

export interface PinPrPorts {
  octokit: Octokit;
  /** The installation's serial write queue: every write goes through it. */
  enqueueWrite: <T>(write: () => Promise<T>) => Promise<T>;
  logger: Logger;
}

export type PinPrStatus =
  | "superseded" // a newer build already produced a pin PR: this older event changes nothing
  | "redelivered" // this very build was handled already
  | "unchanged" // same files and same body: no write
  | "nothing-to-pin" // the registry already holds these digests
  | "refused" // the pin branch holds commits the App did not make
  | "created"
  | "updated";

export interface PinPrOutcome {
  status: PinPrStatus;
  branch: string;
  pr?: number;
  head?: string;
}

export const pinBranch = (base: string) => `sigil/pins/${base}`;

interface KnownPr {
  number: number;
  open: boolean;
  head: string;
  marker: PinPrMarker;
}

/**
 * Opens or updates the pin PR for one Build & Pin run (docs/app.md "Pin PRs"): at most one
 * tree, one commit, one ref write and one PR write (plus labels on creation), whatever the number
 * of processors; nothing at all when nothing changed. Never force-pushes over someone's commits.
 */
export async function openPinPr(input: OpenPinPrInput, ports: PinPrPorts): Promise<PinPrOutcome> {
  const { octokit, enqueueWrite, logger } = ports;
  const repo = { owner: input.owner, repo: input.repo };
  const branch = pinBranch(input.base);
  const run: BuildRun = {
    id: input.source.runId,
    number: input.source.runNumber,
    attempt: input.source.runAttempt,
  };
  const log = logger.child({ component: "pin-pr", branch, run_id: run.id });

  const newest = await newestPinPr(octokit, repo, branch, input.base);
  if (newest) {
    const order = compareRuns(markerRun(newest.marker), run);
    if (order > 0) {
      log.info(
        { event: "pin_pr.superseded", pr: newest.number, newer_run: newest.marker.run_id },
        "an older build arrived late: nothing to do",
      );
      return { status: "superseded", branch, pr: newest.number };
    }
    if (order === 0) {
      log.info({ event: "pin_pr.redelivered", pr: newest.number }, "this build was handled already");
      return { status: "redelivered", branch, pr: newest.number };
    }
  }
  const open = newest?.open ? newest : undefined;
  if (open && open.head !== open.marker.head) {
    await reportEdited(octokit, enqueueWrite, repo, open, log);
    return { status: "refused", branch, pr: open.number, head: open.head };
  }

  const pins = await input.loadPins();
  const snapshot = await readBase(octokit, repo, input.base, input.registryDir);
  const plan = planPins(snapshot.registry, pins, `${input.owner}/${input.repo}`);
  if (plan.files.length === 0) {
    log.info(
      { event: "pin_pr.nothing_to_pin", base: snapshot.commit },
      "the registry already holds these digests",
    );
    return { status: "nothing-to-pin", branch, ...(open ? { pr: open.number } : {}) };
  }
  const visible = renderPinBody(input.base, plan.rows, input.source);
  const title = pinPrTitle(input.base, plan.rows);
  const sameFiles = open !== undefined && open.marker.files === plan.filesHash;
  if (sameFiles && open.marker.body === bodyHash(visible)) {
    log.info({ event: "pin_pr.unchanged", pr: open.number }, "same files, same body: no write");
    return { status: "unchanged", branch, pr: open.number, head: open.head };
  }

  let head = open?.head ?? "";
  let base = open?.marker.base ?? snapshot.commit;
  if (!sameFiles) {
    const tree = await enqueueWrite(() =>
      octokit.rest.git.createTree({
        ...repo,
        base_tree: snapshot.tree,
        tree: plan.files.map((f) => ({
          path: f.path,
          mode: "100644" as const,
          type: "blob" as const,
          content: f.after,
        })),
      }),
    );
    // On an open PR the new commit descends from its head (a fast-forward, never a force push);
    // when the base moved, the base head is a second parent so the PR diff stays the pins only.
    const parents = open
      ? open.marker.base === snapshot.commit
        ? [open.head]
        : [open.head, snapshot.commit]
      : [snapshot.commit];
    const commit = await enqueueWrite(() =>
      octokit.rest.git.createCommit({
        ...repo,
        message: `${title}\n\nBuild & Pin run ${run.number} (id ${run.id}) from ${input.source.sourceCommit}.`,
        tree: tree.data.sha,
        parents,
      }),
    );
    head = commit.data.sha;
    base = snapshot.commit;
    const moved = await moveBranch(octokit, enqueueWrite, repo, branch, head, open !== undefined);
    if (!moved && open) {
      await reportEdited(octokit, enqueueWrite, repo, { ...open, head: "moved-during-update" }, log);
      return { status: "refused", branch, pr: open.number };
    }
  }

  const marker: PinPrMarker = {
    v: 1,
    run_id: run.id,
    run_number: run.number,
    run_attempt: run.attempt,
    source_commit: input.source.sourceCommit,
    base,
    head,
    files: plan.filesHash,
    body: bodyHash(visible),
  };
  const body = withMarker(visible, marker);
  if (open) {
    await enqueueWrite(() => octokit.rest.pulls.update({ ...repo, pull_number: open.number, title, body }));
    log.info(
      { event: "pin_pr.updated", pr: open.number, head, files: plan.files.length },
      "pin PR updated in place",
    );
    return { status: "updated", branch, pr: open.number, head };
  }
  const created = await enqueueWrite(() =>
    octokit.rest.pulls.create({ ...repo, head: branch, base: input.base, title, body }),
  );
  if (input.labels.length > 0)
    await enqueueWrite(() =>
      octokit.rest.issues.addLabels({
        ...repo,
        issue_number: created.data.number,
        labels: [...input.labels],
      }),
    );
  log.info(
    { event: "pin_pr.created", pr: created.data.number, head, files: plan.files.length },
    "pin PR opened",
  );
  return { status: "created", branch, pr: created.data.number, head };
}

/** The newest PR from the pin branch that carries the App's marker, open or not (one request). */
async function newestPinPr(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  branch: string,
  base: string,
): Promise<KnownPr | undefined> {
  const listed = await octokit.rest.pulls.list({
    ...repo,
    state: "all",
    head: `${repo.owner}:${branch}`,
    base,
    sort: "created",
    direction: "desc",
    per_page: 20,
  });
  for (const pr of listed.data) {
    const marker = parseMarker(pr.body);
    if (marker && pr.user?.type === "Bot")
      return { number: pr.number, open: pr.state === "open", head: pr.head.sha, marker };
  }
  return undefined;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * Points the pin branch at `head`. On an open PR: a fast-forward only (false when someone pushed
 * meanwhile). Without one: create the branch, or reset the one a closed or merged PR left
 * behind (its commits stay reachable from that PR).
 */
async function moveBranch(
  octokit: Octokit,
  enqueueWrite: PinPrPorts["enqueueWrite"],
  repo: { owner: string; repo: string },
  branch: string,
  head: string,
  fastForwardOnly: boolean,
): Promise<boolean> {
  if (fastForwardOnly) {
    try {
      await enqueueWrite(() =>
        octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: head, force: false }),
      );
      return true;
    } catch (error) {
      if (statusOf(error) === 422) return false;
      throw error;
    }
  }
  try {
    await enqueueWrite(() => octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: head }));
  } catch (error) {
    if (statusOf(error) !== 422) throw error;
    await enqueueWrite(() =>
      octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: head, force: true }),
    );
  }
  return true;
}

/** One comment per foreign head, saying why the App will not touch the branch. */
async function reportEdited(
  octokit: Octokit,
  enqueueWrite: PinPrPorts["enqueueWrite"],
  repo: { owner: string; repo: string },
  pr: KnownPr,
  log: Logger,
): Promise<void> {
  const error = new SigilError(
    "ERR_PIN_BRANCH_EDITED",
    `PR #${pr.number}: head ${pr.head.slice(0, 12)}, the App wrote ${pr.marker.head.slice(0, 12)}`,
  );
  log.warn({ event: "pin_pr.refused", pr: pr.number, code: error.code, head: pr.head }, error.message);
  const hidden = refusalMarker(pr.head);
  const comments = await octokit.rest.issues.listComments({
    ...repo,
    issue_number: pr.number,
    per_page: 100,
  });
  if (comments.data.some((c) => c.body?.includes(hidden))) return;
  const body = [
    `**${error.code}**: ${error.message}.`,
    "",
    "The SIGIL App does not force-push over commits it did not make, so this PR is no longer updated.",
    "Close it (the next Build & Pin run opens a fresh one) or reset the branch to the App's last commit.",
    "",
    hidden,
  ].join("\n");
  await enqueueWrite(() => octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body }));
}
