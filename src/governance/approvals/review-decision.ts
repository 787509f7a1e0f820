import { canonicalize, SigilError, sha256Hex } from "../../core/index.js";

/**
 * Whether a request PR is approved, decided from facts the caller read fresh from the API at
 * decision time (never from a webhook payload): the PR, ALL its reviews, its files and commits,
 * each candidate reviewer's permission and team memberships, and the request doc at the live head.
 * Pure, so every refusal of the security list is a unit-testable rule.
 */
export interface Actor {
  readonly login: string;
  readonly id: number;
  readonly type: string;
}

export interface ReviewFacts {
  readonly pr: {
    readonly number: number;
    readonly state: "open" | "closed";
    readonly user: Actor;
    readonly head: { readonly sha: string; readonly ref: string; readonly repo: string };
    readonly base: { readonly ref: string; readonly repo: string };
  };
  /** Every review of the PR, in the order GitHub lists them (oldest first). */
  readonly reviews: readonly {
    readonly id: number;
    readonly user: Actor;
    readonly state: string;
    readonly commit_id: string;
    readonly submitted_at: string;
  }[];
  /** Paths the PR changes. */
  readonly files: readonly string[];
  /** Logins of the authors and committers of the PR's commits: whoever pushed to the branch. */
  readonly pushers: readonly string[];
  /** Reviewer login → repository permission (`admin`, `maintain`, `write`, `triage`, `read`, `none`). */
  readonly permissions: Readonly<Record<string, string>>;
  /** Reviewer login → team (`org/slug`) → membership state (`active`, `pending`); absent: not a member. */
  readonly teams: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Review ids seen in `pull_request_review.edited` deliveries: an edited review never counts. */
  readonly editedReviewIds: readonly number[];
  /** sha256 of the request doc at the live head, or null when absent. */
  readonly requestDocSha: string | null;
  readonly nowMs: number;
}

export interface GateRequest {
  readonly run_id: string;
  readonly gate: string;
  readonly request_path: string;
  readonly request_sha256: string;
  /** The head SHA recorded when the request PR was opened. */
  readonly head_sha: string;
  readonly base_ref: string;
  /** The request branch the PR was opened from, when recorded. */
  readonly branch?: string;
  readonly repo: string;
  readonly run_starter: string;
  readonly expires_at_ms: number;
}

/** Policy from the governance repository's default branch. */
export interface SovereignPolicy {
  readonly users: readonly (string | number)[];
  readonly teams: readonly string[];
}

export interface ReviewApproval {
  readonly review_id: number;
  readonly reviewer: string;
  readonly commit_sha: string;
  readonly request_sha256: string;
  readonly approval_digest: string;
}

const WRITE = new Set(["admin", "maintain", "write"]);

type Review = ReviewFacts["reviews"][number];

/** Each reviewer's latest submitted review (by account id; PENDING drafts are not submitted). */
export function latestReviews<R extends Pick<Review, "user" | "state">>(
  reviews: readonly R[],
): Map<number, R> {
  const latest = new Map<number, R>();
  for (const review of reviews) if (review.state !== "PENDING") latest.set(review.user.id, review);
  return latest;
}

/** GitHub logins are case-insensitive: `Bob` started the run that `bob` reviews. */
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function prRefusals(facts: ReviewFacts, request: GateRequest): string[] {
  const why: string[] = [];
  const { pr } = facts;
  if (pr.state !== "open") why.push(`PR #${pr.number} is closed`);
  if (facts.nowMs > request.expires_at_ms) why.push("the request expired");
  if (!same(pr.head.repo, pr.base.repo) || !same(pr.base.repo, request.repo))
    why.push("the PR comes from a fork");
  if (pr.base.ref !== request.base_ref) why.push(`the PR was retargeted to ${pr.base.ref}`);
  if (request.branch !== undefined && pr.head.ref !== request.branch)
    why.push(`the PR's head branch is ${pr.head.ref}, not the request branch ${request.branch}`);
  if (pr.head.sha !== request.head_sha) why.push("the request branch moved after the request");
  const others = facts.files.filter((f) => f !== request.request_path);
  if (others.length > 0) why.push(`the PR changes more than its request doc (${others.join(", ")})`);
  if (facts.requestDocSha !== request.request_sha256)
    why.push("the request doc at the head does not match the request digest");
  return why;
}

function reviewerRefusals(
  review: Review,
  facts: ReviewFacts,
  request: GateRequest,
  policy: SovereignPolicy,
): string[] {
  const why: string[] = [];
  const who = review.user;
  if (who.type !== "User" || who.login.endsWith("[bot]")) why.push(`${who.login} is an App or bot`);
  const named = policy.users.some((u) => (typeof u === "string" ? same(u, who.login) : u === who.id));
  const member = policy.teams.some((t) => facts.teams[who.login]?.[t] === "active");
  if (!named && !member) {
    const pending = policy.teams.some((t) => facts.teams[who.login]?.[t] === "pending");
    why.push(
      pending ? `${who.login}'s sovereign team membership is pending` : `${who.login} is not a sovereign`,
    );
  }
  if (!WRITE.has(facts.permissions[who.login] ?? "none")) why.push(`${who.login} lacks write permission`);
  if (who.id === facts.pr.user.id || same(who.login, facts.pr.user.login))
    why.push(`${who.login} authored the PR`);
  if (same(who.login, request.run_starter)) why.push(`${who.login} started the run`);
  if (facts.pushers.some((p) => same(p, who.login))) why.push(`${who.login} pushed to the request branch`);
  if (facts.editedReviewIds.includes(review.id)) why.push(`review ${review.id} was edited`);
  if (review.commit_id !== facts.pr.head.sha || review.commit_id !== request.head_sha)
    why.push(`review ${review.id} is on ${review.commit_id.slice(0, 12)}, not the live and recorded head`);
  return why;
}

/**
 * The approval that opens the gate, or ERR_APPROVAL_REFUSED listing why nothing does. Only a
 * reviewer's LATEST review counts (a later COMMENTED, CHANGES_REQUESTED or DISMISSED review
 * revokes an earlier approval; nothing older comes back to life).
 */
export function decideReviewApproval(
  facts: ReviewFacts,
  request: GateRequest,
  policy: SovereignPolicy,
): ReviewApproval {
  const why = prRefusals(facts, request);
  const approvals = [...latestReviews(facts.reviews).values()].filter((r) => r.state === "APPROVED");
  if (approvals.length === 0) why.push("no reviewer's latest review is APPROVED");
  // Reviewers are judged even when the PR is refused, so the refusal names every reason.
  const prRefused = why.length > 0;
  for (const review of approvals) {
    const refused = reviewerRefusals(review, facts, request, policy);
    if (refused.length === 0 && !prRefused) {
      const record = {
        review_id: review.id,
        reviewer: review.user.login,
        commit_sha: review.commit_id,
        request_sha256: request.request_sha256,
      };
      const digest = sha256Hex(
        canonicalize({
          ...record,
          reviewer_id: review.user.id,
          run_id: request.run_id,
          gate: request.gate,
        }),
      );
      return { ...record, approval_digest: digest };
    }
    why.push(...refused);
  }
  throw new SigilError(
    "ERR_APPROVAL_REFUSED",
    `${request.gate} of run ${request.run_id}: ${why.join("; ")}`,
    { reasons: why },
  );
}
