import type { Octokit } from "@octokit/rest";
import { SigilError } from "../../core/index.js";
import { type PinsFile, parsePins } from "../../supply/index.js";
import { isRegistryPath } from "./plan.js";
import { readZipEntries } from "./zip.js";

/** The artifact Build & Pin uploads, and its one entry. */
export const PINS_ARTIFACT = "sigil-pins";
export const PINS_ENTRY = "pins.json";

const MiB = 1024 * 1024;

function bytesOf(data: unknown): Buffer {
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === "string") return Buffer.from(data, "binary");
  throw new SigilError("ERR_PIN_ARTIFACT", "the download answered no bytes");
}

/** `pins.json` of a workflow run: one list (by name) and one download; only that entry is read. */
export async function downloadRunPins(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  runId: number,
): Promise<PinsFile> {
  const listed = await octokit.rest.actions.listWorkflowRunArtifacts({
    ...repo,
    run_id: runId,
    name: PINS_ARTIFACT,
  });
  const artifact = listed.data.artifacts.find((a) => a.name === PINS_ARTIFACT && !a.expired);
  if (!artifact)
    throw new SigilError("ERR_PIN_ARTIFACT", `run ${runId} has no unexpired ${PINS_ARTIFACT} artifact`, {
      run_id: runId,
    });
  const download = await octokit.rest.actions.downloadArtifact({
    ...repo,
    artifact_id: artifact.id,
    archive_format: "zip",
  });
  const { entries } = await readZipEntries(
    bytesOf(download.data),
    (name) => name === PINS_ENTRY,
    { maxArchiveBytes: 8 * MiB, maxEntryBytes: 1 * MiB, maxEntries: 1 },
    `artifact ${PINS_ARTIFACT} of run ${runId}`,
  );
  const text = entries.get(PINS_ENTRY);
  if (!text)
    throw new SigilError(
      "ERR_PIN_ARTIFACT",
      `artifact ${PINS_ARTIFACT} of run ${runId} holds no ${PINS_ENTRY}`,
    );
  return parsePins(text.toString("utf8"), `${PINS_ENTRY} of run ${runId}`);
}

export interface BaseSnapshot {
  commit: string;
  tree: string;
  /** Registry YAML files at `commit`: repository path → text. */
  registry: Map<string, string>;
}

/**
 * The base branch head (one request: commit and tree) and its registry files (one zipball, only
 * the registry entries inflated): two requests whatever the number of processors.
 */
export async function readBase(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  branch: string,
  registryDir: string,
): Promise<BaseSnapshot> {
  const head = await octokit.rest.repos.getBranch({ ...repo, branch });
  const commit = head.data.commit.sha;
  const tree = head.data.commit.commit.tree.sha;
  const archive = await octokit.rest.repos.downloadZipballArchive({ ...repo, ref: commit });
  const top = (name: string) => name.slice(name.indexOf("/") + 1);
  const { entries } = await readZipEntries(
    bytesOf(archive.data),
    (name) => isRegistryPath(top(name), registryDir),
    { maxArchiveBytes: 256 * MiB, maxEntryBytes: 1 * MiB, maxEntries: 5000 },
    `zipball of ${repo.owner}/${repo.repo}@${commit.slice(0, 12)}`,
  );
  const registry = new Map<string, string>();
  for (const [name, bytes] of entries) registry.set(top(name), bytes.toString("utf8"));
  return { commit, tree, registry };
}
