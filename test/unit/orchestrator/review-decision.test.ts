import { describe, expect, test } from "vitest";
import { ERROR_TABLE, SigilError } from "../../../src/core/index.js";
import {
  decideReviewApproval,
  type GateRequest,
  type ReviewFacts,
  type SovereignPolicy,
} from "../../../src/governance/index.js";

const HEAD = "a".repeat(40);
const DOC = "knowledge/dev/icx/v1-document-cut-20261130/SG1-cut-authorization-authz-request-2026-11-30.md";
const user = (login: string, id: number, type = "User") => ({ login, id, type });
const alice = user("alice", 10);

const request: GateRequest = {
  run_id: "01a22e7a-1594-7311-a858-6f2000000001",
  gate: "SG1",
  request_path: DOC,
  request_sha256: "d".repeat(64),
  head_sha: HEAD,
  base_ref: "main",
  repo: "acme/gov",
  run_starter: "bob",
  expires_at_ms: 2_000,
};
const policy: SovereignPolicy = { users: ["alice"], teams: ["acme/sovereigns"] };

function facts(over: Partial<ReviewFacts> = {}): ReviewFacts {
  return {
    pr: {
      number: 3,
      state: "open",
      user: user("sigil-fake[bot]", 904242, "Bot"),
      head: { sha: HEAD, ref: "sigil/authz/x/sg1", repo: "acme/gov" },
      base: { ref: "main", repo: "acme/gov" },
    },
    reviews: [{ id: 1, user: alice, state: "APPROVED", commit_id: HEAD, submitted_at: "t1" }],
    files: [DOC],
    pushers: ["sigil-fake[bot]"],
    permissions: { alice: "write", carol: "write", dave: "write", bob: "admin", mallory: "read" },
    teams: {},
    editedReviewIds: [],
    requestDocSha: "d".repeat(64),
    nowMs: 1_000,
    ...over,
  };
}

function refusal(f: ReviewFacts, r: GateRequest = request, p: SovereignPolicy = policy): string {
  try {
    decideReviewApproval(f, r, p);
  } catch (error) {
    expect(error).toBeInstanceOf(SigilError);
    expect((error as SigilError).code).toBe("ERR_APPROVAL_REFUSED");
    expect((error as SigilError).message).toContain(ERROR_TABLE.ERR_APPROVAL_REFUSED);
    return (error as SigilError).message;
  }
  throw new Error("the gate opened");
}

const review = (who: ReturnType<typeof user>, state: string, id: number, commit = HEAD) => ({
  id,
  user: who,
  state,
  commit_id: commit,
  submitted_at: `t${id}`,
});
const base = facts();

describe("request PR approval: decided from fresh reads", () => {
  test("a sovereign's APPROVED review on the live, recorded head opens the gate", () => {
    const approval = decideReviewApproval(base, request, policy);
    expect(approval).toMatchObject({ review_id: 1, reviewer: "alice", commit_sha: HEAD });
    // Bound to run, gate and digest: the same review for another gate is another digest.
    expect(decideReviewApproval(base, { ...request, gate: "SG2" }, policy).approval_digest).not.toBe(
      approval.approval_digest,
    );
  });
  test("an active member of a sovereign team counts", () => {
    const carol = user("carol", 11);
    const f = facts({
      reviews: [review(carol, "APPROVED", 2)],
      teams: { carol: { "acme/sovereigns": "active" } },
    });
    expect(decideReviewApproval(f, request, policy).reviewer).toBe("carol");
  });
  test.each<[string, ReviewFacts, RegExp, GateRequest?]>([
    [
      "a non-sovereign",
      facts({ reviews: [review(user("dave", 12), "APPROVED", 2)] }),
      /dave is not a sovereign/,
    ],
    [
      "an App or bot account",
      facts({
        reviews: [review(user("alice-bot", 13, "Bot"), "APPROVED", 2)],
        permissions: { "alice-bot": "write" },
      }),
      /is an App or bot/,
      request,
    ],
    [
      "a pending team member",
      facts({
        reviews: [review(user("carol", 11), "APPROVED", 2)],
        teams: { carol: { "acme/sovereigns": "pending" } },
      }),
      /membership is pending/,
    ],
    [
      "a sovereign without write permission",
      facts({ permissions: { alice: "read" } }),
      /lacks write permission/,
    ],
    ["the PR author", facts({ pr: { ...base.pr, user: alice } }), /alice authored the PR/],
    ["the run starter", base, /alice started the run/, { ...request, run_starter: "alice" }],
    [
      "someone who pushed to the request branch",
      facts({ pushers: ["sigil-fake[bot]", "alice"] }),
      /pushed to the request branch/,
    ],
    [
      "a COMMENTED review",
      facts({ reviews: [review(alice, "COMMENTED", 2)] }),
      /no reviewer's latest review is APPROVED/,
    ],
    [
      "a CHANGES_REQUESTED review",
      facts({ reviews: [review(alice, "CHANGES_REQUESTED", 2)] }),
      /latest review is APPROVED/,
    ],
    [
      "an approval that is not the reviewer's latest",
      facts({ reviews: [review(alice, "APPROVED", 1), review(alice, "COMMENTED", 2)] }),
      /latest review is APPROVED/,
    ],
    [
      "a dismissed approval",
      facts({ reviews: [review(alice, "DISMISSED", 1)] }),
      /latest review is APPROVED/,
    ],
    [
      "an older approval when a later one was dismissed (no resurrection)",
      facts({ reviews: [review(alice, "APPROVED", 1), review(alice, "DISMISSED", 2)] }),
      /latest review is APPROVED/,
    ],
    ["an edited review", facts({ editedReviewIds: [1] }), /review 1 was edited/],
    [
      "a review on another commit than the live head",
      facts({ reviews: [review(alice, "APPROVED", 1, "b".repeat(40))] }),
      /not the live and recorded head/,
    ],
    [
      "a push after the request (head ≠ recorded)",
      facts({
        pr: { ...base.pr, head: { ...base.pr.head, sha: "c".repeat(40) } },
        reviews: [review(alice, "APPROVED", 1, "c".repeat(40))],
      }),
      /branch moved/,
    ],
    [
      "a PR from a fork",
      facts({ pr: { ...base.pr, head: { ...base.pr.head, repo: "mallory/gov" } } }),
      /from a fork/,
    ],
    [
      "a PR retargeted to another base",
      facts({ pr: { ...base.pr, base: { ...base.pr.base, ref: "release" } } }),
      /retargeted/,
    ],
    ["a closed PR", facts({ pr: { ...base.pr, state: "closed" } }), /is closed/],
    ["a PR reopened after expiry", facts({ nowMs: 5_000 }), /expired/],
    [
      "a PR that edits the sovereign list",
      facts({ files: [DOC, ".github/sigil.yml"] }),
      /more than its request doc/,
    ],
    [
      "an SG1 PR's approval presented for SG2",
      base,
      /more than its request doc|does not match/,
      {
        ...request,
        gate: "SG2",
        request_path: DOC.replace("SG1-cut", "SG2-lifecycle"),
        request_sha256: "e".repeat(64),
      },
    ],
  ])("refused: %s", (_name, f, reason, r = request) => {
    expect(refusal(f, r)).toMatch(reason);
  });
});

describe("request PR approval: logins are case-insensitive, every reason is named", () => {
  test.each<[string, ReviewFacts, GateRequest, RegExp]>([
    ["the run starter in another case", base, { ...request, run_starter: "Alice" }, /alice started the run/],
    [
      "the PR author in another case",
      facts({ pr: { ...base.pr, user: user("ALICE", 10) } }),
      request,
      /authored the PR/,
    ],
    ["a pusher in another case", facts({ pushers: ["Alice"] }), request, /pushed to the request branch/],
  ])("refused: %s", (_name, f, r, reason) => {
    expect(refusal(f, r)).toMatch(reason);
  });
  test("a sovereign named in another case counts; the governance repository's case does not matter", () => {
    const f = facts({
      pr: {
        ...base.pr,
        base: { ...base.pr.base, repo: "Acme/Gov" },
        head: { ...base.pr.head, repo: "ACME/gov" },
      },
    });
    expect(decideReviewApproval(f, request, { ...policy, users: ["ALICE"] }).reviewer).toBe("alice");
  });
  test("a refused PR still names the reviewer's own reasons", () => {
    const f = facts({
      files: [DOC, ".github/sigil.yml"],
      reviews: [review(user("mallory", 66), "APPROVED", 2)],
      permissions: { mallory: "write" },
    });
    expect(refusal(f)).toMatch(/more than its request doc.*mallory is not a sovereign/);
  });
  test("a PR from another branch than the recorded request branch", () => {
    expect(refusal(base, { ...request, branch: "sigil/gates/other/SG1" })).toMatch(
      /head branch is sigil\/authz\/x\/sg1, not the request branch sigil\/gates\/other\/SG1/,
    );
    expect(decideReviewApproval(base, { ...request, branch: "sigil/authz/x/sg1" }, policy).reviewer).toBe(
      "alice",
    );
  });
  test("a valid reviewer does not open a refused PR", () => {
    expect(refusal(facts({ files: [DOC, "other.md"] }))).toMatch(/more than its request doc \(other\.md\)/);
  });
});
