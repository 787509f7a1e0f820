// `sigil init` and `sigil processor new`: a scaffold that runs, verifies and passes its own tests
// before anyone edits it; refuses to overwrite; names the toolkit by its one repository and tag.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import {
  Envelope,
  ERROR_TABLE,
  parseJsonStrict,
  TOOLKIT_RELEASE_TAG,
  TOOLKIT_REPOSITORY,
} from "../../src/core/index.js";
import { MAIN_WORKFLOW, PR_WORKFLOW } from "../../src/scaffold/index.js";
import { localUsesProblems, workflowErrors, workflowFiles } from "../fixtures/pr-lane/workflow-lint.js";
import { runSigilProcess } from "../helpers/cli.js";
import { REPO_ROOT, snapshotTree, tempDir } from "../helpers/temp.js";

const env = (home: string) => ({ PATH: process.env.PATH, HOME: home });

async function sigil(cwd: string, ...argv: string[]) {
  return runSigilProcess(argv, { cwd, env: env(cwd) });
}

function expectError(run: { code: number; stdout: string }, code: keyof typeof ERROR_TABLE, exit = 1) {
  expect(run.code).toBe(exit);
  const body = JSON.parse(run.stdout);
  expect(body.status).toBe("error");
  expect(body.error.code).toBe(code);
  expect(body.error.message).toContain(ERROR_TABLE[code]);
  return body.error.message as string;
}

describe("sigil init", () => {
  test("scaffolds a repository whose example processor runs, verifies and passes its own tests", async () => {
    await using dir = await tempDir("sigil-init-");
    const init = await sigil(dir.path, "init", "--repo", "acme/widgets", "--json");
    expect(init.code, init.stderr).toBe(0);
    const report = JSON.parse(init.stdout);
    expect(report.ref).toBe("example/echo@1");
    expect(report.written).toEqual(
      expect.arrayContaining([
        ".github/sigil.yml",
        PR_WORKFLOW,
        MAIN_WORKFLOW,
        "doctrine/house-style/v1.md",
        "briefs/example.yaml",
        "processors/example/echo/main.py",
        "processors/example/echo/provider.py",
        "processors/example/echo/Dockerfile",
        "processors/example/echo/tests/test_echo.py",
        "registry/processors/example-echo-v1.yaml",
      ]),
    );
    expect(report.next_steps[0]).toBe("npx sigil run --ref example/echo@1 --mode mock --json");
    const entry = parse(await readFile(join(dir.path, "registry/processors/example-echo-v1.yaml"), "utf8"));
    expect(entry.image).toBe("ghcr.io/acme/widgets/example-echo:dev");
    const dockerfile = await readFile(join(dir.path, "processors/example/echo/Dockerfile"), "utf8");
    expect(dockerfile).toContain("COPY --from=runtime . /tmp/sigil-runtime");
    expect(dockerfile).toContain("pip install --no-cache-dir /tmp/sigil-runtime");

    const run = await sigil(dir.path, "run", "--ref", "example/echo@1", "--mode", "mock", "--json");
    expect(run.code, run.stderr).toBe(0);
    expect(Envelope.parse(parseJsonStrict(run.stdout.trim())).status).toBe("success");
    const verify = await sigil(dir.path, "verify", "artifacts", "--json");
    expect(verify.code, verify.stdout).toBe(0);

    // The scaffolded Python test, with the toolkit's runtime importable as a user would install it.
    const py = await execa(
      "python3",
      ["-m", "unittest", "discover", "-s", "processors", "-t", "processors"],
      {
        cwd: dir.path,
        env: {
          PATH: process.env.PATH,
          PYTHONPATH: join(REPO_ROOT, "processors"),
          PYTHONDONTWRITEBYTECODE: "1",
        },
        extendEnv: false,
        reject: false,
      },
    );
    expect(py.exitCode, py.stderr).toBe(0);
    expect(py.stderr).toMatch(/Ran 2 tests/);
  });

  test("the workflows call the toolkit's reusable lanes at its release tag, with declared inputs only", async () => {
    await using dir = await tempDir("sigil-init-");
    expect((await sigil(dir.path, "init", "--repo", "acme/widgets")).code).toBe(0);
    const files = workflowFiles();
    for (const [path, lane] of [
      [PR_WORKFLOW, "pr-lane.yml"],
      [MAIN_WORKFLOW, "main-lane.yml"],
    ] as const) {
      const content = await readFile(join(dir.path, path), "utf8");
      const workflow = parse(content);
      const job = workflow.jobs.sigil;
      expect(job.uses).toBe(`${TOOLKIT_REPOSITORY}/.github/workflows/${lane}@${TOOLKIT_RELEASE_TAG}`);
      expect(job.with["sigil-ref"]).toBe(TOOLKIT_RELEASE_TAG);
      // Checked against this repository's copy of the called workflow (what the tag holds).
      const local = content.replace(job.uses, `./.github/workflows/${lane}`);
      expect(localUsesProblems(path, local, files)).toEqual([]);
      const { errors } = await workflowErrors(path, local, files);
      expect(errors).toEqual([]);
    }
    expect(parse(await readFile(join(dir.path, PR_WORKFLOW), "utf8")).permissions).toEqual({
      contents: "read",
    });
    expect(parse(await readFile(join(dir.path, MAIN_WORKFLOW), "utf8")).permissions).toEqual({
      contents: "read",
      packages: "write",
    });
  });

  test("refuses to overwrite anything (ERR_INIT_EXISTS), writes nothing, and --force replaces", async () => {
    await using dir = await tempDir("sigil-init-");
    await writeFile(join(dir.path, "README.md"), "mine\n");
    expect((await sigil(dir.path, "init", "--repo", "acme/widgets")).code).toBe(0);
    await writeFile(join(dir.path, ".github/sigil.yml"), "registry: registry/processors\n");
    const before = await snapshotTree(dir.path);
    const again = await sigil(dir.path, "init", "--repo", "acme/widgets", "--json");
    const message = expectError(again, "ERR_INIT_EXISTS");
    expect(message).toContain(".github/sigil.yml");
    expect(message).toContain("--force");
    expect(await snapshotTree(dir.path)).toEqual(before);
    const forced = await sigil(dir.path, "init", "--repo", "acme/widgets", "--force", "--json");
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).overwritten).toContain(".github/sigil.yml");
    // Shared files (.gitignore, package markers) are kept, never replaced.
    const kept: string[] = JSON.parse(forced.stdout).kept;
    expect(kept).toContain(".gitignore");
    expect(kept.filter((p) => p !== ".gitignore" && !p.endsWith("/__init__.py"))).toEqual([]);
    expect(await readFile(join(dir.path, "README.md"), "utf8")).toBe("mine\n");
  });

  test("a bad --repo or --ref is a usage error (exit 2) and writes nothing", async () => {
    await using dir = await tempDir("sigil-init-");
    expectError(await sigil(dir.path, "init", "--repo", "nope", "--json"), "ERR_USAGE", 2);
    expectError(await sigil(dir.path, "init", "--repo", "a/b", "--ref", "Bad", "--json"), "ERR_USAGE", 2);
    expect([...(await snapshotTree(dir.path)).keys()]).toEqual([]);
  });
});

describe("sigil processor new", () => {
  test("adds a processor with the registry's namespace baked in, secrets by name, that runs in mock", async () => {
    await using dir = await tempDir("sigil-new-");
    expect((await sigil(dir.path, "init", "--repo", "acme/widgets")).code).toBe(0);
    const added = await sigil(
      dir.path,
      "processor",
      "new",
      "--ref",
      "vision/flux@1",
      "--secret",
      "REPLICATE_API_TOKEN",
      "--json",
    );
    expect(added.code, added.stdout).toBe(0);
    const report = JSON.parse(added.stdout);
    expect(report.repo).toBe("acme/widgets");
    expect(report.written).toContain("registry/processors/vision-flux-v1.yaml");
    const entry = parse(await readFile(join(dir.path, "registry/processors/vision-flux-v1.yaml"), "utf8"));
    expect(entry).toMatchObject({
      ref: "vision/flux@1",
      image: "ghcr.io/acme/widgets/vision-flux:dev",
      source: "processors/vision/flux",
      secrets: ["REPLICATE_API_TOKEN"],
    });
    const provider = await readFile(join(dir.path, "processors/vision/flux/provider.py"), "utf8");
    expect(provider).toContain('REQUIRED_SECRETS = ["REPLICATE_API_TOKEN"]');
    const run = await sigil(dir.path, "run", "--ref", "vision/flux@1", "--mode", "mock", "--json");
    expect(run.code, run.stderr).toBe(0);

    // The same ref again: refused, unless --force.
    expectError(
      await sigil(dir.path, "processor", "new", "--ref", "vision/flux@1", "--json"),
      "ERR_INIT_EXISTS",
    );
    // A ref whose processor is scaffolded makes the example brief runnable (its job type's executor).
    expect((await sigil(dir.path, "processor", "new", "--ref", "llm/litellm@1")).code).toBe(0);
    const job = await sigil(dir.path, "job", "run", "briefs/example.yaml", "--mode", "mock", "--json");
    expect(job.code, job.stdout + job.stderr).toBe(0);
    expect(JSON.parse(job.stdout).status).toBe("success");
    expect((await sigil(dir.path, "verify", "artifacts", "--json")).code).toBe(0);
  });

  test("without --repo, an empty registry and no GITHUB_REPOSITORY: ERR_USAGE", async () => {
    await using dir = await tempDir("sigil-new-");
    const run = await sigil(dir.path, "processor", "new", "--ref", "a/b@1", "--json");
    expect(expectError(run, "ERR_USAGE", 2)).toContain("--repo");
    const withEnv = await runSigilProcess(["processor", "new", "--ref", "a/b@1", "--json"], {
      cwd: dir.path,
      env: { ...env(dir.path), GITHUB_REPOSITORY: "acme/gadgets" },
    });
    expect(withEnv.code).toBe(0);
    expect(JSON.parse(withEnv.stdout).repo).toBe("acme/gadgets");
  });
});
