import { join } from "node:path";
import { expect } from "vitest";
import { runCli } from "./cli.js";
import { REPO_ROOT } from "./temp.js";

export const EXAMPLE_BRIEFS = ["instagram-copy.yaml", "compliance-review.yaml"] as const;

/**
 * Runs an example brief through `sigil job run` (mock) into `world` and returns its
 * `<job_id>/<run_id>`. Run them in EXAMPLE_BRIEFS order: the second is chained on the first.
 */
export async function runExampleJob(world: string, brief: (typeof EXAMPLE_BRIEFS)[number]): Promise<string> {
  const args = [
    "job",
    "run",
    join(REPO_ROOT, "examples/briefs", brief),
    "--world",
    world,
    "--root",
    REPO_ROOT,
    "--mode",
    "mock",
    "--json",
  ];
  const run = await runCli(args, { cwd: REPO_ROOT });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const { job_id, run_id } = JSON.parse(run.stdout) as { job_id: string; run_id: string };
  return `${job_id}/${run_id}`;
}
