import { readFile } from "node:fs/promises";
import { Probot, ProbotOctokit } from "probot";
import { z } from "zod";
import { type Logger, parseJsonStrict, SigilError } from "../core/index.js";
import { createSigilApp } from "./app.js";
import type { HandlerRegistration } from "./handler-registry.js";

const ActionsEnv = z.object({
  GITHUB_EVENT_NAME: z.string({ error: "GITHUB_EVENT_NAME is required" }).min(1),
  GITHUB_EVENT_PATH: z.string({ error: "GITHUB_EVENT_PATH is required" }).min(1),
  GITHUB_TOKEN: z
    .string({ error: "GITHUB_TOKEN is required (pass secrets.GITHUB_TOKEN or an App token)" })
    .min(1),
  GITHUB_API_URL: z.string().url().default("https://api.github.com"),
  GITHUB_RUN_ID: z.string().default("local"),
});

/**
 * Runs the App without a server, inside a GitHub Actions job (docs/app.md "The Actions way"):
 * the job's event (`GITHUB_EVENT_NAME`, the payload at `GITHUB_EVENT_PATH`) goes through the
 * same handler list via `probot.receive()`, authenticated with `GITHUB_TOKEN`. Resolves to the
 * names of the handlers that failed (none: the step passes).
 */
export async function receiveActionsEvent(
  env: Readonly<Record<string, string | undefined>>,
  handlers: readonly HandlerRegistration[],
  logger: Logger,
): Promise<string[]> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = ActionsEnv.safeParse(present);
  if (!parsed.success)
    throw new SigilError(
      "ERR_APP_CONFIG",
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  const e = parsed.data;
  let payload: unknown;
  try {
    payload = parseJsonStrict(await readFile(e.GITHUB_EVENT_PATH, "utf8"));
  } catch (error) {
    throw new SigilError(
      "ERR_APP_CONFIG",
      `GITHUB_EVENT_PATH: cannot read the event: ${(error as Error).message}`,
    );
  }
  const failed: string[] = [];
  const probot = new Probot({
    githubToken: e.GITHUB_TOKEN,
    baseUrl: e.GITHUB_API_URL,
    log: logger,
    Octokit: ProbotOctokit,
  });
  await probot.load(createSigilApp({ handlers, logger, onFailure: (_error, name) => failed.push(name) }));
  await probot.receive({
    id: `actions-${e.GITHUB_RUN_ID}`,
    name: e.GITHUB_EVENT_NAME,
    payload,
  } as Parameters<Probot["receive"]>[0]);
  return failed;
}
