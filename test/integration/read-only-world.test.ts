import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { asWorldWriteError, SigilError } from "../../src/core/index.js";
import { runJob } from "../../src/jobs/index.js";
import { instagramBrief, jobDeps, writeBrief } from "../helpers/job-world.js";
import { readOnlyMountAvailable, runSigilReadOnly } from "../helpers/read-only.js";
import { REPO_ROOT, snapshotTree, tempDir } from "../helpers/temp.js";

/** The errno of a real failing call: root may not mkdir in sysfs (EPERM), whatever its mode. */
async function realErrno(): Promise<NodeJS.ErrnoException | undefined> {
  try {
    await mkdir("/sys/sigil-probe");
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  return undefined;
}

describe("a read-only or full world is a clear error", () => {
  test("the mapping turns a real EPERM/EACCES/EROFS into ERR_WORLD_UNWRITABLE naming path and errno", async () => {
    const error = await realErrno();
    if (!error || !["EPERM", "EACCES", "EROFS"].includes(String(error.code))) return;
    const mapped = asWorldWriteError(error, "/sys/sigil-probe");
    expect(mapped).toBeInstanceOf(SigilError);
    expect(mapped).toMatchObject({ code: "ERR_WORLD_UNWRITABLE", details: { errno: error.code } });
    expect((mapped as SigilError).message).toMatch(
      new RegExp(`^world is not writable: cannot write /sys/sigil-probe \\(${error.code}: `),
    );
    const missing = Object.assign(new Error("nope"), { code: "ENOENT" });
    expect(asWorldWriteError(missing, "/x")).toBe(missing);
    for (const code of ["ENOSPC", "EDQUOT", "EROFS"])
      expect(asWorldWriteError(Object.assign(new Error(code), { code }), "/w")).toMatchObject({
        code: "ERR_WORLD_UNWRITABLE",
      });
  });

  test("a job in a world that refuses writes: ERR_WORLD_UNWRITABLE, not ERR_INTERNAL", async () => {
    const error = await realErrno();
    if (!error) return;
    await using tmp = await tempDir();
    const brief = await writeBrief(tmp.path, "b.yaml", instagramBrief());
    await expect(runJob({ briefPath: brief, world: "/sys/sigil-world" }, jobDeps())).rejects.toMatchObject({
      code: "ERR_WORLD_UNWRITABLE",
    });
  });

  describe.skipIf(!readOnlyMountAvailable)("on a real read-only mount", () => {
    test("replaying a settled run needs no write; a new run is ERR_WORLD_UNWRITABLE (EROFS)", async () => {
      await using tmp = await tempDir();
      const world = join(tmp.path, "world");
      const brief = await writeBrief(tmp.path, "b.yaml", instagramBrief());
      const first = await runJob({ briefPath: brief, world, mode: "mock" }, jobDeps());
      const before = await snapshotTree(world);

      const replay = await runSigilReadOnly(
        world,
        ["job", "run", brief, "--world", world, "--json"],
        REPO_ROOT,
      );
      expect(replay.stderr).not.toContain("EROFS");
      expect(replay.code).toBe(0);
      expect(JSON.parse(replay.stdout)).toMatchObject({ status: "success", run_id: first.run_id });

      const other = await writeBrief(tmp.path, "c.yaml", instagramBrief({ job_id: "acme-other" }));
      const fresh = await runSigilReadOnly(
        world,
        ["job", "run", other, "--world", world, "--json"],
        REPO_ROOT,
      );
      expect(fresh.code).toBe(1);
      const body = JSON.parse(fresh.stdout);
      expect(body.error.code).toBe("ERR_WORLD_UNWRITABLE");
      expect(body.error.message).toMatch(
        /world is not writable: cannot write .*acme-other \(EROFS: read-only file system\)/,
      );
      expect(await snapshotTree(world)).toEqual(before);
    }, 120_000);

    test("sigil run into a read-only world: ERR_WORLD_UNWRITABLE from the write-prefix claim", async () => {
      await using tmp = await tempDir();
      const world = join(tmp.path, "world");
      await mkdir(world);
      const run = await runSigilReadOnly(
        world,
        ["run", "--ref", "llm/litellm@1", "--root", REPO_ROOT, "--world", world, "--json"],
        tmp.path,
      );
      expect(run.code).toBe(1);
      const envelope = JSON.parse(run.stdout);
      expect(envelope.error.code).toBe("ERR_WORLD_UNWRITABLE");
      expect(envelope.error.message).toContain("EROFS");
    }, 60_000);

    test("runs list on a read-only world without an index: ERR_WORLD_UNWRITABLE, not a PGlite failure", async () => {
      await using tmp = await tempDir();
      const world = join(tmp.path, "world");
      await mkdir(world);
      const run = await runSigilReadOnly(world, ["runs", "list", "--world", world, "--json"], tmp.path);
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toContain("ERR_WORLD_UNWRITABLE");
      expect(run.stdout + run.stderr).toContain("world is not writable");
      expect(run.stdout + run.stderr).not.toContain("PGlite failed");
    }, 120_000);
  });
});
