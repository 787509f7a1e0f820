import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { SigilError } from "../../src/core/index.js";
import { runJob } from "../../src/jobs/index.js";
import { runExampleJob } from "./example-jobs.js";
import { instagramBrief, jobDeps, writeBrief, writeSettledRun } from "./job-world.js";
import { tempDir } from "./temp.js";

/** Worlds for report tests: real runs through `sigil job run`, copied per test. */
export interface ReportWorld {
  /** The template: acme copy → acme review (chained), and a failed run. */
  path: string;
  copyRun: string;
  reviewRun: string;
  failedRun: string;
}

/** The two example briefs (the second chained on the first) and one run that failed after admission. */
export async function makeReportWorld(): Promise<ReportWorld & AsyncDisposable> {
  const path = await mkdtemp(join(tmpdir(), "sigil-report-world-"));
  const copyRun = await runExampleJob(path, "instagram-copy.yaml");
  const reviewRun = await runExampleJob(path, "compliance-review.yaml");
  await using briefs = await tempDir();
  const brief = await writeBrief(briefs.path, "b.yaml", instagramBrief());
  const error = (await runJob({ briefPath: brief, world: path, mode: "real" }, jobDeps()).catch(
    (e: unknown) => e,
  )) as SigilError;
  expect(error.code).toBe("ERR_MISSING_SECRET");
  const failedRun = `acme-copy/${String(error.details.run_id)}`;
  return {
    path,
    copyRun,
    reviewRun,
    failedRun,
    [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }),
  };
}

/** A copy of a World in a temp folder of its own (removed at the end of the scope). */
export async function copyWorld(from: string): Promise<{ path: string } & AsyncDisposable> {
  const dir = await tempDir("sigil-report-copy-");
  const path = join(dir.path, "world");
  await cp(from, path, { recursive: true });
  return { path, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

/** Flip one byte of a file: the verifier's hash check must notice. */
export async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  await writeFile(path, bytes);
}

/** Markup and script where a World's names and bytes go: none of it may become markup. */
export const HOSTILE = {
  jobId: `<img src=x onerror="document.title='pwned-job'">`,
  jobType: `"><svg onload="document.title='pwned-type'">`,
  outputName: `outputs/x</pre><script>document.title='pwned-name'</script>.txt`,
  outputText: `</pre></td></tr></table><script>document.title='pwned-text'</script><img src=x onerror="document.title='pwned-img'">`,
};

/** A settled run whose job id, job type, output name and output bytes are all hostile. */
export async function writeHostileRun(worldRoot: string): Promise<string> {
  const { manifest } = await writeSettledRun(worldRoot, {
    jobId: HOSTILE.jobId,
    jobType: HOSTILE.jobType,
    seed: "hostile",
    outputs: { [HOSTILE.outputName]: HOSTILE.outputText },
  });
  return `${manifest.job_id}/${manifest.run_id}`;
}
