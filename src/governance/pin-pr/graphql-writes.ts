import type { Octokit } from "@octokit/rest";
import { SigilError } from "../../core/index.js";
import { type GraphqlAnswer, graphqlFailure, runGraphql } from "./graphql-state.js";

/** One entry of GraphQL's `updateRefs`: `beforeOid` is the compare-and-swap (zeros: must not exist). */
export interface RefUpdate {
  name: string;
  afterOid: string;
  beforeOid: string;
  force: boolean;
}

export type Enqueue = <T>(write: () => Promise<T>) => Promise<T>;

/** A write GitHub refused: `stale` when a compare-and-swap lost (someone moved a ref meanwhile). */
export interface Refused {
  ok: false;
  stale: boolean;
  message: string;
}

const STALE = /STALE_DATA|expected|not a fast.?forward|already exists|does not match/i;

function refusal(answer: GraphqlAnswer<unknown>): Refused {
  const first = answer.errors[0];
  const message = first ? `${(first.path ?? []).join(".")}: ${first.message}` : "no data";
  return { ok: false, stale: answer.errors.some((e) => STALE.test(`${e.type ?? ""} ${e.message}`)), message };
}

const HEAD_QUERY = `query PinPrHead($owner: String!, $repo: String!, $ref: String!) {
  repository(owner: $owner, name: $repo) {
    ref(qualifiedName: $ref) { target { oid ... on Commit { message parents(first: 2) { nodes { oid } } } } }
  }
}`;

/** A branch head as a lost compare-and-swap is judged: its oid, message and parents. */
async function readHead(
  octokit: Octokit,
  nameWithOwner: string,
  branch: string,
): Promise<{ oid: string; message: string; parents: string[] } | undefined> {
  const [owner, repo] = nameWithOwner.split("/");
  type Head = {
    repository: {
      ref: { target: { oid: string; message?: string; parents?: { nodes: Array<{ oid: string }> } } } | null;
    };
  };
  const data = await octokit
    .graphql<Head>(HEAD_QUERY, { owner, repo, ref: `refs/heads/${branch}` })
    .catch((error: unknown) => {
      throw graphqlFailure(error, "PinPrHead");
    });
  const target = data.repository.ref?.target;
  if (!target) return undefined;
  return {
    oid: target.oid,
    message: target.message ?? "",
    parents: (target.parents?.nodes ?? []).map((n) => n.oid),
  };
}

/** The trailer that names one intended commit, so a retried mutation recognises its own commit. */
export const commitTrailer = (token: string) => `Sigil-Pin-Commit: ${token}`;

/**
 * ONE mutation: the ref updates (atomic, each a compare-and-swap), then a commit of `files` on
 * `branch` whose head must still be `expectedHead`. The commit's oid, or why it was refused.
 * When the compare-and-swap lost because an earlier attempt of this very mutation ran (its answer
 * lost, the write queue retried), the branch head is the App's commit: one commit on
 * `expectedHead` carrying `token`'s trailer. That commit is adopted (one more query, only then).
 */
export async function commitOnBranch(
  octokit: Octokit,
  enqueueWrite: Enqueue,
  input: {
    repositoryId: string;
    nameWithOwner: string;
    branch: string;
    expectedHead: string;
    refUpdates: RefUpdate[];
    headline: string;
    body: string;
    token: string;
    files: ReadonlyArray<{ path: string; text: string }>;
  },
): Promise<{ ok: true; oid: string } | Refused> {
  const withRefs = input.refUpdates.length > 0;
  const document = `mutation PinPrCommit(${withRefs ? "$repositoryId: ID!, $refUpdates: [RefUpdate!]!, " : ""}$commit: CreateCommitOnBranchInput!) {
  ${withRefs ? "refs: updateRefs(input: {repositoryId: $repositoryId, refUpdates: $refUpdates}) { clientMutationId }\n  " : ""}commit: createCommitOnBranch(input: $commit) { commit { oid } }
}`;
  const answer = await enqueueWrite(() =>
    runGraphql<{ commit: { commit: { oid: string } | null } | null }>(octokit, document, {
      ...(withRefs ? { repositoryId: input.repositoryId, refUpdates: input.refUpdates } : {}),
      commit: {
        branch: { repositoryNameWithOwner: input.nameWithOwner, branchName: input.branch },
        expectedHeadOid: input.expectedHead,
        message: { headline: input.headline, body: `${input.body}\n\n${commitTrailer(input.token)}` },
        fileChanges: {
          additions: input.files.map((f) => ({
            path: f.path,
            contents: Buffer.from(f.text, "utf8").toString("base64"),
          })),
        },
      },
    }),
  );
  const oid = answer.data?.commit?.commit?.oid;
  if (oid && /^[0-9a-f]{40}$/.test(oid) && answer.errors.length === 0) return { ok: true, oid };
  const refused = refusal(answer);
  if (!refused.stale) return refused;
  const head = await readHead(octokit, input.nameWithOwner, input.branch);
  const own =
    head !== undefined &&
    head.parents.length === 1 &&
    head.parents[0] === input.expectedHead &&
    head.message.split("\n").includes(commitTrailer(input.token));
  return own ? { ok: true, oid: head.oid } : refused;
}

/**
 * ONE mutation updating the open pin PR, after the ref updates when there are any (a failed ref
 * update does not stop the PR update: GitHub runs every field; the caller reports the refusal).
 */
export async function updatePinPr(
  octokit: Octokit,
  enqueueWrite: Enqueue,
  input: {
    repositoryId: string;
    nameWithOwner: string;
    pullRequestId: string;
    title: string;
    body: string;
    /** The pin branch move first (when the base moved), then the scratch branch's deletion. */
    refUpdates: RefUpdate[];
  },
): Promise<{ ok: true } | Refused> {
  const withRefs = input.refUpdates.length > 0;
  const document = `mutation PinPrUpdate(${withRefs ? "$repositoryId: ID!, $refUpdates: [RefUpdate!]!, " : ""}$pr: UpdatePullRequestInput!) {
  ${withRefs ? "refs: updateRefs(input: {repositoryId: $repositoryId, refUpdates: $refUpdates}) { clientMutationId }\n  " : ""}pr: updatePullRequest(input: $pr) { pullRequest { number } }
}`;
  const answer = await enqueueWrite(() =>
    runGraphql<{ pr: { pullRequest: { number: number } | null } | null }>(octokit, document, {
      ...(withRefs ? { repositoryId: input.repositoryId, refUpdates: input.refUpdates } : {}),
      pr: { pullRequestId: input.pullRequestId, title: input.title, body: input.body },
    }),
  );
  if (answer.errors.length === 0 && answer.data?.pr?.pullRequest) return { ok: true };
  const refused = refusal(answer);
  const move = input.refUpdates[0];
  if (!refused.stale || !move || !answer.data?.pr?.pullRequest) return refused;
  // An earlier attempt of this document already moved the branch: the move is done, not lost.
  const head = await readHead(octokit, input.nameWithOwner, move.name.replace(/^refs\/heads\//, ""));
  return head?.oid === move.afterOid ? { ok: true } : refused;
}

/** ONE mutation opening the pin PR; its number. */
export async function createPinPr(
  octokit: Octokit,
  enqueueWrite: Enqueue,
  input: { repositoryId: string; base: string; head: string; title: string; body: string },
): Promise<number> {
  const answer = await enqueueWrite(() =>
    runGraphql<{ pr: { pullRequest: { number: number } | null } | null }>(
      octokit,
      `mutation PinPrOpen($pr: CreatePullRequestInput!) {
  pr: createPullRequest(input: $pr) { pullRequest { number } }
}`,
      {
        pr: {
          repositoryId: input.repositoryId,
          baseRefName: input.base,
          headRefName: input.head,
          title: input.title,
          body: input.body,
        },
      },
    ),
  );
  const number = answer.data?.pr?.pullRequest?.number;
  if (typeof number === "number" && answer.errors.length === 0) return number;
  throw new SigilError("ERR_GITHUB_GRAPHQL", `PinPrOpen: ${refusal(answer).message}`);
}
