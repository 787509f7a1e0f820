import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { writeSyntheticReceipt, writeSyntheticRun } from "../../bench/lib/synthetic-world.js";
import { catchUp, type IndexDb, listRuns, openPglite, openPostgres, reindex } from "../../src/index/index.js";
import { dumpIndex } from "../helpers/index-dump.js";
import { useRealPostgres } from "../helpers/postgres.js";
import { tempDir } from "../helpers/temp.js";

const small = { runs: 0, snapshotBytes: 256, outputBytes: 512, runsPerJob: 4 };

function addRuns(world: string, from: number, to: number): void {
  for (let i = from; i < to; i++) writeSyntheticRun(world, i, small);
}

const postgresUrl = useRealPostgres();

const backends: [string, () => Promise<IndexDb>][] = [
  ["PGlite", () => openPglite()],
  ["PostgreSQL", () => openPostgres(postgresUrl())],
];

describe.each(backends)("run index on %s", (_name, open) => {
  test("incremental catch-up yields exactly the rows a full reindex does", async () => {
    await using dir = await tempDir();
    const world = dir.path;
    const db = await open();
    try {
      await db.exec("DROP TABLE IF EXISTS snapshots, outputs, runs, receipts, sigil_index_migrations");
      addRuns(world, 0, 6);
      writeSyntheticReceipt(world, 1);
      const first = await catchUp(db, world);
      expect(first).toMatchObject({ runsIndexed: 6, receiptsIndexed: 1, skipped: [] });

      addRuns(world, 6, 15);
      writeSyntheticReceipt(world, 2);
      const second = await catchUp(db, world);
      expect(second).toMatchObject({ runsIndexed: 9, runsRemoved: 0, receiptsIndexed: 1 });
      expect(await catchUp(db, world)).toMatchObject({ runsIndexed: 0, receiptsIndexed: 0 });

      const incremental = await dumpIndex(db);
      expect(incremental.runs).toHaveLength(15);
      expect(incremental.snapshots).toHaveLength(60);
      expect(incremental.outputs).toHaveLength(45);
      expect(incremental.receipts).toHaveLength(2);
      expect(incremental.runs[0]?.chain).toEqual([]);
      expect(typeof incremental.outputs[0]?.bytes).toBe("number");

      await reindex(db, world);
      expect(await dumpIndex(db)).toEqual(incremental);
    } finally {
      await db.close();
    }
  });

  test("catch-up follows the world: removed runs leave, rewritten manifests are re-read, corrupt ones are skipped", async () => {
    await using dir = await tempDir();
    const world = dir.path;
    const db = await open();
    try {
      await db.exec("DROP TABLE IF EXISTS snapshots, outputs, runs, receipts, sigil_index_migrations");
      addRuns(world, 0, 5);
      await catchUp(db, world);
      const [gone, rewritten, corrupt] = (await dumpIndex(db)).runs.map((r) => r.run_path);
      await rm(join(world, gone ?? "x"), { recursive: true });
      const manifestPath = join(world, rewritten ?? "x", "manifest.json");
      const { readFile } = await import("node:fs/promises");
      const manifest = JSON.parse(await readFile(manifestPath, "utf8"));
      manifest.runtime.finished_at = "2026-02-02T00:00:00.000Z";
      await writeFile(manifestPath, JSON.stringify(manifest));
      await writeFile(join(world, corrupt ?? "x", "manifest.json"), "{ not json");

      const report = await catchUp(db, world);
      expect(report).toMatchObject({ runsIndexed: 1, runsRemoved: 2, skipped: [corrupt] });
      const rows = (await dumpIndex(db)).runs;
      expect(rows.map((r) => r.run_path)).not.toContain(gone);
      expect(rows.map((r) => r.run_path)).not.toContain(corrupt);
      expect(rows.find((r) => r.run_path === rewritten)?.finished_at).toBe("2026-02-02T00:00:00.000Z");
      const afterCatchUp = await dumpIndex(db);
      await reindex(db, world);
      expect(await dumpIndex(db)).toEqual(afterCatchUp);
    } finally {
      await db.close();
    }
  });

  test("runs list answers by job id from the index", async () => {
    await using dir = await tempDir();
    const db = await open();
    try {
      await db.exec("DROP TABLE IF EXISTS snapshots, outputs, runs, receipts, sigil_index_migrations");
      addRuns(dir.path, 0, 9);
      await catchUp(db, dir.path);
      const job1 = await listRuns(db, { jobId: "job-00001" });
      expect(job1).toHaveLength(4);
      expect(job1.every((r) => r.job_id === "job-00001" && r.outputs === 3)).toBe(true);
      expect(await listRuns(db, { jobId: "nope" })).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe("index connection errors", () => {
  test("an unreachable PostgreSQL is ERR_INDEX and the message never carries the password", async () => {
    await expect(openPostgres("postgres://user:s3cret-pw@127.0.0.1:1/db")).rejects.toMatchObject({
      code: "ERR_INDEX",
    });
    await openPostgres("postgres://user:s3cret-pw@127.0.0.1:1/db").catch((error: Error) => {
      expect(error.message).toContain("index unavailable");
      expect(error.message).not.toContain("s3cret-pw");
    });
  });
});
