import { z } from "zod";
import { parseWith } from "../../core/index.js";
import {
  PIN_CHECK_NAME,
  pinCheckAnnotations,
  pinCheckTitle,
  readRegistryAt,
  renderPinCheckSummary,
  runPinCheck,
  writeCheckRun,
} from "../../governance/index.js";
import type { RegistryClient } from "../../supply/index.js";
import type { Handler } from "../handler-context.js";

/** The events this handler answers (docs/checks-and-reports.md). */
export const PIN_CHECK_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
] as const;
export const PIN_BRANCH_PREFIX = "sigil/pins/";

const PullRequestEvent = z.object({
  pull_request: z.object({
    number: z.number().int().positive(),
    head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), ref: z.string() }),
  }),
  repository: z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) }),
});

export interface PinCheckDeps {
  /** The OCI client for one registry host (ghcr.io with the installation token, in production). */
  registryClientFor: (registry: string) => RegistryClient;
  /** Registry host → host to fetch from instead (a mirror; a loopback registry in tests). */
  mirrors?: ReadonlyMap<string, string>;
}

/**
 * `sigil/pin-verify` on a PR's head: for pin branches (`sigil/pins/*`, every image must be
 * digest-pinned) and any PR touching the registry folder (the PR lane: tags allowed).
 */
export function createPinCheckHandler(deps: PinCheckDeps): Handler {
  return async (ctx) => {
    if (!(PIN_CHECK_EVENTS as readonly string[]).includes(ctx.event)) return;
    const event = parseWith(PullRequestEvent, ctx.payload, "ERR_INPUTS", `${ctx.event} payload`);
    const { number, head } = event.pull_request;
    const at = { owner: event.repository.owner.login, repo: event.repository.name };
    const config = await ctx.loadConfig();
    const folder = config.registry.replace(/\/+$/, "");
    const pinBranch = head.ref.startsWith(PIN_BRANCH_PREFIX);
    if (!pinBranch) {
      const files = await ctx.octokit.paginate(ctx.octokit.rest.pulls.listFiles, {
        ...at,
        pull_number: number,
        per_page: 100,
      });
      const touches = files.some((f) =>
        [f.filename, f.previous_filename].some((p) => p?.startsWith(`${folder}/`)),
      );
      if (!touches) {
        ctx.logger.debug({ event: "pin_check.skip", pull: number }, "PR does not touch the registry");
        return;
      }
    }
    const { files, truncated } = await readRegistryAt(ctx.octokit, { ...at, sha: head.sha }, folder);
    const result = await runPinCheck(
      files,
      {
        scope: `${at.owner}/${at.repo}`,
        lane: pinBranch ? "main" : "pr",
        registryClientFor: deps.registryClientFor,
        ...(deps.mirrors ? { mirrors: deps.mirrors } : {}),
      },
      truncated,
    );
    const written = await writeCheckRun(
      ctx.octokit,
      at,
      {
        name: PIN_CHECK_NAME,
        headSha: head.sha,
        externalId: `pin-verify:${head.sha}`,
        conclusion: result.conclusion,
        title: pinCheckTitle(result),
        summary: renderPinCheckSummary(result),
        annotations: pinCheckAnnotations(result),
      },
      ctx.enqueueWrite,
    );
    ctx.logger.info(
      {
        event: "pin_check.done",
        pull: number,
        conclusion: result.conclusion,
        check_run: written.id,
        written: written.written,
      },
      `pin check ${result.conclusion}`,
    );
  };
}
