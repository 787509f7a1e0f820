import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Octokit } from "@octokit/rest";
import { SigilError } from "../../core/index.js";
import { type PinsFile, parsePins } from "../../supply/index.js";
import { downloadArtifact, extractZip, findRunArtifact } from "../artifact/index.js";

/** The artifact Build & Pin uploads, and its one entry. */
export const PINS_ARTIFACT = "sigil-pins";
export const PINS_ENTRY = "pins.json";

const MiB = 1024 * 1024;

/**
 * `pins.json` of a workflow run: one list (by name) and one download, unpacked by the artifact
 * module's guarded extractor (ERR_ARTIFACT_UNSAFE on `..`, links, duplicates, bombs).
 */
export async function downloadRunPins(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  runId: number,
): Promise<PinsFile> {
  const artifact = await findRunArtifact(octokit, { ...repo, runId }, PINS_ARTIFACT);
  if (!artifact || artifact.expired)
    throw new SigilError("ERR_PIN_ARTIFACT", `run ${runId} has no unexpired ${PINS_ARTIFACT} artifact`, {
      run_id: runId,
    });
  const zip = await downloadArtifact(octokit, repo, artifact, 8 * MiB);
  await using extracted = await extractZip(zip, {
    maxEntryBytes: 1 * MiB,
    maxTotalBytes: 8 * MiB,
    maxEntries: 16,
  });
  if (!extracted.files.includes(PINS_ENTRY))
    throw new SigilError(
      "ERR_PIN_ARTIFACT",
      `artifact ${PINS_ARTIFACT} of run ${runId} holds no ${PINS_ENTRY}`,
    );
  const text = await readFile(join(extracted.dir, PINS_ENTRY), "utf8");
  return parsePins(text, `${PINS_ENTRY} of run ${runId}`);
}
