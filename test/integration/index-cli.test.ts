import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { writeSyntheticWorld } from "../../bench/lib/synthetic-world.js";
import { runCli } from "../helpers/cli.js";
import { useRealPostgres } from "../helpers/postgres.js";
import { exists, REPO_ROOT, tempDir } from "../helpers/temp.js";

const postgresUrl = useRealPostgres();

describe("sigil reindex, index sync and runs list", () => {
  test.each(["PGlite", "PostgreSQL"])(
    "on %s: sync indexes only what is new, list answers from the index, reindex agrees",
    async (backend) => {
      await using dir = await tempDir();
      const env = {
        PATH: process.env.PATH,
        ...(backend === "PostgreSQL" ? { DATABASE_URL: postgresUrl() } : {}),
      };
      const world = join(dir.path, "w");
      writeSyntheticWorld(world, { runs: 6, snapshotBytes: 64, outputBytes: 64, runsPerJob: 3 });
      if (backend === "PostgreSQL") await runCli(["reindex", world], { cwd: dir.path, env }); // a shared server: start clean
      const first = await runCli(["index", "sync", world, "--json"], { cwd: dir.path, env });
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject(
        backend === "PGlite" ? { runsIndexed: 6 } : { runsIndexed: 0 },
      );
      writeSyntheticWorld(world, { runs: 9, snapshotBytes: 64, outputBytes: 64, runsPerJob: 3 });
      const second = await runCli(["index", "sync", world, "--json"], { cwd: dir.path, env });
      expect(JSON.parse(second.stdout)).toMatchObject({ runsIndexed: 3, runsRemoved: 0 });
      const list = await runCli(["runs", "list", "--world", world, "--job", "job-00002", "--json"], {
        cwd: dir.path,
        env,
      });
      expect(JSON.parse(list.stdout).map((r: { job_id: string }) => r.job_id)).toEqual([
        "job-00002",
        "job-00002",
        "job-00002",
      ]);
      const human = await runCli(["runs", "list", "--world", world, "--job", "job-00000"], {
        cwd: dir.path,
        env,
      });
      // An aligned table: every row's columns start where the header's do.
      const [head = "", ...rows] = human.stdout.trimEnd().split("\n");
      expect(head.split(/ {2,}/)).toEqual(["JOB", "RUN", "TYPE", "OUTPUTS", "FINISHED"]);
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row.split(/ {2,}/).slice(0, 4)).toEqual([
          expect.stringMatching(/^job-00000$/),
          expect.stringMatching(/^[0-9a-f]{16}$/),
          "synthetic.bench",
          "3",
        ]);
        for (const column of ["RUN", "TYPE", "OUTPUTS", "FINISHED"])
          expect(row[head.indexOf(column) - 1]).toBe(" ");
      }
      const re = await runCli(["reindex", world], { cwd: dir.path, env });
      expect(re.stdout).toContain("reindex: 9 run(s) indexed");
      expect(await exists(join(world, ".sigil/index"))).toBe(backend === "PGlite");
    },
    60_000,
  );

  test("an unreachable DATABASE_URL is ERR_INDEX, without the password", async () => {
    await using dir = await tempDir();
    const run = await runCli(["reindex", dir.path], {
      cwd: dir.path,
      env: { PATH: process.env.PATH, DATABASE_URL: "postgres://u:pw-s3cret@127.0.0.1:1/x" },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ERR_INDEX");
    expect(run.stderr).toContain("index unavailable");
    expect(run.stderr + run.stdout).not.toContain("pw-s3cret");
  });

  test("the index stays out of the run path: sigil run and sigil job run never open it", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "w");
    const run = await runCli(
      ["run", "--ref", "llm/litellm@1", "--root", REPO_ROOT, "--world", world, "--json"],
      { cwd: dir.path },
    );
    expect(run.code).toBe(0);
    const job = await runCli(
      [
        "job",
        "run",
        join(REPO_ROOT, "examples/briefs/instagram-copy.yaml"),
        "--root",
        REPO_ROOT,
        "--world",
        world,
        "--json",
      ],
      { cwd: dir.path },
    );
    expect(job.code).toBe(0);
    expect(await exists(join(world, ".sigil"))).toBe(false);
  });
});

describe("progress display", () => {
  test("sigil verify draws progress on a terminal and none when piped", async () => {
    await using dir = await tempDir();
    writeSyntheticWorld(dir.path, { runs: 3, snapshotBytes: 64, outputBytes: 64 });
    let tty = "";
    const { main } = await import("../../src/cli/main.js");
    const ctx = (stderr: { write(t: string): unknown; isTTY?: boolean }) => ({
      cwd: dir.path,
      env: {},
      stdout: { write: () => true },
      stderr,
      readStdin: async () => Buffer.alloc(0),
    });
    expect(await main(["verify", dir.path], ctx({ write: (t: string) => (tty += t), isTTY: true }))).toBe(0);
    expect(tty).toContain("verifying runs 3/3");
    const piped = await runCli(["verify", dir.path], { cwd: dir.path });
    expect(piped.stderr).toBe("");
  });
});

describe("a missing world", () => {
  test.each([["verify"], ["migrate"], ["reindex"], ["index", "sync"]])(
    "sigil %s on a path that is not a world is ERR_USAGE, exit 2, nothing created",
    async (...command) => {
      await using dir = await tempDir();
      const missing = join(dir.path, "nope");
      const run = await runCli([...command, missing], { cwd: dir.path });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/ERR_USAGE: invalid command line: no world at .*nope/);
      expect(await exists(missing)).toBe(false);
    },
  );
});
