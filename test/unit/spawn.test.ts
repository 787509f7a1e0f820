import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { describeTail, killAllProcessGroups, sha256Hex, spawnProcess } from "../../src/core/index.js";
import { processAlive } from "../helpers/process.js";
import { tempDir } from "../helpers/temp.js";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

describe("spawn helper", () => {
  test("returns rc, bounded tails with the sha256 of the whole stream, and elapsed time", async () => {
    const script =
      "import sys; sys.stdout.write('a'*10000 + 'END'); sys.stderr.write('e1\\ne2\\n'); sys.exit(3)";
    const lines: string[] = [];
    const result = await spawnProcess({
      file: "python3",
      args: ["-c", script],
      cwd: "/",
      env,
      timeoutMs: 10_000,
      tailChars: 100,
      onStderrLine: (l) => lines.push(l),
    });
    expect(result.rc).toBe(3);
    expect(result.timedOut).toBe(false);
    expect(result.stdout.bytes).toBe(10003);
    expect(result.stdout.sha256).toBe(sha256Hex(`${"a".repeat(10000)}END`));
    expect(result.stdout.head).toHaveLength(100);
    expect(result.stdout.tail.endsWith("END")).toBe(true);
    expect(result.stdout.truncated).toBe(true);
    expect(lines).toEqual(["e1", "e2"]);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(describeTail(result.stdout)).toContain(`sha256 ${result.stdout.sha256}`);
  });

  test("the child sees only the environment it is given and no TTY", async () => {
    process.env.SIGIL_PARENT_ONLY = "leak";
    const script =
      "import os, sys; print(os.environ.get('ONLY'), os.environ.get('SIGIL_PARENT_ONLY'), sys.stdin.isatty())";
    const result = await spawnProcess({
      file: "python3",
      args: ["-c", script],
      cwd: "/",
      env: { ...env, ONLY: "1" },
      timeoutMs: 10_000,
    });
    delete process.env.SIGIL_PARENT_ONLY;
    expect(result.stdout.head.trim()).toBe("1 None False");
  });

  test("kills a process that outlives the hard timeout", async () => {
    const started = Date.now();
    const result = await spawnProcess({
      file: "python3",
      args: ["-c", "import time; time.sleep(30)"],
      cwd: "/",
      env,
      timeoutMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(["SIGTERM", "SIGKILL"]).toContain(result.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("a timeout ends the whole process tree, even a grandchild holding the pipes", async () => {
    await using dir = await tempDir();
    const pidFile = join(dir.path, "grandchild.pid");
    // The grandchild inherits stdout/stderr, so waiting for pipes alone would wait 37 s.
    const script = [
      "import subprocess, sys",
      `p = subprocess.Popen(["sleep", "37"])`,
      `open(${JSON.stringify(pidFile)}, "w").write(str(p.pid))`,
      "sys.stderr.write('started\\n'); sys.stderr.flush()",
      "p.wait()",
    ].join("\n");
    const started = Date.now();
    const result = await spawnProcess({
      file: "python3",
      args: ["-c", script],
      cwd: "/",
      env,
      timeoutMs: 2000,
    });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000);
    const grandchild = Number(await readFile(pidFile, "utf8"));
    expect(grandchild).toBeGreaterThan(0);
    expect(await processAlive(grandchild)).toBe(false);
  }, 60_000);

  test("killAllProcessGroups ends a running tree at once", async () => {
    const running = spawnProcess({
      file: "python3",
      args: ["-c", "import sys, time; sys.stderr.write('up\\n'); sys.stderr.flush(); time.sleep(60)"],
      cwd: "/",
      env,
      timeoutMs: 60_000,
      onStderrLine: () => killAllProcessGroups("SIGTERM"),
    });
    const result = await running;
    expect(result.timedOut).toBe(false);
    expect(result.signal).toBe("SIGTERM");
  }, 30_000);

  test("a missing executable is a failure, not a crash", async () => {
    const result = await spawnProcess({
      file: "definitely-not-a-command-xyz",
      args: [],
      cwd: "/",
      env,
      timeoutMs: 1000,
    });
    expect(result.rc).toBeNull();
    expect(result.failure).toMatch(/ENOENT|not found/);
  });
});
