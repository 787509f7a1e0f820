import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { writeSyntheticWorld } from "../../bench/lib/synthetic-world.js";
import { runCli } from "../helpers/cli.js";
import { processAlive } from "../helpers/process.js";
import { exists, REPO_ROOT, tempDir } from "../helpers/temp.js";

const HI = '{"schema":"v1","params":{"messages":[{"role":"user","content":"hi"}]}}';
const runArgs = (world: string, extra: string[] = []) => [
  "run",
  "--ref",
  "llm/litellm@1",
  "--root",
  REPO_ROOT,
  "--world",
  world,
  "--mode",
  "mock",
  ...extra,
];

function oneJson(stdout: string): Record<string, unknown> {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? "") as Record<string, unknown>;
}

describe("flags and arguments are parsed by zod: every command-line error is ERR_USAGE, exit 2", () => {
  test.each([
    ["runs list --limit abc", ["runs", "list", "--limit", "abc"]],
    ["runs list --limit -1", ["runs", "list", "--limit=-1"]],
    ["runs list --limit 0", ["runs", "list", "--limit", "0"]],
    ["an unknown option", ["verify", "--bogus"]],
    ["an unknown command", ["frobnicate"]],
  ])("%s", async (_name, argv) => {
    await using dir = await tempDir();
    writeSyntheticWorld(join(dir.path, "artifacts"), { runs: 1, snapshotBytes: 64, outputBytes: 64 });
    const run = await runCli([...argv, "--json"], { cwd: dir.path });
    expect(run.code).toBe(2);
    const body = oneJson(run.stdout);
    expect(body).toEqual({
      status: "error",
      error: { code: "ERR_USAGE", message: expect.stringContaining("invalid command line") },
    });
  });

  test.each([
    ["--inputs-json with --inputs-file", ["--inputs-json", HI, "--inputs-file", "x.json"], "ERR_USAGE"],
    ["--adapter modal in the PR lane (it runs locally)", ["--adapter", "modal", "--lane", "pr"], "ERR_USAGE"],
    [
      "--image-override outside the dev lane",
      ["--lane", "pr", "--image-override", "ghcr.io/a/b/c:1"],
      "ERR_USAGE",
    ],
    [
      "a write prefix outside the world",
      ["--write-prefix", "/tmp/elsewhere/{execution_id}"],
      "ERR_WRITE_PREFIX",
    ],
  ])("sigil run: %s exits 2 with an envelope", async (_name, extra, code) => {
    await using dir = await tempDir();
    const run = await runCli([...runArgs(join(dir.path, "w"), extra), "--json"], { cwd: dir.path });
    expect(run.code).toBe(2);
    const envelope = oneJson(run.stdout);
    expect(envelope).toMatchObject({ status: "error", execution_id: expect.any(String), error: { code } });
  });

  test("a write-prefix error has its own code, not ERR_INPUTS", async () => {
    await using dir = await tempDir();
    const run = await runCli(
      [...runArgs(join(dir.path, "w"), ["--write-prefix", "w/execution/x"]), "--json"],
      {
        cwd: dir.path,
      },
    );
    expect(oneJson(run.stdout)).toMatchObject({
      error: { code: "ERR_WRITE_PREFIX", message: expect.stringContaining("invalid write prefix") },
    });
  });
});

describe("the environment is parsed once", () => {
  test.each([["verbose"], ["bogus"]])(
    "SIGIL_LOG_LEVEL=%s is ERR_USAGE naming the variable",
    async (level) => {
      await using dir = await tempDir();
      for (const argv of [
        runArgs(join(dir.path, "w"), ["--inputs-json", HI]),
        ["job", "types"],
        ["verify", dir.path],
      ]) {
        const run = await runCli(argv, {
          cwd: dir.path,
          env: { PATH: process.env.PATH, SIGIL_LOG_LEVEL: level },
        });
        expect(run.code, argv.join(" ")).toBe(2);
        expect(run.stderr).toMatch(/ERR_USAGE: invalid command line: .*environment: SIGIL_LOG_LEVEL/);
      }
    },
  );

  test("SIGIL_LOG_LEVEL=silent silences our events", async () => {
    await using dir = await tempDir();
    const run = await runCli([...runArgs(join(dir.path, "w"), ["--inputs-json", HI]), "--json"], {
      cwd: dir.path,
      env: { PATH: process.env.PATH, SIGIL_LOG_LEVEL: "silent" },
    });
    expect(run.code).toBe(0);
    expect(run.stderr.split("\n").filter((l) => l.includes('"event":"execution.'))).toEqual([]);
  });
});

describe("one JSON error shape", () => {
  test("a non-run command prints {status, error} and invents no execution_id", async () => {
    await using dir = await tempDir();
    for (const argv of [
      ["verify", join(dir.path, "missing")],
      ["reindex", join(dir.path, "missing")],
      ["migrate", join(dir.path, "missing")],
    ]) {
      const run = await runCli([...argv, "--json"], { cwd: dir.path });
      expect(run.code).toBe(2);
      expect(oneJson(run.stdout)).toEqual({
        status: "error",
        error: { code: "ERR_USAGE", message: expect.stringContaining("no world at") },
      });
    }
  });

  test("job run prints its own shape, with no invented identity", async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, "brief.yaml"), "job_id: [not, a, string]\n");
    const run = await runCli(["job", "run", "brief.yaml", "--json"], { cwd: dir.path });
    expect(run.code).toBe(1);
    expect(oneJson(run.stdout)).toEqual({
      status: "error",
      error: { code: "ERR_BRIEF", message: expect.any(String) },
    });
  });
});

describe("every byte written passes the redactor", () => {
  test("job run: a secret in an error message is masked on stdout and stderr", async () => {
    await using dir = await tempDir();
    const secret = "s3cr3t-value-planted-9f2b";
    const env = { PATH: process.env.PATH, OPENAI_API_KEY: secret };
    for (const json of [true, false]) {
      const run = await runCli(["job", "run", `missing-${secret}.yaml`, ...(json ? ["--json"] : [])], {
        cwd: dir.path,
        env,
      });
      expect(run.code).toBe(1);
      expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
      expect(`${run.stdout}${run.stderr}`).toContain("***");
    }
  });
});

describe("the world is a positional argument or --world, the same way everywhere", () => {
  test("runs list, verify, reindex and migrate accept either, and refuse two different worlds", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "w");
    writeSyntheticWorld(world, { runs: 2, snapshotBytes: 64, outputBytes: 64 });
    for (const command of [["runs", "list"], ["verify"], ["migrate", "--dry-run"]]) {
      const positional = await runCli([...command, world, "--json"], { cwd: dir.path });
      const flag = await runCli([...command, "--world", world, "--json"], { cwd: dir.path });
      expect(positional.code, `${command.join(" ")}: ${positional.stdout}`).toBe(0);
      expect(flag.stdout).toBe(positional.stdout);
      const both = await runCli([...command, world, "--world", dir.path, "--json"], { cwd: dir.path });
      expect(both.code).toBe(2);
      expect(oneJson(both.stdout)).toMatchObject({
        error: { code: "ERR_USAGE", message: expect.stringContaining("two worlds") },
      });
    }
  }, 60_000);
});

describe("human output on a terminal", () => {
  async function runTty(argv: string[], cwd: string, env: Record<string, string | undefined>) {
    const { main } = await import("../../src/cli/main.js");
    let stdout = "";
    let stderr = "";
    const code = await main(argv, {
      cwd,
      env: { PATH: process.env.PATH, ...env },
      stdout: { write: (t: string) => (stdout += t), isTTY: true },
      stderr: { write: (t: string) => (stderr += t), isTTY: true },
      readStdin: async () => Buffer.alloc(0),
    });
    return { code, stdout, stderr };
  }

  test("sigil run: a coloured summary, no NDJSON on a terminal's stderr", async () => {
    await using dir = await tempDir();
    const run = await runTty(runArgs(join(dir.path, "w"), ["--inputs-json", HI]), dir.path, {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("\u001b[32m✔\u001b[39m");
    expect(run.stdout).toMatch(/success.*execution/);
    expect(run.stderr).not.toContain('"event"');
  });

  test("NO_COLOR turns colour off; --log-format json brings the event stream back", async () => {
    await using dir = await tempDir();
    const run = await runTty(
      runArgs(join(dir.path, "w"), ["--inputs-json", HI, "--log-format", "json"]),
      dir.path,
      {
        NO_COLOR: "1",
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("\u001b[");
    expect(run.stdout).toContain("✔ success");
    expect(run.stderr).toContain('"event":"execution.settle"');
  });

  test("job run on a terminal: summary on stdout, no NDJSON on stderr", async () => {
    await using dir = await tempDir();
    const run = await runTty(
      [
        "job",
        "run",
        join(REPO_ROOT, "examples/briefs/instagram-copy.yaml"),
        "--root",
        REPO_ROOT,
        "--world",
        join(dir.path, "w"),
      ],
      dir.path,
      {},
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("executed");
    expect(run.stderr).not.toContain('"event"');
  });
});

describe("signals end a command with a message and 130/143", () => {
  test.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)(
    "%s during sigil run --json: the processor tree stops, the half-written prefix goes, exit %i",
    async (signal, exitCode) => {
      await using dir = await tempDir();
      const registry = join(dir.path, "registry");
      const world = join(dir.path, "w");
      const prefix = join(world, "outputs", "interrupted");
      await mkdir(registry);
      await writeFile(
        join(registry, "hang-tree.yaml"),
        "ref: test/hang-tree@1\nimage: ghcr.io/sigil-zero/sigil-zero/test-hang-tree:dev\nsource: test/fixtures/processors/hang-tree\nentrypoint: [python3, main.py]\ntimeout_s: 600\n",
      );
      const child = execa(
        process.execPath,
        [
          join(REPO_ROOT, "bin/sigil.cjs"),
          ...["run", "--ref", "test/hang-tree@1", "--root", REPO_ROOT, "--registry", registry],
          ...[
            "--world",
            world,
            "--write-prefix",
            prefix,
            "--mode",
            "mock",
            "--repo",
            "sigil-zero/sigil-zero",
            "--json",
          ],
        ],
        { cwd: dir.path, env: { PATH: process.env.PATH }, extendEnv: false, reject: false },
      );
      // Wait for the processor's grandchild to be running (its line arrives on stderr), then interrupt.
      await new Promise<void>((resolve) => {
        let seen = "";
        child.stderr?.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes("grandchild started")) resolve();
        });
      });
      const grandchild = Number(await readFile(join(prefix, "grandchild.pid"), "utf8"));
      expect(await processAlive(grandchild)).toBe(true);
      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(exitCode);
      expect(oneJson(result.stdout)).toMatchObject({
        status: "error",
        error: {
          code: "ERR_INTERRUPTED",
          message: expect.stringMatching(new RegExp(`^interrupted: .*stopped by ${signal}`)),
        },
      });
      expect(await processAlive(grandchild)).toBe(false);
      expect(await exists(prefix)).toBe(false);
      const verify = await runCli(["verify", world, "--json"], { cwd: dir.path });
      expect(verify.code, verify.stdout).toBe(0);
    },
    60_000,
  );
});
