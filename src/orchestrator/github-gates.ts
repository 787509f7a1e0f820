import type { Octokit } from "@octokit/rest";
import { type Clock, isoUtc, SigilError, sha256Hex } from "../core/index.js";
import {
  decideReviewApproval,
  type GateRequest,
  type GovernancePublisher,
  githubCall,
  readFileAt,
  readReviewFacts,
} from "../governance/index.js";
import type { RunContext, StepRecord } from "./context.js";
import type { GateBackend } from "./gates.js";
import type { GateStep } from "./pipeline.js";

/**
 * Gates on GitHub (docs/orchestrator.md "Gates on GitHub"): each gate is an authorization-request
 * PR in the governance repository, and a gate opens only on a decision taken from fresh API reads
 * with `decideReviewApproval`. The backend never writes an approval itself.
 */
export const GATE_BRANCH_PREFIX = "sigil/gates/";

/** How long a request stays approvable by default: 14 days. */
export const DEFAULT_REQUEST_TTL_MS = 14 * 24 * 3600 * 1000;

/** `sigil/gates/<run_id>/<gate>` */
export function gateBranch(runId: string, gateId: string): string {
  return `${GATE_BRANCH_PREFIX}${runId}/${gateId}`;
}

const BRANCH =
  /^(?:refs\/heads\/)?sigil\/gates\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/(SG\d+)$/;

export function parseGateBranch(ref: string): { runId: string; gate: string } | null {
  const m = BRANCH.exec(ref);
  return m ? { runId: m[1] as string, gate: m[2] as string } : null;
}

/** The hidden marker of a request PR's body. */
export function gateRequestMarker(runId: string, gateId: string, requestSha256: string): string {
  return `<!-- sigil:gate-request run=${runId} gate=${gateId} sha256=${requestSha256} -->`;
}

export interface GitHubGateOptions {
  octokit: Octokit; // from createOctokit (src/github/octokit.ts), the App's installation or a token
  owner: string;
  repo: string; // the governance repository: request PRs are opened there
  clock: Clock;
  /** Review ids seen in pull_request_review.edited deliveries (the App records them); default: none. */
  editedReviewIds?: (pullNumber: number) => Promise<readonly number[]>;
  /** How long a request stays approvable; default 14 days. */
  requestTtlMs?: number;
  /** The KB publisher: an approved request doc is committed through it before the run goes on. */
  publisher?: GovernancePublisher;
}

type RequestRef = NonNullable<StepRecord["request_ref"]>;

const isAlreadyThere = (error: unknown) =>
  error instanceof SigilError && error.details?.status === 422 && /already exists/i.test(error.message);

export function requestPrBody(input: {
  run: Readonly<RunContext>;
  gate: GateStep;
  path: string;
  sha256: string;
  defaultBranch: string;
}): string {
  const { run, gate } = input;
  return [
    `## ${gate.id} ${gate.name}: authorization request`,
    "",
    `Run \`${run.run_id}\` (pipeline \`${run.pipeline}\`, subject \`${run.subject_id}\`, started by \`${run.actor}\`) is waiting at gate **${gate.id}**.`,
    "",
    `- Request doc: \`${input.path}\``,
    `- Request digest (sha256): \`${input.sha256}\``,
    "",
    `**Approving this PR authorises**: ${gate.authorises}`,
    "",
    `**Who may approve**: a sovereign named in \`sovereigns.users\` or an active member of a team in \`sovereigns.teams\` of \`.github/sigil.yml\` on \`${input.defaultBranch}\`, with write permission, who neither started the run, opened this PR nor pushed to it. Submit an **Approve** review on the current head commit; a later push, a dismissal, an edit or a later non-approving review revokes it. Do not merge or edit this PR: once the gate opens, the App records the request doc on \`${input.defaultBranch}\` and closes it.`,
    "",
    gateRequestMarker(run.run_id, gate.id, input.sha256),
    "",
  ].join("\n");
}

export function createGitHubGateBackend(options: GitHubGateOptions): GateBackend {
  const { octokit, owner, repo, clock } = options;
  const at = { owner, repo };
  const ttl = options.requestTtlMs ?? DEFAULT_REQUEST_TTL_MS;

  /** The branch at `branch` holding exactly `bytes` at `path`: its head; other bytes: a conflict. */
  const existingHead = async (branch: string, path: string, bytes: Uint8Array): Promise<string> => {
    const { data } = await githubCall("git/get-ref", () =>
      octokit.rest.git.getRef({ ...at, ref: `heads/${branch}` }),
    );
    const held = await readFileAt(octokit, { ...at, path, ref: data.object.sha });
    if (!held || sha256Hex(held) !== sha256Hex(bytes))
      throw new SigilError("ERR_PUBLISH_CONFLICT", `${branch} already holds another ${path}`, {
        branch,
        path,
      });
    return data.object.sha;
  };

  const openRequest: GateBackend["openRequest"] = async ({ run, gate, path, bytes }) => {
    const branch = gateBranch(run.run_id, gate.id);
    const sha256 = sha256Hex(bytes);
    const { data: info } = await githubCall("repos/get", () => octokit.rest.repos.get(at));
    const base = info.default_branch;
    const { data: tip } = await githubCall("repos/get-branch", () =>
      octokit.rest.repos.getBranch({ ...at, branch: base }),
    );
    const tree = await githubCall("git/create-tree", () =>
      octokit.rest.git.createTree({
        ...at,
        base_tree: tip.commit.commit.tree.sha,
        tree: [{ path, mode: "100644", type: "blob", content: Buffer.from(bytes).toString("utf8") }],
      }),
    );
    const commit = await githubCall("git/create-commit", () =>
      octokit.rest.git.createCommit({
        ...at,
        message: `orchestrator ${run.run_id}: ${gate.id} ${gate.name} authorization request`,
        tree: tree.data.sha,
        parents: [tip.commit.sha],
      }),
    );
    let head = commit.data.sha;
    try {
      await githubCall("git/create-ref", () =>
        octokit.rest.git.createRef({ ...at, ref: `refs/heads/${branch}`, sha: commit.data.sha }),
      );
    } catch (error) {
      // A crash after the ref was made: reuse the branch if it holds the same doc.
      if (!isAlreadyThere(error)) throw error;
      head = await existingHead(branch, path, bytes);
    }
    const body = requestPrBody({ run, gate, path, sha256, defaultBranch: base });
    let number: number;
    try {
      const created = await githubCall("pulls/create", () =>
        octokit.rest.pulls.create({
          ...at,
          head: branch,
          base,
          title: `${gate.id} ${gate.name}: authorization request for run ${run.run_id}`,
          body,
        }),
      );
      number = created.data.number;
    } catch (error) {
      if (!isAlreadyThere(error)) throw error;
      const { data: open } = await githubCall("pulls/list", () =>
        octokit.rest.pulls.list({ ...at, head: `${owner}:${branch}`, base, state: "open" }),
      );
      const found = open.find((p) => p.head.ref === branch);
      if (!found) throw error;
      number = found.number;
    }
    return { number, head_sha: head, branch, base_ref: base, opened_at: isoUtc(clock.nowMs()) };
  };

  const decide: GateBackend["decide"] = async ({ run, gate, step }) => {
    const ref: RequestRef | null = step.request_ref;
    if (!ref)
      throw new SigilError(
        "ERR_APPROVAL_MISSING",
        `${gate.id} of run ${run.run_id} has no request PR on record`,
      );
    const edited = options.editedReviewIds ? await options.editedReviewIds(ref.number) : [];
    const nowMs = clock.nowMs();
    const read = await readReviewFacts(octokit, {
      ...at,
      pullNumber: ref.number,
      requestPath: step.doc_path,
      nowMs,
      editedReviewIds: edited,
    });
    const openedMs = Date.parse(ref.opened_at ?? read.pr.created_at);
    const request: GateRequest = {
      run_id: run.run_id,
      gate: gate.id,
      request_path: step.doc_path,
      request_sha256: step.doc_sha256,
      head_sha: ref.head_sha,
      base_ref: ref.base_ref ?? read.pr.default_branch,
      branch: ref.branch,
      repo: `${owner}/${repo}`,
      run_starter: run.actor,
      expires_at_ms: (Number.isFinite(openedMs) ? openedMs : 0) + ttl,
    };
    const approval = decideReviewApproval(read.facts, request, read.policy);
    return {
      gate: gate.id,
      method: "pull-request-review",
      approver: approval.reviewer,
      request_sha256: approval.request_sha256,
      approval_digest: approval.approval_digest,
      review_id: approval.review_id,
      commit_sha: approval.commit_sha,
      approved_at: isoUtc(nowMs),
    };
  };

  const settleRequest: NonNullable<GateBackend["settleRequest"]> = async ({ run, gate, step, bytes }) => {
    const ref = step.request_ref;
    const approval = step.approval;
    if (!ref || !approval) return;
    await options.publisher?.publish({
      message: `orchestrator ${run.run_id}: ${gate.id} ${gate.name} authorization request, approved by ${approval.approver}`,
      files: [{ path: step.doc_path, bytes }],
    });
    const base = ref.base_ref ?? "the default branch";
    const body = [
      requestPrBody({ run, gate, path: step.doc_path, sha256: step.doc_sha256, defaultBranch: base }),
      `**Approved** by @${approval.approver} (review ${approval.review_id ?? "?"} on \`${approval.commit_sha ?? "?"}\`) at ${approval.approved_at}. The request doc is recorded on \`${base}\`; the App closed this PR and the run goes on.`,
      "",
    ].join("\n");
    await githubCall("pulls/update", () =>
      octokit.rest.pulls.update({ ...at, pull_number: ref.number, state: "closed", body }),
    );
  };

  return { kind: "github", openRequest, decide, settleRequest };
}
