import { describe, expect, test } from "vitest";
import { describeTail, sha256Hex, spawnProcess } from "../../src/core/index.js";

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
    expect(result.signal).toBe("SIGKILL");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

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
