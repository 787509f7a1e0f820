import type { Octokit } from "@octokit/rest";
import { canonicalize, type Logger, SigilError, sha256Hex } from "../../core/index.js";
import type { PinsFile } from "../../supply/index.js";
import { bodyHash, type PinSource, pinPrTitle, renderPinBody, withMarker } from "./body.js";
import { type PinPrNode, readPinPrState, ZERO_OID } from "./graphql-state.js";
import { commitOnBranch, createPinPr, type RefUpdate, updatePinPr } from "./graphql-writes.js";
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
/** Where the App builds the next pin commit on a moved base before the pin branch points at it. */
export const pinScratchBranch = (base: string) => `sigil/pins-next/${base}`;

interface KnownPr {
  id: string;
  number: number;
  open: boolean;
  head: string;
  marker: PinPrMarker;
}

/**
 * Opens or updates the pin PR for one Build & Pin run (docs/app.md "Pin PRs"): one GraphQL query
 * reads everything, then at most two mutations and, on creation, one label request, whatever the
 * number of processors; nothing at all is written when nothing changed. Never force-pushes over
 * a commit the App did not make.
 */
export async function openPinPr(input: OpenPinPrInput, ports: PinPrPorts): Promise<PinPrOutcome> {
  const { octokit, enqueueWrite, logger } = ports;
  const repo = { owner: input.owner, repo: input.repo };
  const branch = pinBranch(input.base);
  const scratch = pinScratchBranch(input.base);
  const run: BuildRun = {
    id: input.source.runId,
    number: input.source.runNumber,
    attempt: input.source.runAttempt,
  };
  const log = logger.child({ component: "pin-pr", branch, run_id: run.id });

  const state = await readPinPrState(octokit, repo, {
    base: input.base,
    pinBranch: branch,
    scratchBranch: scratch,
    registryDir: input.registryDir,
  });
  const newest = newestPinPr(state.pulls);
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
  const snapshot = state.base;
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
  // Set when the base moved under an open PR: the pin branch jumps to the scratch commit together
  // with the PR update, compare-and-swapped on the App's own head.
  const branchMove: RefUpdate[] = [];
  if (!sameFiles) {
    const commitInput = {
      repositoryId: state.repositoryId,
      nameWithOwner: `${input.owner}/${input.repo}`,
      headline: title,
      body: `Build & Pin run ${run.number} (id ${run.id}) from ${input.source.sourceCommit}.`,
      files: plan.files.map((f) => ({ path: f.path, text: f.after })),
    };
    const reset = (name: string, current: string | undefined): RefUpdate => ({
      name: `refs/heads/${name}`,
      beforeOid: current ?? ZERO_OID,
      afterOid: snapshot.commit,
      force: true,
    });
    // Same base: a fast-forward commit on the App's head. Moved base: the commit is built on the
    // scratch branch from the new base (the pin branch never points at the base itself, which
    // would close the PR). No open PR: the branch (new, or left by a closed PR) restarts at base.
    const target =
      open && open.marker.base === snapshot.commit
        ? { branch, expectedHead: open.head, refUpdates: [] }
        : open
          ? {
              branch: scratch,
              expectedHead: snapshot.commit,
              refUpdates: [reset(scratch, state.scratchHead)],
            }
          : { branch, expectedHead: snapshot.commit, refUpdates: [reset(branch, state.pinHead)] };
    // Names this intended commit: a retried mutation recognises the commit its first attempt made.
    const token = sha256Hex(
      canonicalize({ run: run.id, attempt: run.attempt, files: plan.filesHash, on: target.expectedHead }),
    ).slice(0, 32);
    const commit = await commitOnBranch(octokit, enqueueWrite, { ...commitInput, ...target, token });
    if (!commit.ok) {
      if (open && commit.stale) {
        await reportEdited(octokit, enqueueWrite, repo, { ...open, head: "moved-during-update" }, log);
        return { status: "refused", branch, pr: open.number };
      }
      throw new SigilError("ERR_GITHUB_GRAPHQL", `PinPrCommit: ${commit.message}`);
    }
    head = commit.oid;
    base = snapshot.commit;
    if (open && target.branch === scratch)
      branchMove.push(
        { name: `refs/heads/${branch}`, beforeOid: open.head, afterOid: head, force: true },
        { name: `refs/heads/${scratch}`, beforeOid: head, afterOid: ZERO_OID, force: true },
      );
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
    const updated = await updatePinPr(octokit, enqueueWrite, {
      repositoryId: state.repositoryId,
      nameWithOwner: `${input.owner}/${input.repo}`,
      pullRequestId: open.id,
      title,
      body,
      refUpdates: branchMove,
    });
    if (!updated.ok) {
      if (updated.stale) {
        await reportEdited(octokit, enqueueWrite, repo, { ...open, head: "moved-during-update" }, log);
        return { status: "refused", branch, pr: open.number };
      }
      throw new SigilError("ERR_GITHUB_GRAPHQL", `PinPrUpdate: ${updated.message}`);
    }
    log.info(
      { event: "pin_pr.updated", pr: open.number, head, files: plan.files.length },
      "pin PR updated in place",
    );
    return { status: "updated", branch, pr: open.number, head };
  }
  const number = await createPinPr(octokit, enqueueWrite, {
    repositoryId: state.repositoryId,
    base: input.base,
    head: branch,
    title,
    body,
  }).catch(async (error: unknown) => {
    // The queue sent PinPrOpen again after an attempt that ran but whose answer was lost: the
    // PR with this very body is ours, so it is adopted (and labelled) instead of failing.
    if (!(error instanceof SigilError) || !/already exists/i.test(error.message)) throw error;
    const { data: open } = await octokit.rest.pulls.list({
      ...repo,
      head: `${input.owner}:${branch}`,
      base: input.base,
      state: "open",
    });
    const ours = open.find((pr) => pr.head.ref === branch && pr.body === body);
    if (!ours) throw error;
    return ours.number;
  });
  // REST, not GraphQL: addLabelsToLabelable needs the PR's id and existing labels; this creates
  // missing labels as GitHub does for issues.
  if (input.labels.length > 0)
    await enqueueWrite(() =>
      octokit.rest.issues.addLabels({ ...repo, issue_number: number, labels: [...input.labels] }),
    );
  log.info({ event: "pin_pr.created", pr: number, head, files: plan.files.length }, "pin PR opened");
  return { status: "created", branch, pr: number, head };
}

/** The newest PR from the pin branch that the App's bot opened and marked, open or not. */
function newestPinPr(pulls: readonly PinPrNode[]): KnownPr | undefined {
  for (const pr of pulls) {
    const marker = parseMarker(pr.body);
    if (marker && pr.byBot) return { id: pr.id, number: pr.number, open: pr.open, head: pr.headOid, marker };
  }
  return undefined;
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
