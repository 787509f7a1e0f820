import type { Octokit } from "@octokit/rest";
import { z } from "zod";
import { parseWith, SigilError } from "../../core/index.js";
import type { EnqueueWrite, RepoCoords } from "./check-run.js";
import { type KeyedLock, reportWriteLock } from "./keyed-lock.js";
import { COMMENT_BODY_LIMIT, fitMarkdown } from "./limits.js";

const KIND = /^[a-z0-9][a-z0-9-]{0,40}$/;

/** The hidden first line that names a sticky comment's report kind. */
export function reportMarker(kind: string): string {
  if (!KIND.test(kind)) throw new SigilError("ERR_INTERNAL", `report kind ${JSON.stringify(kind)}`);
  return `<!-- sigil:report:${kind} -->`;
}

export interface StickyCommentTarget extends RepoCoords {
  issueNumber: number;
}

export interface StickyCommentOptions {
  /** The App's own bot user id: only its comments are ever found, trusted and edited. */
  appUserId: number;
  enqueueWrite: EnqueueWrite;
  /** Linked from a truncated body. */
  fullReportUrl?: string;
  /** Serializes report writes per PR; the process-wide lock by default. */
  lock?: KeyedLock;
}

export interface StickyCommentWritten {
  id: number;
  action: "created" | "updated" | "unchanged";
  truncated: boolean;
}

const Comments = z.array(
  z.object({
    id: z.number(),
    body: z.string().optional(),
    user: z.object({ id: z.number() }).nullable(),
  }),
);
const Written = z.object({ id: z.number() });

/**
 * One comment per report kind per PR (docs/checks-and-reports.md): found by its hidden marker AND
 * the App's author id, updated in place (or left alone when the body is the same), created only
 * when none exists. Fitted under GitHub's 65,536 characters with a count and a link.
 */
export async function upsertStickyComment(
  octokit: Octokit,
  target: StickyCommentTarget,
  kind: string,
  markdown: string,
  options: StickyCommentOptions,
): Promise<StickyCommentWritten> {
  const marker = reportMarker(kind);
  const fitted = fitMarkdown(markdown, COMMENT_BODY_LIMIT - marker.length - 1, options.fullReportUrl);
  const body = `${marker}\n${fitted.text}`;
  const { owner, repo, issueNumber } = target;
  const key = `${owner}/${repo}#${issueNumber}`.toLowerCase();
  return (options.lock ?? reportWriteLock).run(key, async () => {
    const listed = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issueNumber,
      per_page: 100,
    });
    const comments = parseWith(Comments, listed, "ERR_INTERNAL", "issue comments");
    // Another user's comment may carry the marker too: it is never ours to trust or edit.
    const ours = comments.find((c) => c.user?.id === options.appUserId && c.body?.startsWith(marker));
    if (ours?.body === body) return { id: ours.id, action: "unchanged", truncated: fitted.truncated };
    if (ours) {
      await options.enqueueWrite(() =>
        octokit.rest.issues.updateComment({ owner, repo, comment_id: ours.id, body }),
      );
      return { id: ours.id, action: "updated", truncated: fitted.truncated };
    }
    const created = await options.enqueueWrite(() =>
      octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body }),
    );
    const id = parseWith(Written, created.data, "ERR_INTERNAL", "created comment").id;
    return { id, action: "created", truncated: fitted.truncated };
  });
}
