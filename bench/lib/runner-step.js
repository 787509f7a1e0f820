// The files and variables the Actions runner gives one step of a bundled action (`node dist/x.js`):
// a temp dir, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the workspace. Shared by the action benchmarks.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function runnerStep(dir, workspace) {
  mkdirSync(join(dir, "tmp"));
  const output = join(dir, "output");
  const summary = join(dir, "summary");
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    TMPDIR: join(dir, "tmp"),
    CI: "true",
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
  };
  /** Empties the output and summary files, as a new step starts with. */
  const reset = () => {
    writeFileSync(output, "");
    writeFileSync(summary, "");
  };
  return { env, output, summary, reset };
}
