import type { Octokit } from "@octokit/rest";
import { z } from "zod";
import { parseWith, SigilError } from "../../core/index.js";
import { isRegistryPath } from "./plan.js";

/** How deep registry folders may nest below the registry folder: the query asks that deep. */
export const REGISTRY_DEPTH = 4;

/** git's "no object": a ref update from it creates the ref, to it deletes the ref. */
export const ZERO_OID = "0".repeat(40);

const Oid = z.string().regex(/^[0-9a-f]{40}$/);

/** The pin PRs of a branch, newest first, with what the App decides from. */
export interface PinPrNode {
  id: string;
  number: number;
  open: boolean;
  body: string;
  headOid: string;
  byBot: boolean;
}

/** Everything a pin PR delivery reads, from one GraphQL query whatever the number of processors. */
export interface PinPrState {
  repositoryId: string;
  /** The base branch head, its tree and its registry files (repository path → text). */
  base: { commit: string; tree: string; registry: Map<string, string> };
  /** Head commit of the pin branch, and of the App's scratch branch, when they exist. */
  pinHead: string | undefined;
  scratchHead: string | undefined;
  pulls: PinPrNode[];
}

interface TreeNode {
  name: string;
  type: string;
  object?: {
    text?: string | null;
    isBinary?: boolean | null;
    isTruncated?: boolean;
    entries?: TreeNode[] | null;
  } | null;
}

const TreeNode: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.string(),
    object: z
      .object({
        text: z.string().nullable().optional(),
        isBinary: z.boolean().nullable().optional(),
        isTruncated: z.boolean().optional(),
        entries: z.array(TreeNode).nullable().optional(),
      })
      .nullable()
      .optional(),
  }),
);

const Ref = z.object({ target: z.object({ oid: Oid }) }).nullable();

const Response = z.object({
  repository: z.object({
    id: z.string().min(1),
    base: z
      .object({
        target: z.object({
          oid: Oid,
          tree: z.object({ oid: Oid }),
          file: z
            .object({
              type: z.string(),
              object: z.object({ entries: z.array(TreeNode).nullable().optional() }).nullable(),
            })
            .nullable(),
        }),
      })
      .nullable(),
    pin: Ref,
    scratch: Ref,
    pullRequests: z.object({
      nodes: z.array(
        z.object({
          id: z.string().min(1),
          number: z.number().int().positive(),
          state: z.enum(["OPEN", "CLOSED", "MERGED"]),
          body: z.string(),
          headRefOid: Oid,
          author: z.object({ __typename: z.string() }).nullable(),
        }),
      ),
    }),
  }),
});

/** The selection of a tree's entries, nested `depth` folders deep (GraphQL has no recursion). */
function entriesSelection(depth: number): string {
  const blob = "... on Blob { text isBinary isTruncated }";
  const tree = depth > 1 ? ` ... on Tree { ${entriesSelection(depth - 1)} }` : "";
  return `entries { name type object { ${blob}${tree} } }`;
}

/** The one read of a pin PR delivery (docs/app.md "Pin PRs": the requests). */
export const PIN_PR_STATE_QUERY = `query PinPrState($owner: String!, $repo: String!, $baseRef: String!, $base: String!, $pinRef: String!, $pinBranch: String!, $scratchRef: String!, $registry: String!) {
  repository(owner: $owner, name: $repo) {
    id
    base: ref(qualifiedName: $baseRef) {
      target { oid ... on Commit { tree { oid } file(path: $registry) { type object { ... on Tree { ${entriesSelection(REGISTRY_DEPTH)} } } } } }
    }
    pin: ref(qualifiedName: $pinRef) { target { oid } }
    scratch: ref(qualifiedName: $scratchRef) { target { oid } }
    pullRequests(headRefName: $pinBranch, baseRefName: $base, states: [OPEN, CLOSED, MERGED], first: 20, orderBy: {field: CREATED_AT, direction: DESC}) {
      nodes { id number state body headRefOid author { __typename } }
    }
  }
}`;

/**
 * Reads the base branch (head, tree, registry files), the pin branch and scratch heads and the
 * pin branch's PRs in ONE GraphQL request. A GraphQL error is ERR_GITHUB_GRAPHQL.
 */
export async function readPinPrState(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  names: { base: string; pinBranch: string; scratchBranch: string; registryDir: string },
): Promise<PinPrState> {
  const registry = names.registryDir.replace(/^\/+|\/+$/g, "");
  let raw: unknown;
  try {
    raw = await octokit.graphql(PIN_PR_STATE_QUERY, {
      owner: repo.owner,
      repo: repo.repo,
      baseRef: `refs/heads/${names.base}`,
      base: names.base,
      pinRef: `refs/heads/${names.pinBranch}`,
      pinBranch: names.pinBranch,
      scratchRef: `refs/heads/${names.scratchBranch}`,
      registry,
    });
  } catch (error) {
    throw graphqlFailure(error, "PinPrState");
  }
  const data = parseWith(Response, raw, "ERR_GITHUB_GRAPHQL", "PinPrState answer");
  const r = data.repository;
  if (!r.base)
    throw new SigilError("ERR_GITHUB_GRAPHQL", `PinPrState: base branch ${names.base} does not exist`);
  const texts = new Map<string, string>();
  const folder = r.base.target.file;
  if (folder?.type === "tree" && folder.object?.entries)
    registryTextsUnder(registry, folder.object.entries, texts);
  return {
    repositoryId: r.id,
    base: { commit: r.base.target.oid, tree: r.base.target.tree.oid, registry: texts },
    pinHead: r.pin?.target.oid,
    scratchHead: r.scratch?.target.oid,
    pulls: r.pullRequests.nodes.map((pr) => ({
      id: pr.id,
      number: pr.number,
      open: pr.state === "OPEN",
      body: pr.body,
      headOid: pr.headRefOid,
      byBot: pr.author?.__typename === "Bot",
    })),
  };
}

/** The registry files of the registry folder's listing, by repository path; refuses what the query cannot hold. */
function registryTextsUnder(registry: string, entries: readonly TreeNode[], out: Map<string, string>) {
  for (const entry of entries) {
    const path = `${registry}/${entry.name}`;
    if (entry.type === "tree") {
      if (!entry.object?.entries)
        throw new SigilError(
          "ERR_REGISTRY_ENTRY",
          `${path}: registry folders may nest at most ${REGISTRY_DEPTH} levels`,
        );
      walk(path, entry.object.entries, REGISTRY_DEPTH - 1);
      continue;
    }
    take(path, entry);
  }
  function walk(dir: string, list: readonly TreeNode[], depth: number) {
    for (const entry of list) {
      const path = `${dir}/${entry.name}`;
      if (entry.type === "tree") {
        if (depth <= 1 || !entry.object?.entries)
          throw new SigilError(
            "ERR_REGISTRY_ENTRY",
            `${path}: registry folders may nest at most ${REGISTRY_DEPTH} levels`,
          );
        walk(path, entry.object.entries, depth - 1);
      } else take(path, entry);
    }
  }
  function take(path: string, entry: TreeNode) {
    if (entry.type !== "blob" || !isRegistryPath(path, registry)) return;
    const blob = entry.object;
    if (!blob || blob.isBinary || blob.isTruncated || typeof blob.text !== "string")
      throw new SigilError("ERR_REGISTRY_ENTRY", `${path} is binary or too large to read as text`);
    out.set(path, blob.text);
  }
}

/** What a GraphQL request answered: its data, and the errors of the fields that failed. */
export interface GraphqlAnswer<T> {
  data: T | undefined;
  errors: Array<{ message: string; type?: string; path?: ReadonlyArray<string | number> }>;
}

/**
 * Runs a GraphQL mutation and returns data and field errors side by side: GitHub runs a document's
 * mutations one after another and a failed one does not stop the next, so the caller decides per
 * field. HTTP failures (rate limits, 5xx) are thrown, for the write queue to retry.
 */
export async function runGraphql<T>(
  octokit: Octokit,
  document: string,
  variables: Record<string, unknown>,
): Promise<GraphqlAnswer<T>> {
  try {
    return { data: await octokit.graphql<T>(document, variables), errors: [] };
  } catch (error) {
    const e = error as { name?: string; data?: unknown; errors?: unknown };
    if (e?.name !== "GraphqlResponseError" || !Array.isArray(e.errors)) throw error;
    return { data: (e.data ?? undefined) as T | undefined, errors: e.errors as GraphqlAnswer<T>["errors"] };
  }
}

/** A GraphQL answer with errors, as ERR_GITHUB_GRAPHQL; HTTP failures pass through unchanged. */
export function graphqlFailure(error: unknown, operation: string): unknown {
  const e = error as { name?: string; errors?: Array<{ message?: string }> };
  if (e?.name !== "GraphqlResponseError") return error;
  const first = e.errors?.[0]?.message ?? "an error";
  return new SigilError("ERR_GITHUB_GRAPHQL", `${operation}: ${first}`, {
    errors: (e.errors ?? []).map((x) => String(x.message ?? "")).slice(0, 5),
  });
}
