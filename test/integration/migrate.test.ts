import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { writeSyntheticWorld } from "../../bench/lib/synthetic-world.js";
import { canonicalBytes, parseJsonStrict } from "../../src/core/index.js";
import { listRunPaths } from "../../src/world/index.js";
import { migrateWorld } from "../../src/world/migrations/index.js";
import { verifyWorld } from "../../src/world/verify/index.js";
import { runCli } from "../helpers/cli.js";
import { EXAMPLE_BRIEFS, runExampleJob } from "../helpers/example-jobs.js";
import { REPO_ROOT, snapshotTree, tempDir } from "../helpers/temp.js";

async function treeHash(root: string): Promise<string> {
  const hash = createHash("sha256");
  for (const [path, bytes] of [...(await snapshotTree(root))].sort(([a], [b]) => (a < b ? -1 : 1)))
    hash.update(path).update(bytes);
  return hash.digest("hex");
}

/** Rewrite a run's manifest in the v1 form: what a world written before schema v2 holds. */
async function downgradeToV1(world: string, run: string): Promise<void> {
  const path = join(world, run, "manifest.json");
  const { hash_schema: _h, ...rest } = JSON.parse(await readFile(path, "utf8"));
  await writeFile(path, canonicalBytes({ ...rest, schema_version: 1 }));
}

async function versions(world: string): Promise<number[]> {
  const out: number[] = [];
  for (const run of listRunPaths(world)) {
    const manifest = parseJsonStrict(await readFile(join(world, run, "manifest.json"), "utf8")) as {
      schema_version: number;
    };
    out.push(manifest.schema_version);
  }
  return out;
}

/** A real chained world as v1 code would have left it: the downstream pinned the v1 upstream. */
async function v1World(world: string): Promise<string[]> {
  const runs: string[] = [];
  for (const brief of EXAMPLE_BRIEFS) {
    const run = await runExampleJob(world, brief);
    runs.push(run);
    await downgradeToV1(world, run);
  }
  return runs;
}

describe("sigil migrate", () => {
  test("v1 manifests keep loading and verifying; migration keeps identity, appends history, verify still passes", async () => {
    await using dir = await tempDir();
    const runs = await v1World(dir.path);
    expect(await versions(dir.path)).toEqual([1, 1]);
    expect((await verifyWorld(dir.path)).findings).toEqual([]);

    const before = await Promise.all(
      runs.map(async (r) => JSON.parse(await readFile(join(dir.path, r, "manifest.json"), "utf8"))),
    );
    const report = await migrateWorld(dir.path);
    expect(report.steps.map((s) => [s.run, s.from, s.to])).toEqual(runs.map((r) => [r, 1, 2]).sort());
    expect(await versions(dir.path)).toEqual([2, 2]);
    for (const [i, run] of runs.entries()) {
      const after = JSON.parse(await readFile(join(dir.path, run, "manifest.json"), "utf8"));
      for (const key of ["job_id", "run_id", "inputs_hash", "snapshots", "outputs", "chain"])
        expect(after[key]).toEqual(before[i][key]);
      expect(after.hash_schema).toBe("jcs-sha256-v1");
      expect(after.migration_history).toEqual([
        {
          migration: "v1-to-v2-hash-schema",
          from_version: 1,
          to_version: 2,
          manifest_sha256_before: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ]);
    }
    expect((await verifyWorld(dir.path, { replay: true })).findings).toEqual([]);
    // Each original is backed up before it was rewritten.
    const backups = [...(await snapshotTree(join(dir.path, ".sigil/backups"))).keys()];
    expect(backups).toHaveLength(2);
    expect(backups.every((b) => /manifest\.v1\.[0-9a-f]{16}\.json$/.test(b))).toBe(true);
  });

  test("--dry-run prints the plan and writes nothing", async () => {
    await using dir = await tempDir();
    writeSyntheticWorld(dir.path, { runs: 5, snapshotBytes: 64, outputBytes: 64, schemaVersion: 1 });
    const before = await treeHash(dir.path);
    const run = await runCli(["migrate", dir.path, "--dry-run"], { cwd: dir.path });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("would migrate 5 of 5 run(s)");
    expect(run.stdout).toContain("v1 → v2 (v1-to-v2-hash-schema: record hash_schema");
    expect(run.stdout).toContain("dry run: nothing was written");
    expect(await treeHash(dir.path)).toBe(before);
  });

  test("running twice changes nothing the second time", async () => {
    await using dir = await tempDir();
    writeSyntheticWorld(dir.path, { runs: 6, snapshotBytes: 64, outputBytes: 64, schemaVersion: 1 });
    const first = await runCli(["migrate", dir.path, "--json"], { cwd: dir.path });
    expect(JSON.parse(first.stdout)).toMatchObject({ runs: 6, already_current: 0 });
    const after = await treeHash(dir.path);
    const second = await runCli(["migrate", dir.path, "--json"], { cwd: dir.path });
    expect(JSON.parse(second.stdout)).toMatchObject({ runs: 6, already_current: 6, steps: [] });
    expect(await treeHash(dir.path)).toBe(after);
  });

  test("a SIGKILL mid-migration leaves every manifest old or new, never torn, and a rerun finishes", async () => {
    await using dir = await tempDir();
    writeSyntheticWorld(dir.path, {
      runs: 400,
      snapshotBytes: 64,
      outputBytes: 64,
      runsPerJob: 50,
      schemaVersion: 1,
    });
    const child = execa(process.execPath, [join(REPO_ROOT, "bin/sigil.cjs"), "migrate", dir.path], {
      reject: false,
    });
    // Kill it once it is visibly under way, so the kill lands mid-migration.
    for (let i = 0; i < 400; i++) {
      const v = await versions(dir.path);
      if (v.includes(2)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    await child;
    const mid = await versions(dir.path); // parses every manifest strictly: torn bytes would throw
    expect(mid.every((v) => v === 1 || v === 2)).toBe(true);
    expect(mid.filter((v) => v === 1).length).toBeGreaterThan(0);
    const rerun = await runCli(["migrate", dir.path, "--json"], { cwd: dir.path });
    expect(rerun.code).toBe(0);
    expect(await versions(dir.path)).toEqual(new Array(400).fill(2));
    expect((await verifyWorld(dir.path)).findings).toEqual([]);
  }, 60_000);

  test("an unreadable manifest is skipped and reported, the others migrate", async () => {
    await using dir = await tempDir();
    writeSyntheticWorld(dir.path, { runs: 3, snapshotBytes: 64, outputBytes: 64, schemaVersion: 1 });
    const [broken] = listRunPaths(dir.path);
    await writeFile(join(dir.path, broken ?? "", "manifest.json"), "{ torn");
    const run = await runCli(["migrate", dir.path], { cwd: dir.path });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`skipped ${broken}`);
    expect(await readFile(join(dir.path, broken ?? "", "manifest.json"), "utf8")).toBe("{ torn");
  });
});
