import { z } from "zod";
import {
  advanceOnGateDelivery,
  type GateDeliveryOutcome,
  parseGateBranch,
} from "../../orchestrator/index.js";
import type { Handler, HandlerContext } from "../handler-context.js";

/** The deliveries that can change a request PR's decision (docs/app.md "Gates"). */
export const APPROVAL_EVENTS = [
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
  "pull_request.synchronize",
  "pull_request.closed",
  "pull_request.reopened",
  "pull_request.edited",
] as const;

/** The check run that reports a gate decision on its request PR. */
export const GATE_CHECK_NAME = "sigil/gate";

// Only "which PR to look at": the decision reads everything else fresh from the API.
const GatePullEvent = z.object({
  pull_request: z.object({
    number: z.number().int().positive(),
    head: z.object({ ref: z.string().min(1), sha: z.string().regex(/^[0-9a-f]{40}$/) }),
  }),
  review: z.object({ id: z.number().int().positive() }).optional(),
  repository: z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) }),
});

export interface ApprovalHandlerDeps {
  /** The project whose `.sigil/orchestrator/` holds the runs' sidecars and ledger. */
  orchestratorRoot: string;
  /** Tests swap the orchestrator's opener. */
  open?: Parameters<typeof advanceOnGateDelivery>[0]["open"];
}

/**
 * Review and push events on a request PR (head `sigil/gates/<run_id>/<gate>`): the run is resumed
 * with the GitHub orchestrator, whose gate backend decides; the outcome becomes the `sigil/gate`
 * check run. Deliveries are handled one at a time (one ledger, one run advancing at once).
 */
export function createApprovalHandler(deps: ApprovalHandlerDeps): Handler {
  let queue: Promise<unknown> = Promise.resolve();
  return async (ctx) => {
    if (!(APPROVAL_EVENTS as readonly string[]).includes(ctx.event)) return;
    const parsed = GatePullEvent.safeParse(ctx.payload);
    const named = parsed.success ? parseGateBranch(parsed.data.pull_request.head.ref) : null;
    if (!parsed.success || !named) return;
    const { pull_request: pr, repository, review } = parsed.data;
    const repo = { owner: repository.owner.login, repo: repository.name };
    const job = queue.then(() =>
      advanceOnGateDelivery({
        root: deps.orchestratorRoot,
        ...repo,
        octokit: ctx.octokit,
        clock: ctx.clock,
        runId: named.runId,
        gate: named.gate,
        pullNumber: pr.number,
        ...(ctx.event === "pull_request_review.edited" && review ? { editedReviewId: review.id } : {}),
        ...(deps.open ? { open: deps.open } : {}),
      }),
    );
    queue = job.catch(() => undefined);
    const outcome = await job;
    ctx.logger.info(
      { event: "gate.outcome", status: outcome.status, run_id: named.runId, gate: named.gate, pr: pr.number },
      `${named.gate}: ${outcome.status}`,
    );
    const check = checkFor(named.gate, outcome);
    if (check) await report(ctx, repo, pr.head.sha, check);
  };
}

interface GateCheck {
  conclusion: "success" | "neutral" | "failure";
  title: string;
  summary: string;
}

/** Only a decision is reported; a no-op (unknown run, gate already open, another delivery's turn) is not. */
function checkFor(gate: string, outcome: GateDeliveryOutcome): GateCheck | null {
  switch (outcome.status) {
    case "opened":
      return {
        conclusion: "success",
        title: `${gate} approved by ${outcome.approval.approver}`,
        summary: `Review ${outcome.approval.review_id} on ${outcome.approval.commit_sha} opened ${gate}; the run is now ${outcome.run.state}${outcome.run.gate ? ` at ${outcome.run.gate}` : ""}.`,
      };
    case "refused":
      return {
        conclusion: "neutral",
        title: `${gate} stays closed (${outcome.code})`,
        summary: outcome.reasons.map((r) => `- ${r}`).join("\n"),
      };
    case "failed":
      return { conclusion: "failure", title: `${gate}: ${outcome.code}`, summary: outcome.message };
    default:
      return null;
  }
}

async function report(
  ctx: HandlerContext,
  repo: { owner: string; repo: string },
  headSha: string,
  check: GateCheck,
): Promise<void> {
  await ctx.enqueueWrite(() =>
    ctx.octokit.rest.checks.create({
      ...repo,
      name: GATE_CHECK_NAME,
      head_sha: headSha,
      status: "completed",
      conclusion: check.conclusion,
      output: { title: check.title.slice(0, 255), summary: check.summary.slice(0, 60_000) },
    }),
  );
}
