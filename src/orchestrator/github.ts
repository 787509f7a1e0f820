import type { Octokit } from "@octokit/rest";
import type { Clock } from "../core/index.js";
import { createGitHubPublisher } from "../governance/index.js";
import type { RunContext, StepRecord } from "./context.js";
import { createGitHubGateBackend } from "./github-gates.js";
import type { Ledger } from "./ledger.js";
import { type OpenOptions, type Orchestrator, openOrchestrator } from "./open.js";

/**
 * The GitHub twin of `openLocalOrchestrator`: KB docs are committed to the governance
 * repository's default branch through the Git Data API, gates are request PRs opened only by a
 * sovereign's review; the ledger and sidecars stay under `<root>/.sigil/orchestrator/`.
 */
export async function openGitHubOrchestrator(
  options: OpenOptions & {
    owner: string;
    repo: string;
    octokit: Octokit;
    /** Default: the ids recorded in the ledger by the App's `pull_request_review.edited` deliveries. */
    editedReviewIds?: (pullNumber: number) => Promise<readonly number[]>;
  },
): Promise<Orchestrator> {
  const { owner, repo, octokit } = options;
  return openOrchestrator({
    ...options,
    kb: { kind: "github", owner, repo },
    backend: async (ledger: Ledger, clock: Clock) => {
      const publisher = await createGitHubPublisher({ octokit, owner, repo });
      const gates = createGitHubGateBackend({
        octokit,
        owner,
        repo,
        clock,
        editedReviewIds: options.editedReviewIds ?? ((n) => editedReviewIds(ledger, n)),
        publisher,
      });
      return { publisher, gates };
    },
  });
}

/** Records a review seen edited (insert-once: a redelivery is a no-op). */
export async function recordEditedReview(
  ledger: Ledger,
  pullNumber: number,
  reviewId: number,
): Promise<void> {
  await ledger.insertOnce("orch_review_edits", { pull_number: pullNumber, review_id: reviewId }, [
    ["pull_number", "review_id"],
  ]);
}

export async function editedReviewIds(ledger: Ledger, pullNumber: number): Promise<number[]> {
  const rows = await ledger.select("orch_review_edits", { pull_number: pullNumber });
  return rows.map((r) => Number(r.review_id)).sort((a, b) => a - b);
}

/** The request PR of a gate of the run, once opened on GitHub; null otherwise. */
export function requestPullOf(run: Readonly<RunContext>, gate: string): StepRecord["request_ref"] {
  return run.steps.find((s) => s.kind === "gate" && s.name === gate)?.request_ref ?? null;
}
