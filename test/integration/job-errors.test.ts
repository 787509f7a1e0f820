import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE, type ErrorCode, SigilError } from "../../src/core/index.js";
import { runJob } from "../../src/jobs/index.js";
import { runCli } from "../helpers/cli.js";
import {
  type BriefObject,
  instagramBrief,
  jobDeps,
  reviewBrief,
  rewriteOutputs,
  writeBrief,
  writeSettledRun,
} from "../helpers/job-world.js";
import { exists, REPO_ROOT, snapshotTree, tempDir } from "../helpers/temp.js";

async function expectRefusal(
  code: ErrorCode,
  run: () => Promise<unknown>,
  detail?: string | RegExp,
): Promise<SigilError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigilError);
  const sigil = error as SigilError;
  expect(sigil.code).toBe(code);
  expect(sigil.message).toContain(ERROR_TABLE[code]);
  if (detail) expect(sigil.message).toMatch(detail);
  return sigil;
}

/** Run a brief in a world that must look exactly the same afterwards (nothing written). */
async function refusedWithoutWrites(
  code: ErrorCode,
  brief: BriefObject | string,
  setup?: (dir: string, world: string) => Promise<void>,
  detail?: string | RegExp,
) {
  await using tmp = await tempDir();
  const world = join(tmp.path, "world");
  await setup?.(tmp.path, world);
  const path =
    typeof brief === "string"
      ? join(tmp.path, "brief.yaml")
      : await writeBrief(tmp.path, "brief.yaml", brief);
  if (typeof brief === "string") await writeFile(path, brief);
  const before = await snapshotTree(world);
  const worldExisted = await exists(world);
  const counted = { n: 0 };
  await expectRefusal(
    code,
    () =>
      runJob(
        { briefPath: path, world, mode: "mock" },
        jobDeps({
          spawn: async () => {
            counted.n++;
            throw new Error("no process may start for a refused brief");
          },
        }),
      ),
    detail,
  );
  expect(counted.n).toBe(0);
  expect(await exists(world)).toBe(worldExisted);
  expect(await snapshotTree(world)).toEqual(before);
}

describe("refused briefs: canonical error, nothing written, nothing spawned", () => {
  test.each([
    ["uppercase and spaces", "Bad Job!"],
    ["empty", ""],
    ["leading dash", "-job"],
    ["too long", "a".repeat(65)],
    ["reserved world folder", "execution"],
    ["not a string", 42],
  ])("bad job_id (%s) → ERR_BRIEF", async (_name, jobId) => {
    await refusedWithoutWrites("ERR_BRIEF", instagramBrief({ job_id: jobId }), undefined, /job_id/);
  });

  test("unknown job_type → ERR_JOB_TYPE, naming the known ones", async () => {
    await refusedWithoutWrites(
      "ERR_JOB_TYPE",
      instagramBrief({ job_type: "brand.tiktok_copy" }),
      undefined,
      /brand\.instagram_copy/,
    );
  });

  test("missing doctrine version → ERR_DOCTRINE", async () => {
    await refusedWithoutWrites(
      "ERR_DOCTRINE",
      instagramBrief({ doctrine: { id: "brand-voice", version: "v9" } }),
      undefined,
      /brand-voice@v9 not found/,
    );
  });

  test("missing doctrine id → ERR_DOCTRINE", async () => {
    await refusedWithoutWrites(
      "ERR_DOCTRINE",
      instagramBrief({ doctrine: { id: "no-such-doctrine", version: "v1" } }),
    );
  });

  test("a review without doctrine → ERR_DOCTRINE", async () => {
    const brief = reviewBrief({ job_id: "x", run_id: "0123456789abcdef" });
    delete brief.doctrine;
    await refusedWithoutWrites("ERR_DOCTRINE", brief, undefined, /needs a doctrine/);
  });

  test("missing upstream run, named by id → ERR_UPSTREAM", async () => {
    await refusedWithoutWrites(
      "ERR_UPSTREAM",
      reviewBrief({ job_id: "acme-copy", run_id: "0123456789abcdef" }),
      undefined,
      /no settled run/,
    );
  });

  test("missing upstream run, named by brief (never ran) → ERR_UPSTREAM telling how to run it", async () => {
    await refusedWithoutWrites(
      "ERR_UPSTREAM",
      reviewBrief({ brief: "copy.yaml" }),
      async (dir) => {
        await writeBrief(dir, "copy.yaml", instagramBrief());
      },
      /run it first: sigil job run/,
    );
  });

  test("a review without upstream → ERR_UPSTREAM", async () => {
    const brief = reviewBrief(undefined);
    delete brief.upstream;
    await refusedWithoutWrites("ERR_UPSTREAM", brief, undefined, /needs an upstream/);
  });

  test("upstream of the wrong job type → ERR_UPSTREAM", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const run = await writeSettledRun(world, {
      jobId: "other",
      jobType: "brand.something_else",
      seed: "s",
      outputs: { "outputs/response.txt": "hi" },
    });
    const brief = await writeBrief(
      tmp.path,
      "r.yaml",
      reviewBrief({ job_id: "other", run_id: run.manifest.run_id }),
    );
    const before = await snapshotTree(world);
    await expectRefusal(
      "ERR_UPSTREAM",
      () => runJob({ briefPath: brief, world }, jobDeps()),
      /brand\.something_else/,
    );
    expect(await snapshotTree(world)).toEqual(before);
  });

  test("upstream whose output bytes no longer match its manifest → ERR_UPSTREAM", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const run = await writeSettledRun(world, {
      jobId: "acme-copy",
      jobType: "brand.instagram_copy",
      seed: "t",
      outputs: { "outputs/response.txt": "clean copy" },
    });
    await rewriteOutputs(run.runDir, { "outputs/response.txt": "tampered copy" });
    const brief = await writeBrief(
      tmp.path,
      "r.yaml",
      reviewBrief({ job_id: "acme-copy", run_id: run.manifest.run_id }),
    );
    const before = await snapshotTree(world);
    await expectRefusal(
      "ERR_UPSTREAM",
      () => runJob({ briefPath: brief, world }, jobDeps()),
      /differ from its manifest/,
    );
    expect(await snapshotTree(world)).toEqual(before);
  });

  const traversal: [string, BriefObject][] = [
    ["job_id", instagramBrief({ job_id: "../escape" })],
    ["job_id (absolute)", instagramBrief({ job_id: "/tmp/escape" })],
    ["doctrine.id", instagramBrief({ doctrine: { id: "../../etc", version: "v1" } })],
    ["doctrine.version", instagramBrief({ doctrine: { id: "brand-voice", version: "../v1" } })],
    ["upstream.job_id", reviewBrief({ job_id: "..", run_id: "0123456789abcdef" })],
    ["upstream.run_id", reviewBrief({ job_id: "acme-copy", run_id: "../../x" })],
    ["upstream.brief", reviewBrief({ brief: "../outside.yaml" })],
    ["upstream.brief (absolute)", reviewBrief({ brief: "/etc/passwd" })],
    ["context_file", { ...instagramBrief({ context: undefined }), context_file: "../ctx.yaml" }],
    ["context_file (backslash)", { ...instagramBrief({ context: undefined }), context_file: "..\\ctx.yaml" }],
    [
      "context.subject",
      reviewBrief({ brief: "copy.yaml" }, { context: { subject: "outputs/../../../etc/passwd" } }),
    ],
  ];
  test.each(traversal)("path traversal in %s → ERR_PATH_TRAVERSAL", async (_field, brief) => {
    await refusedWithoutWrites("ERR_PATH_TRAVERSAL", JSON.parse(JSON.stringify(brief)));
  });

  test("a symlink that leads out of the brief's folder → ERR_PATH_TRAVERSAL", async () => {
    await using outside = await tempDir();
    await writeFile(join(outside.path, "ctx.yaml"), "brand: A\nproduct: B\naudience: C\n");
    await refusedWithoutWrites(
      "ERR_PATH_TRAVERSAL",
      { ...instagramBrief({ context: undefined }), context_file: "ctx.yaml" },
      async (dir) => {
        await symlink(join(outside.path, "ctx.yaml"), join(dir, "ctx.yaml"));
      },
    );
  });

  test("a doctrine symlinked from outside the doctrine folder → ERR_PATH_TRAVERSAL", async () => {
    await using tmp = await tempDir();
    const doctrine = join(tmp.path, "doctrine");
    await mkdir(join(doctrine, "brand-voice"), { recursive: true });
    await symlink(join(REPO_ROOT, "doctrine/brand-voice/v1.md"), join(doctrine, "brand-voice/v1.md"));
    const brief = await writeBrief(tmp.path, "b.yaml", instagramBrief());
    await expectRefusal("ERR_PATH_TRAVERSAL", () =>
      runJob({ briefPath: brief, world: join(tmp.path, "world") }, jobDeps({ doctrineDir: doctrine })),
    );
    expect(await exists(join(tmp.path, "world"))).toBe(false);
  });

  test.each([
    ["unknown field", instagramBrief({ prioritee: "high" })],
    ["context and context_file together", { ...instagramBrief(), context_file: "ctx.yaml" }],
    ["context that misses a required key", instagramBrief({ context: { brand: "A" } })],
    [
      "model config on a job type without a model",
      reviewBrief({ brief: "c.yaml" }, { model: { name: "x" } }),
    ],
    ["upstream on a job type that is not chained", instagramBrief({ upstream: { brief: "c.yaml" } })],
    ["brief mode contradicting --mode", instagramBrief({ mode: "real" })],
  ])("%s → ERR_BRIEF", async (_name, brief) => {
    await refusedWithoutWrites("ERR_BRIEF", brief);
  });

  test.each([
    ["duplicate keys", "job_id: a\njob_id: b\njob_type: brand.instagram_copy\n"],
    ["not YAML", "job_id: [unclosed\n"],
    ["non-finite number", "job_id: a\njob_type: brand.instagram_copy\ncontext: {brand: .inf}\n"],
  ])("%s → ERR_BRIEF", async (_name, text) => {
    await refusedWithoutWrites("ERR_BRIEF", text);
  });

  test("a missing brief file → ERR_BRIEF", async () => {
    await using tmp = await tempDir();
    await expectRefusal("ERR_BRIEF", () =>
      runJob({ briefPath: join(tmp.path, "nope.yaml"), world: join(tmp.path, "w") }, jobDeps()),
    );
  });

  test("mode=real in CI → ERR_CI_SAFETY before anything is written", async () => {
    await using tmp = await tempDir();
    const brief = await writeBrief(tmp.path, "b.yaml", instagramBrief());
    await expectRefusal("ERR_CI_SAFETY", () =>
      runJob(
        { briefPath: brief, world: join(tmp.path, "world"), mode: "real" },
        jobDeps({ env: { PATH: process.env.PATH, CI: "true", OPENAI_API_KEY: "sk-test" } }),
      ),
    );
    expect(await exists(join(tmp.path, "world"))).toBe(false);
  });

  test("a processor failure after admission leaves an unsettled run (no manifest) and names its run_id", async () => {
    await using tmp = await tempDir();
    const brief = await writeBrief(tmp.path, "b.yaml", instagramBrief());
    const world = join(tmp.path, "world");
    const error = await expectRefusal("ERR_MISSING_SECRET", () =>
      runJob({ briefPath: brief, world, mode: "real" }, jobDeps()),
    );
    const runId = error.details.run_id as string;
    expect(runId).toMatch(/^[0-9a-f]{16}$/);
    const runDir = join(world, "acme-copy", runId);
    expect(await exists(join(runDir, "manifest.json"))).toBe(false);
    expect((await readdir(join(runDir, "inputs"))).length).toBe(4);
    const again = await expectRefusal("ERR_MISSING_SECRET", () =>
      runJob({ briefPath: brief, world, mode: "real" }, jobDeps()),
    );
    expect(again.details.run_id).toBe(runId);
  });

  test("sigil job run checks the repository scope: --repo, or GITHUB_REPOSITORY in staging", async () => {
    await using tmp = await tempDir();
    const brief = await writeBrief(tmp.path, "b.yaml", instagramBrief());
    const outside = await runCli(
      ["job", "run", brief, "--world", join(tmp.path, "w1"), "--repo", "someone/else", "--json"],
      { cwd: REPO_ROOT },
    );
    expect(outside.code).toBe(1);
    expect(JSON.parse(outside.stdout)).toMatchObject({ error: { code: "ERR_REGISTRY_MISMATCH" } });
    const fromEnv = await runCli(["job", "run", brief, "--world", join(tmp.path, "w2"), "--json"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, GITHUB_REPOSITORY: "someone/else" },
    });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ error: { code: "ERR_REGISTRY_MISMATCH" } });
    const unknown = await runCli(
      ["job", "run", brief, "--world", join(tmp.path, "w3"), "--lane", "staging", "--json"],
      { cwd: REPO_ROOT },
    );
    const body = JSON.parse(unknown.stdout);
    expect(body).toMatchObject({ error: { code: "ERR_REGISTRY_MISMATCH" } });
    expect(body.error.message).toContain("GITHUB_REPOSITORY");
  });

  test("CLI --json: one error value with code and fragment, exit 1", async () => {
    await using tmp = await tempDir();
    const brief = await writeBrief(tmp.path, "b.yaml", instagramBrief({ job_type: "nope" }));
    const out = await runCli(["job", "run", brief, "--world", join(tmp.path, "w"), "--json"], {
      cwd: REPO_ROOT,
    });
    expect(out.code).toBe(1);
    const body = JSON.parse(out.stdout);
    expect(body).toMatchObject({ status: "error", error: { code: "ERR_JOB_TYPE" } });
    expect(body.error.message).toContain(ERROR_TABLE.ERR_JOB_TYPE);
    const usage = await runCli(["job", "run", brief, "--mode", "sometimes", "--json"], { cwd: REPO_ROOT });
    expect(usage.code).toBe(2);
  });
});
