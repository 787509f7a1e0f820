import { mkdir, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE, type SigilError } from "../../src/core/index.js";
import { acquireRunLock, runJob } from "../../src/jobs/index.js";
import { collectGarbage } from "../../src/world/index.js";
import { verifyWorld } from "../../src/world/verify/index.js";
import { runCli } from "../helpers/cli.js";
import { runExampleJob } from "../helpers/example-jobs.js";
import { instagramBrief, jobDeps, writeBrief } from "../helpers/job-world.js";
import { exists, REPO_ROOT, tempDir } from "../helpers/temp.js";

/** A real job run that fails after admission: real mode without the processor's secret. */
async function failedRun(world: string, dir: string): Promise<{ runPath: string; error: SigilError }> {
  const brief = await writeBrief(dir, "b.yaml", instagramBrief());
  const error = (await runJob({ briefPath: brief, world, mode: "real" }, jobDeps()).catch(
    (e) => e,
  )) as SigilError;
  expect(error.code).toBe("ERR_MISSING_SECRET");
  return { runPath: `acme-copy/${error.details.run_id}`, error };
}

const OLD = new Date(Date.now() - 24 * 3600 * 1000);

describe("failed, pending and interrupted runs", () => {
  test("the new verifier codes carry their fragments", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_VERIFY_LINK: "symbolic link in the world",
      ERR_VERIFY_RECORD: "manifest record disagrees with its snapshot",
      ERR_VERIFY_HISTORY: "migration history does not account for the manifest",
      ERR_VERIFY_CANONICAL: "file is not canonical JSON",
      ERR_VERIFY_INCOMPLETE: "run was interrupted before it settled",
    });
  });

  test("a failed job run writes failed.json; verify lists it as failed and exits 0; migrate leaves it alone", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const { runPath, error } = await failedRun(world, tmp.path);
    const record = JSON.parse(await readFile(join(world, runPath, "failed.json"), "utf8"));
    expect(record).toMatchObject({
      schema: "sigil.failed/v1",
      code: "ERR_MISSING_SECRET",
      run_id: error.details.run_id,
    });
    expect(record.message).toContain(ERROR_TABLE.ERR_MISSING_SECRET);

    const report = await verifyWorld(world);
    expect(report.findings).toEqual([]);
    expect(report.failed).toEqual([expect.objectContaining({ run: runPath, code: "ERR_MISSING_SECRET" })]);
    const cli = await runCli(["verify", world, "--json"], { cwd: REPO_ROOT });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).failed[0].run).toBe(runPath);
    const human = await runCli(["verify", world], { cwd: REPO_ROOT });
    expect(human.stdout).toContain(`failed: ${runPath} ERR_MISSING_SECRET`);

    const migrate = await runCli(["migrate", world, "--json"], { cwd: REPO_ROOT });
    expect(migrate.code, migrate.stdout + migrate.stderr).toBe(0);
    expect(JSON.parse(migrate.stdout)).toMatchObject({ unsettled: [runPath], skipped: [] });

    // Proposing it again clears failed.json before executing (and fails the same way here).
    await failedRun(world, tmp.path);
    expect(await exists(join(world, runPath, "failed.json"))).toBe(true);
  });

  test("a run whose lock is held is pending (exit 0); once released without failed.json it is incomplete", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const { runPath } = await failedRun(world, tmp.path);
    const runDir = join(world, runPath);
    await rm(join(runDir, "failed.json"));
    const outcome = await acquireRunLock(runDir, {
      queueJobId: "q",
      settled: async () => false,
      timeoutMs: 5000,
    });
    if (outcome.kind !== "acquired") throw new Error("expected the lock");
    try {
      const held = await runCli(["verify", world, "--json"], { cwd: REPO_ROOT });
      expect(held.code).toBe(0);
      expect(JSON.parse(held.stdout)).toMatchObject({ ok: true, pending: [runPath], findings: [] });
    } finally {
      await outcome.lock.release();
    }
    const report = await verifyWorld(world);
    expect(report.pending).toEqual([]);
    const finding = report.findings.find((f) => f.code === "ERR_VERIFY_INCOMPLETE");
    expect(finding?.message).toContain(ERROR_TABLE.ERR_VERIFY_INCOMPLETE);
  });
});

describe("sigil gc", () => {
  test("removes abandoned staging, idle attempts and orphan twins; keeps settled runs, referenced twins and sigil run results", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const copyRun = await runExampleJob(world, "instagram-copy.yaml");
    const run = await runCli(
      [
        "run",
        "--ref",
        "llm/litellm@1",
        "--root",
        REPO_ROOT,
        "--world",
        world,
        "--inputs-json",
        '{"schema":"v1"}',
        "--json",
      ],
      { cwd: world },
    );
    expect(run.code).toBe(0);
    const { runPath } = await failedRun(world, tmp.path);
    const staging = join(world, "acme-copy", ".admit-0190abcd");
    const attempt = join(world, runPath, ".attempts", "0190dead");
    const orphan = join(world, "execution", "0190orphan");
    const fresh = join(world, "execution", "0190fresh");
    for (const dir of [join(staging, "inputs"), attempt, orphan, fresh])
      await mkdir(dir, { recursive: true });
    await writeFile(join(orphan, "determinism.json"), "{}");
    await writeFile(join(fresh, "determinism.json"), "{}");
    for (const path of [staging, join(orphan, "determinism.json")]) await utimes(path, OLD, OLD);
    const twinsBefore = (await readdir(join(world, "execution"))).length;

    const dry = await runCli(["gc", world, "--dry-run", "--json"], { cwd: REPO_ROOT });
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout);
    expect(planned.dry_run).toBe(true);
    expect(planned.removed.map((r: { kind: string; path: string }) => `${r.kind} ${r.path}`).sort()).toEqual([
      `attempt ${runPath}/.attempts/0190dead`,
      "receipt_twin execution/0190orphan",
      "staging acme-copy/.admit-0190abcd",
    ]);
    expect(await exists(staging)).toBe(true);

    const human = await runCli(["gc", world], { cwd: REPO_ROOT });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("removed 3 item(s)");
    for (const gone of [staging, attempt, orphan]) expect(await exists(gone)).toBe(false);
    expect(await exists(fresh)).toBe(true); // too young: may belong to a run still writing
    expect((await readdir(join(world, "execution"))).length).toBe(twinsBefore - 1);
    expect(await exists(join(world, copyRun, "manifest.json"))).toBe(true);

    const report = await verifyWorld(world);
    expect(report.findings).toEqual([]);
    expect(report.executions).toBe(1);
    expect((await collectGarbage(world)).removed).toEqual([]);
  });
});
