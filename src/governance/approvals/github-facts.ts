import type { Octokit } from "@octokit/rest";
import { z } from "zod";
import { parseWith, SIGIL_CONFIG_PATH, SigilError, sha256Hex } from "../../core/index.js";
import { parseSigilConfig } from "../config.js";
import { httpStatusOf } from "../publisher/index.js";
import { latestReviews, type ReviewFacts, type SovereignPolicy } from "./review-decision.js";

/**
 * The fresh GitHub reads a gate decision rests on (docs/orchestrator.md "Gates on GitHub"): never
 * a webhook payload. Every response is parsed with zod; only the fields the rule uses are kept.
 * Requests: the PR, the policy, reviews, files, commits, the request doc (one page each for any
 * real request PR), then per reviewer whose latest review is APPROVED: the permission, and each
 * policy team's membership unless the policy names the reviewer.
 */
const Account = z.object({ login: z.string(), id: z.number().int(), type: z.string() });
const MaybeAccount = z.union([Account, z.object({}).strict(), z.null()]).optional();

const Pull = z.object({
  number: z.number().int(),
  state: z.enum(["open", "closed"]),
  created_at: z.string(),
  user: Account.nullable(),
  head: z.object({ sha: z.string(), ref: z.string(), repo: z.object({ full_name: z.string() }).nullable() }),
  base: z.object({ ref: z.string(), repo: z.object({ full_name: z.string(), default_branch: z.string() }) }),
});
const Review = z.object({
  id: z.number().int(),
  user: Account.nullable(),
  state: z.string(),
  commit_id: z.string().nullable(),
  submitted_at: z.string().optional(),
});
const File = z.object({ filename: z.string(), previous_filename: z.string().optional() });
const Commit = z.object({ sha: z.string(), author: MaybeAccount, committer: MaybeAccount });
const Content = z.object({
  type: z.string(),
  content: z.string().optional(),
  encoding: z.string().optional(),
});
const Permission = z.object({ permission: z.string() });
const Membership = z.object({ state: z.enum(["active", "pending"]) });

/** A repository and the owner/name pair Octokit takes. */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/** One read; 404 answers `missing` when given, anything else is ERR_GATE_READ. */
async function read<T>(
  operation: string,
  request: () => Promise<{ data: unknown }>,
  schema: z.ZodType<T>,
): Promise<T>;
async function read<T, M>(
  operation: string,
  request: () => Promise<{ data: unknown }>,
  schema: z.ZodType<T>,
  missing: M,
): Promise<T | M>;
async function read<T, M>(
  operation: string,
  request: () => Promise<{ data: unknown }>,
  schema: z.ZodType<T>,
  ...missing: [M?]
): Promise<T | M> {
  let data: unknown;
  try {
    data = (await request()).data;
  } catch (error) {
    if (error instanceof SigilError) throw error;
    const status = httpStatusOf(error);
    if (status === 404 && missing.length > 0) return missing[0] as M;
    throw new SigilError("ERR_GATE_READ", `${operation} answered ${status ?? "no response"}`, {
      operation,
      ...(status ? { status } : {}),
    });
  }
  return parseWith(schema, data, "ERR_GATE_READ", operation);
}

async function readAll<T>(
  operation: string,
  list: () => Promise<unknown[]>,
  schema: z.ZodType<T>,
): Promise<T[]> {
  let items: unknown[];
  try {
    items = await list();
  } catch (error) {
    const status = httpStatusOf(error);
    throw new SigilError("ERR_GATE_READ", `${operation} answered ${status ?? "no response"}`, { operation });
  }
  return parseWith(z.array(schema), items, "ERR_GATE_READ", operation);
}

/** A file's bytes at a ref through the contents API, or null when absent (or not a file). */
export async function readFileAt(
  octokit: Octokit,
  at: RepoRef & { path: string; ref: string },
): Promise<Uint8Array | null> {
  const file = await read(
    "repos/get-content",
    () => octokit.rest.repos.getContent({ owner: at.owner, repo: at.repo, path: at.path, ref: at.ref }),
    z.union([Content, z.array(z.unknown())]),
    null,
  );
  if (!file || Array.isArray(file) || file.type !== "file" || file.encoding !== "base64") return null;
  return new Uint8Array(Buffer.from(file.content ?? "", "base64"));
}

/** `sovereigns.users` and `.teams` of `.github/sigil.yml` on `branch` (the default branch), read now. */
export async function readSovereignPolicy(
  octokit: Octokit,
  at: RepoRef & { branch: string },
): Promise<SovereignPolicy> {
  const bytes = await readFileAt(octokit, { ...at, path: SIGIL_CONFIG_PATH, ref: at.branch });
  const text = bytes ? Buffer.from(bytes).toString("utf8") : "";
  const config = parseSigilConfig(text, `${at.owner}/${at.repo}@${at.branch}:${SIGIL_CONFIG_PATH}`);
  return { users: config.sovereigns.users, teams: config.sovereigns.teams };
}

export interface ReadReviewFactsInput extends RepoRef {
  readonly pullNumber: number;
  /** The request doc's path: its digest at the live head is recomputed. */
  readonly requestPath: string;
  readonly nowMs: number;
  readonly editedReviewIds?: readonly number[];
}

export interface ReadReviewFacts {
  readonly facts: ReviewFacts;
  /** From the governance repository's default branch, read in the same decision. */
  readonly policy: SovereignPolicy;
  readonly pr: { readonly created_at: string; readonly default_branch: string };
}

/** Everything `decideReviewApproval` needs, read fresh from the API now. */
export async function readReviewFacts(
  octokit: Octokit,
  input: ReadReviewFactsInput,
): Promise<ReadReviewFacts> {
  const repo = { owner: input.owner, repo: input.repo };
  const pull_number = input.pullNumber;
  const pr = await read("pulls/get", () => octokit.rest.pulls.get({ ...repo, pull_number }), Pull);
  const [policy, reviews, files, commits, doc] = await Promise.all([
    readSovereignPolicy(octokit, { ...repo, branch: pr.base.repo.default_branch }),
    readAll(
      "pulls/list-reviews",
      () => octokit.paginate(octokit.rest.pulls.listReviews, { ...repo, pull_number, per_page: 100 }),
      Review,
    ),
    readAll(
      "pulls/list-files",
      () => octokit.paginate(octokit.rest.pulls.listFiles, { ...repo, pull_number, per_page: 100 }),
      File,
    ),
    readAll(
      "pulls/list-commits",
      () => octokit.paginate(octokit.rest.pulls.listCommits, { ...repo, pull_number, per_page: 100 }),
      Commit,
    ),
    readFileAt(octokit, { ...repo, path: input.requestPath, ref: pr.head.sha }),
  ]);
  // A review by a deleted account (user null) names nobody: it cannot approve.
  const kept = reviews.flatMap((r) =>
    r.user
      ? [
          {
            id: r.id,
            user: r.user,
            state: r.state,
            commit_id: r.commit_id ?? "",
            submitted_at: r.submitted_at ?? "",
          },
        ]
      : [],
  );
  const approvers = [...latestReviews(kept).values()]
    .filter((r) => r.state === "APPROVED")
    .map((r) => r.user);
  const permissions: Record<string, string> = {};
  const teams: Record<string, Record<string, string>> = {};
  await Promise.all(
    approvers.map(async (who) => {
      const level = await read(
        "repos/get-collaborator-permission-level",
        () => octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: who.login }),
        Permission,
        null,
      );
      permissions[who.login] = level?.permission ?? "none";
      if (policy.users.some((u) => u === who.login || u === who.id)) return;
      const states: Record<string, string> = {};
      for (const team of policy.teams) {
        const [org = "", team_slug = ""] = team.split("/");
        const membership = await read(
          "teams/get-membership-for-user-in-org",
          () => octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug, username: who.login }),
          Membership,
          null,
        );
        if (membership) states[team] = membership.state;
      }
      teams[who.login] = states;
    }),
  );
  const pushers = new Set<string>();
  for (const c of commits)
    for (const a of [c.author, c.committer]) if (a && "login" in a) pushers.add(a.login as string);
  const facts: ReviewFacts = {
    pr: {
      number: pr.number,
      state: pr.state,
      user: pr.user ?? { login: "ghost", id: 0, type: "User" },
      head: { sha: pr.head.sha, ref: pr.head.ref, repo: pr.head.repo?.full_name ?? "(deleted fork)" },
      base: { ref: pr.base.ref, repo: pr.base.repo.full_name },
    },
    reviews: kept,
    files: [
      ...new Set(files.flatMap((f) => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])])),
    ],
    pushers: [...pushers],
    permissions,
    teams,
    editedReviewIds: input.editedReviewIds ?? [],
    requestDocSha: doc ? sha256Hex(doc) : null,
    nowMs: input.nowMs,
  };
  return { facts, policy, pr: { created_at: pr.created_at, default_branch: pr.base.repo.default_branch } };
}
