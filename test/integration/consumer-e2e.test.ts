// A consumer repository end to end: `sigil init`, a commit pushed to a local bare remote, a
// fresh clone as actions/checkout leaves it, and the PR lane run through the bundled action as
// the runner runs it: with NO processors/_runtime in that repository (the toolkit brings it).
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { git, runBundledAction, type Sandbox } from "../fixtures/pr-lane/runner.js";
import { runSigilProcess } from "../helpers/cli.js";
import { exists, tempDir } from "../helpers/temp.js";

const REPO = "acme/widgets";

async function sigil(cwd: string, ...argv: string[]) {
  const run = await runSigilProcess(argv, { cwd, env: { PATH: process.env.PATH, HOME: cwd } });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return run;
}

async function commitAndPush(repo: string, message: string): Promise<string> {
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", message);
  await git(repo, "push", "-q", "origin", "main");
  return git(repo, "rev-parse", "HEAD");
}

describe("a repository set up with sigil init runs the PR lane through the bundled action", () => {
  test("init → push → PR lane passes; processor new → push → the changed-only lane checks the new one", async () => {
    await using dir = await tempDir("sigil-consumer-");
    const remote = join(dir.path, "remote.git");
    const dev = join(dir.path, "dev");
    const runnerFiles = join(dir.path, "runner");
    const outside = {
      tmp: join(dir.path, "outside/tmp"),
      home: join(dir.path, "outside/home"),
      runnerTemp: join(dir.path, "outside/runner-temp"),
    };
    for (const d of [dev, runnerFiles, ...Object.values(outside)]) await mkdir(d, { recursive: true });
    await git(dir.path, "init", "-q", "--bare", "-b", "main", remote);
    await git(dev, "init", "-q", "-b", "main");
    await git(dev, "remote", "add", "origin", remote);

    // The developer: scaffold, commit, push.
    await sigil(dev, "init", "--repo", REPO);
    const first = await commitAndPush(dev, "SIGIL.ZERO");

    // The runner: a fresh clone of the pushed commit is the workspace.
    const workspace = join(dir.path, "workspace");
    await git(dir.path, "clone", "-q", remote, workspace);
    expect(await exists(join(workspace, "processors/_runtime"))).toBe(false);
    const sandbox: Sandbox = { workspace, runnerFiles, outside, [Symbol.asyncDispose]: async () => {} };
    const github = {
      GITHUB_REPOSITORY: REPO,
      GITHUB_SHA: first,
      GITHUB_REF: "refs/heads/main",
      GITHUB_EVENT_NAME: "push",
      GITHUB_RUN_ID: "1",
    };
    const run = await runBundledAction("pr-lane", sandbox, { repository: REPO }, github);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.passed).toBe("true");
    expect(JSON.parse(run.outputs.verdicts ?? "")).toEqual({ "example/echo@1": "pass" });
    expect(run.outputs["summary-path"]).toBe(join(workspace, "artifacts/pr-lane/summary.json"));
    expect(run.summary).toContain("SIGIL.ZERO · PR lane · ✅ passed");
    expect(run.summary).toContain("<code>example/echo@1</code>");
    expect(run.summary).toContain("<code>outputs/result.json</code>");
    expect(run.summary).toContain("<code>outputs/response.txt</code>");
    const report = JSON.parse(await readFile(run.outputs["summary-path"] ?? "", "utf8"));
    expect(report.processors[0]).toMatchObject({ ref: "example/echo@1", verdict: "pass", verifier: "pass" });

    // A processor added with `sigil processor new`, pushed, checked on a changed-only run.
    await sigil(dev, "processor", "new", "--ref", "vision/flux@1");
    const second = await commitAndPush(dev, "vision/flux@1");
    await git(workspace, "pull", "-q", "origin", "main");
    expect(await exists(join(workspace, "processors/_runtime"))).toBe(false);
    const changed = await runBundledAction(
      "pr-lane",
      sandbox,
      { repository: REPO, "changed-only": "true", "base-ref": first, world: "artifacts-2" },
      { ...github, GITHUB_SHA: second },
    );
    expect(changed.exitCode, changed.stdout).toBe(0);
    expect(changed.outputs.passed).toBe("true");
    expect(JSON.parse(changed.outputs.verdicts ?? "")).toEqual({ "vision/flux@1": "pass" });
    expect(changed.summary).toContain("<code>vision/flux@1</code>");
    expect(changed.summary).toContain("Unchanged, not run: <code>example/echo@1</code>");
  });
});
