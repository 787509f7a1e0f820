import type { Octokit } from "@octokit/rest";
import { z } from "zod";
import { parseWith, SigilError } from "../../core/index.js";

export interface RunCoords {
  owner: string;
  repo: string;
  runId: number;
}

export interface ArtifactInfo {
  id: number;
  name: string;
  /** Zipped size, as GitHub lists it. */
  size_in_bytes: number;
  expired: boolean;
}

/** What one artifact download may weigh (zipped), 256 MiB by default. */
export const DEFAULT_ARTIFACT_MAX_BYTES = 256 * 1024 * 1024;

const Artifacts = z.array(
  z.object({ id: z.number(), name: z.string(), size_in_bytes: z.number(), expired: z.boolean() }),
);

const failed = (detail: string, details: Record<string, unknown> = {}) =>
  new SigilError("ERR_ARTIFACT_DOWNLOAD", detail, details);

/** The workflow run's artifact called `name`, or undefined when the run uploaded none by that name. */
export async function findRunArtifact(
  octokit: Octokit,
  run: RunCoords,
  name: string,
): Promise<ArtifactInfo | undefined> {
  const listed = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
    owner: run.owner,
    repo: run.repo,
    run_id: run.runId,
    name,
    per_page: 100,
  });
  const artifacts = parseWith(Artifacts, listed, "ERR_INTERNAL", "workflow run artifacts");
  // The newest upload wins when a re-run attempt uploaded the name again.
  return artifacts
    .filter((a) => a.name === name)
    .sort((a, b) => b.id - a.id)
    .map(({ id, name: n, size_in_bytes, expired }) => ({ id, name: n, size_in_bytes, expired }))[0];
}

/**
 * Downloads an artifact's zip through the Octokit port (GitHub answers with a redirect to blob
 * storage, which the port follows), refusing it when its listed size or the bytes actually
 * received pass `maxBytes`: the body is streamed and counted, never trusted to be small.
 */
export async function downloadArtifact(
  octokit: Octokit,
  at: { owner: string; repo: string },
  artifact: ArtifactInfo,
  maxBytes: number = DEFAULT_ARTIFACT_MAX_BYTES,
): Promise<Buffer> {
  const tooBig = (size: number) =>
    failed(`artifact ${artifact.name} (${artifact.id}) is ${size} bytes, over the limit of ${maxBytes}`, {
      artifact: artifact.id,
      reason: "size",
    });
  if (artifact.expired)
    throw failed(`artifact ${artifact.name} (${artifact.id}) has expired`, { reason: "expired" });
  if (artifact.size_in_bytes > maxBytes) throw tooBig(artifact.size_in_bytes);
  let body: unknown;
  try {
    const response = await octokit.rest.actions.downloadArtifact({
      ...at,
      artifact_id: artifact.id,
      archive_format: "zip",
      request: { parseSuccessResponseBody: false },
    });
    body = response.data;
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw failed(`artifact ${artifact.name} (${artifact.id}): GitHub answered ${status ?? "with an error"}`, {
      artifact: artifact.id,
      ...(status !== undefined ? { status } : {}),
    });
  }
  if (!(body instanceof ReadableStream)) throw failed(`artifact ${artifact.name}: no body`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body as ReadableStream<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await body.cancel().catch(() => undefined);
      throw tooBig(total);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
