import type { Octokit } from "@octokit/rest";
import { z } from "zod";
import { parseWith } from "../../core/index.js";

/** One registry YAML file as it is at a commit. */
export interface RegistryFile {
  /** Repository-relative path, e.g. `registry/processors/llm-litellm-v1.yaml`. */
  path: string;
  /** The blob's bytes: decoding (strict UTF-8) is part of the check, so a bad file is a finding. */
  bytes: Uint8Array;
}

export interface CommitCoords {
  owner: string;
  repo: string;
  sha: string;
}

const TreeResponse = z.object({
  truncated: z.boolean(),
  tree: z.array(z.object({ path: z.string(), type: z.string(), sha: z.string() })),
});
const BlobResponse = z.object({ content: z.string(), encoding: z.string() });

/** Files under `folder` ending in .yaml/.yml, in a recursive tree listing. */
export function registryPaths(
  tree: readonly { path: string; type: string; sha: string }[],
  folder: string,
): { path: string; sha: string }[] {
  const prefix = `${folder.replace(/\/+$/, "")}/`;
  return tree
    .filter((e) => e.type === "blob" && e.path.startsWith(prefix) && /\.ya?ml$/.test(e.path))
    .map(({ path, sha }) => ({ path, sha }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * The registry as it is at one commit, read through the API (never a checkout of untrusted code):
 * one recursive tree read, then one blob read per YAML file of the registry folder. A truncated
 * tree is returned as such so the caller can say the check is incomplete rather than pass.
 */
export async function readRegistryAt(
  octokit: Octokit,
  at: CommitCoords,
  folder: string,
): Promise<{ files: RegistryFile[]; truncated: boolean }> {
  const { owner, repo, sha } = at;
  const response = await octokit.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: "1" });
  const tree = parseWith(TreeResponse, response.data, "ERR_INTERNAL", "git tree response");
  const files: RegistryFile[] = [];
  for (const entry of registryPaths(tree.tree, folder)) {
    const blob = await octokit.rest.git.getBlob({ owner, repo, file_sha: entry.sha });
    const { content, encoding } = parseWith(BlobResponse, blob.data, "ERR_INTERNAL", "git blob response");
    const bytes = encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8");
    files.push({ path: entry.path, bytes });
  }
  return { files, truncated: tree.truncated };
}
