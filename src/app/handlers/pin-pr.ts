import { posix } from "node:path";
import { z } from "zod";
import { SigilError } from "../../core/index.js";
import { downloadRunPins, openPinPr, type PinSource } from "../../governance/index.js";
import { PinsFile } from "../../supply/index.js";
import type { Handler, HandlerContext } from "../handler-context.js";

/** The `repository_dispatch` action that carries pins without a workflow run artifact. */
export const PIN_DISPATCH_ACTION = "sigil-pins";

const Repository = z.object({
  name: z.string().min(1),
  owner: z.object({ login: z.string().min(1) }),
  default_branch: z.string().min(1),
});

const WorkflowRunCompleted = z.object({
  action: z.literal("completed"),
  workflow_run: z.object({
    id: z.number().int().positive(),
    run_number: z.number().int().nonnegative(),
    run_attempt: z.number().int().positive().default(1),
    conclusion: z.string().nullable(),
    head_branch: z.string().nullable(),
    head_sha: z.string().min(1),
    path: z.string(),
    html_url: z.string().url().nullable().optional(),
  }),
  repository: Repository,
});

const PinDispatch = z.object({
  action: z.literal(PIN_DISPATCH_ACTION),
  client_payload: z.object({
    pins: PinsFile,
    run: z.object({
      id: z.number().int().nonnegative(),
      number: z.number().int().nonnegative(),
      attempt: z.number().int().positive().default(1),
      url: z.string().url().nullable().default(null),
      source_commit: z.string().min(1),
    }),
  }),
  repository: Repository,
});

/**
 * Pin PRs (docs/app.md): a successful run of the configured Build & Pin workflow on the default
 * branch, or a `repository_dispatch` of action `sigil-pins` carrying the pins, opens or updates
 * the pin PR. Everything else is ignored with a debug line.
 */
export function createPinPrHandler(): Handler {
  const locks = new Map<string, Promise<unknown>>();
  return async (ctx) => {
    const trigger = parseTrigger(ctx);
    if (!trigger) return;
    const key = `${trigger.owner}/${trigger.repo}`.toLowerCase();
    // One pin PR job per repository at a time: two builds never interleave their reads and writes.
    const previous = locks.get(key) ?? Promise.resolve();
    const job = previous.catch(() => undefined).then(() => runPinPr(ctx, trigger));
    locks.set(key, job);
    try {
      await job;
    } finally {
      if (locks.get(key) === job) locks.delete(key);
    }
  };
}

interface Trigger {
  owner: string;
  repo: string;
  workflowFile?: string;
  branch?: string;
  defaultBranch: string;
  source: PinSource;
  loadPins: (ctx: HandlerContext) => Promise<PinsFile>;
}

function parseTrigger(ctx: HandlerContext): Trigger | undefined {
  if (ctx.event === "workflow_run.completed") {
    const parsed = WorkflowRunCompleted.safeParse(ctx.payload);
    if (!parsed.success)
      throw new SigilError("ERR_USAGE", `workflow_run payload: ${parsed.error.issues[0]?.message}`);
    const { workflow_run: run, repository } = parsed.data;
    if (run.conclusion !== "success") {
      ctx.logger.debug(
        { event: "pin_pr.ignored", reason: "conclusion", conclusion: run.conclusion },
        "not a success",
      );
      return undefined;
    }
    const owner = repository.owner.login;
    return {
      owner,
      repo: repository.name,
      workflowFile: posix.basename(run.path.replace(/@.*$/, "")),
      ...(run.head_branch ? { branch: run.head_branch } : {}),
      defaultBranch: repository.default_branch,
      source: {
        runId: run.id,
        runNumber: run.run_number,
        runAttempt: run.run_attempt,
        runUrl: run.html_url ?? null,
        sourceCommit: run.head_sha,
      },
      loadPins: (c) => downloadRunPins(c.octokit, { owner, repo: repository.name }, run.id),
    };
  }
  if (ctx.event === `repository_dispatch.${PIN_DISPATCH_ACTION}`) {
    const parsed = PinDispatch.safeParse(ctx.payload);
    if (!parsed.success)
      throw new SigilError(
        "ERR_USAGE",
        `repository_dispatch ${PIN_DISPATCH_ACTION} payload: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
      );
    const { client_payload: p, repository } = parsed.data;
    return {
      owner: repository.owner.login,
      repo: repository.name,
      defaultBranch: repository.default_branch,
      source: {
        runId: p.run.id,
        runNumber: p.run.number,
        runAttempt: p.run.attempt,
        runUrl: p.run.url,
        sourceCommit: p.run.source_commit,
      },
      loadPins: async () => p.pins,
    };
  }
  return undefined;
}

async function runPinPr(ctx: HandlerContext, trigger: Trigger): Promise<void> {
  const config = await ctx.loadConfig();
  if (trigger.workflowFile !== undefined && trigger.workflowFile !== config.workflows.build_pin) {
    ctx.logger.debug(
      { event: "pin_pr.ignored", reason: "workflow", workflow: trigger.workflowFile },
      "not Build & Pin",
    );
    return;
  }
  if (trigger.branch !== undefined && trigger.branch !== trigger.defaultBranch) {
    ctx.logger.debug(
      { event: "pin_pr.ignored", reason: "branch", branch: trigger.branch },
      "not the default branch",
    );
    return;
  }
  const outcome = await openPinPr(
    {
      owner: trigger.owner,
      repo: trigger.repo,
      base: config.pin_pr.base,
      labels: config.pin_pr.labels,
      registryDir: config.registry,
      source: trigger.source,
      loadPins: () => trigger.loadPins(ctx),
    },
    { octokit: ctx.octokit, enqueueWrite: ctx.enqueueWrite, logger: ctx.logger },
  );
  ctx.logger.info(
    { event: "pin_pr.outcome", status: outcome.status, pr: outcome.pr },
    `pin PR: ${outcome.status}`,
  );
}
