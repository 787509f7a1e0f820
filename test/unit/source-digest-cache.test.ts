import { chmod, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Clock } from "../../src/core/index.js";
import { describeSourceDigest, sourceDigest } from "../../src/supply/index.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

/** A clock a minute ahead: every file looks settled, so the cache stores it at once. */
const settled: Clock = { nowMs: () => Date.now() + 60_000, monotonicMs: () => performance.now() };

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

const TREE = {
  "proc/main.py": "print('a')\n",
  "proc/lib/util.py": "X = 1\n",
  "proc/tests/test_x.py": "ignored\n",
  "processors/_runtime/sigil_runtime.py": "R = 1\n",
};

async function cacheFileIn(cacheDir: string): Promise<string> {
  const [name] = (await readdir(cacheDir)).filter((n) => n.endsWith(".json"));
  if (!name) throw new Error("no cache file written");
  return join(cacheDir, name);
}

/** Wait (on the file system's own clock, no fixed sleep) until it has moved past `ns`. */
async function fsClockPast(dir: string, ns: bigint): Promise<void> {
  const probe = join(dir, ".clock-probe");
  for (;;) {
    await writeFile(probe, "");
    if ((await stat(probe, { bigint: true })).mtimeNs > ns) return;
    await new Promise((done) => setImmediate(done));
  }
}

/** Digest with a warm cache whose every entry is trusted, checked against the uncached digest. */
async function warm(root: string, cacheDir: string): Promise<string> {
  const first = await describeSourceDigest(root, "proc", { cacheDir, clock: settled });
  await fsClockPast(root, (await stat(await cacheFileIn(cacheDir), { bigint: true })).mtimeNs);
  await describeSourceDigest(root, "proc", { cacheDir, clock: settled }); // refreshes racy entries
  const again = await describeSourceDigest(root, "proc", { cacheDir, clock: settled });
  expect(again.reused).toBe(again.files);
  expect(again.digest).toBe(first.digest);
  return again.digest;
}

describe("source digest cache", () => {
  test("the repository's processor digests the same with and without the cache", async () => {
    await using cache = await tempDir();
    const uncached = await sourceDigest(REPO_ROOT, "processors/llm/litellm", { cacheDir: null });
    for (let i = 0; i < 3; i++) {
      expect(await sourceDigest(REPO_ROOT, "processors/llm/litellm", { cacheDir: cache.path })).toBe(
        uncached,
      );
    }
  });

  test("files changed within the last seconds are hashed every time, not stored", async () => {
    await using root = await tempDir();
    await using cache = await tempDir();
    await writeTree(root.path, TREE);
    const a = await describeSourceDigest(root.path, "proc", { cacheDir: cache.path });
    const b = await describeSourceDigest(root.path, "proc", { cacheDir: cache.path });
    expect(b).toEqual({ ...a, reused: 0 });
    expect(a.files).toBe(3);
  });

  test("an edit of the same size with mtime set back still changes the digest", async () => {
    await using root = await tempDir();
    await using cache = await tempDir();
    await writeTree(root.path, TREE);
    const before = await warm(root.path, cache.path);
    const file = join(root.path, "proc/main.py");
    const { atime, mtime } = await stat(file);
    await writeFile(file, "print('b')\n");
    await utimes(file, atime, mtime);
    const after = await sourceDigest(root.path, "proc", { cacheDir: cache.path, clock: settled });
    expect(after).not.toBe(before);
    expect(after).toBe(await sourceDigest(root.path, "proc", { cacheDir: null }));
  });

  test("an entry not strictly older than the cache file is not trusted (racy git)", async () => {
    await using root = await tempDir();
    await using cache = await tempDir();
    await writeTree(root.path, TREE);
    const truth = await warm(root.path, cache.path);
    // A cached hash that no longer matches the bytes under an unchanged stat: what a write in the
    // same clock tick as the cache write leaves behind.
    const cacheFile = await cacheFileIn(cache.path);
    const body = JSON.parse(await readFile(cacheFile, "utf8"));
    const main = join(root.path, "proc/main.py");
    body.entries[main].sha256 = "0".repeat(64);
    await writeFile(cacheFile, JSON.stringify(body));
    const st = await stat(main, { bigint: true });
    const latest = st.ctimeNs > st.mtimeNs ? st.ctimeNs : st.mtimeNs;
    // The cache file written in the same second as the file's last change (whole seconds are
    // exact for utimes): not strictly older, so the entry is hashed again.
    const second = Number(latest / 1_000_000_000n);
    await utimes(cacheFile, second, second);
    const options = { cacheDir: cache.path, clock: settled };
    expect(await sourceDigest(root.path, "proc", options)).toBe(truth);
    // The control: the same stale entry under a cache file written later is believed.
    await writeFile(cacheFile, JSON.stringify(body));
    await utimes(cacheFile, second + 10, second + 10);
    expect(await sourceDigest(root.path, "proc", options)).not.toBe(truth);
  });

  test("adding, removing and renaming a file each change the digest", async () => {
    await using root = await tempDir();
    await using cache = await tempDir();
    await writeTree(root.path, TREE);
    const seen = new Set([await warm(root.path, cache.path)]);
    const check = async () => {
      const cached = await sourceDigest(root.path, "proc", { cacheDir: cache.path, clock: settled });
      expect(cached).toBe(await sourceDigest(root.path, "proc", { cacheDir: null }));
      expect(seen.has(cached)).toBe(false);
      seen.add(cached);
    };
    await writeFile(join(root.path, "proc/extra.py"), "E = 2\n");
    await check();
    await rename(join(root.path, "proc/lib/util.py"), join(root.path, "proc/lib/util2.py"));
    await check();
    await rm(join(root.path, "proc/extra.py"));
    await check();
    await writeFile(join(root.path, "processors/_runtime/more.py"), "M = 3\n");
    await check();
  });

  test("a corrupt cache file is ignored and rewritten", async () => {
    await using root = await tempDir();
    await using cache = await tempDir();
    await writeTree(root.path, TREE);
    const truth = await warm(root.path, cache.path);
    const cacheFile = await cacheFileIn(cache.path);
    for (const garbage of ["{not json", '{"format":"other","entries":{}}', "", "[]"]) {
      await writeFile(cacheFile, garbage);
      expect(await sourceDigest(root.path, "proc", { cacheDir: cache.path, clock: settled })).toBe(truth);
      expect(JSON.parse(await readFile(cacheFile, "utf8")).format).toBe("sigil.file-hash-cache.v1");
    }
  });

  test("an unwritable cache directory costs only speed", async () => {
    await using root = await tempDir();
    await using cache = await tempDir();
    await writeTree(root.path, TREE);
    const truth = await sourceDigest(root.path, "proc", { cacheDir: null });
    // Below a regular file nothing can be created, even by root.
    const blocker = join(cache.path, "file");
    await writeFile(blocker, "");
    const under = join(blocker, "sigil");
    expect(await sourceDigest(root.path, "proc", { cacheDir: under, clock: settled })).toBe(truth);
    // A directory without write permission (root ignores the mode; others are refused).
    const readOnly = join(cache.path, "ro");
    await mkdir(readOnly);
    await chmod(readOnly, 0o555);
    try {
      for (let i = 0; i < 2; i++) {
        expect(await sourceDigest(root.path, "proc", { cacheDir: readOnly, clock: settled })).toBe(truth);
      }
    } finally {
      await chmod(readOnly, 0o755);
    }
  });

  test("property: for random trees and random edits, the cached digest is the uncached one", async () => {
    const name = fc.constantFrom("a.py", "b.py", "c.txt", "lib/d.py", "lib/e.py", "x/y/z.py");
    const text = fc.string({ maxLength: 12 });
    const edit = fc.oneof(
      fc.record({ kind: fc.constant("write" as const), name, text }),
      fc.record({ kind: fc.constant("same-size" as const), name }),
      fc.record({ kind: fc.constant("remove" as const), name }),
      fc.record({ kind: fc.constant("rename" as const), name, to: name }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(name, text, { minKeys: 1 }),
        fc.array(edit, { maxLength: 6 }),
        async (tree, edits) => {
          await using root = await tempDir();
          await using cache = await tempDir();
          const files: Record<string, string> = { "processors/_runtime/r.py": "R\n" };
          for (const [path, body] of Object.entries(tree)) files[`proc/${path}`] = body;
          await writeTree(root.path, files);
          const options = { cacheDir: cache.path, clock: settled };
          expect(await sourceDigest(root.path, "proc", options)).toBe(
            await sourceDigest(root.path, "proc", { cacheDir: null }),
          );
          for (const step of edits) {
            const path = join(root.path, "proc", step.name);
            const present = await stat(path).then(
              () => true,
              () => false,
            );
            if (step.kind === "write") await writeTree(root.path, { [`proc/${step.name}`]: step.text });
            else if (present && step.kind === "same-size") {
              const old = await stat(path);
              const bytes = await readFile(path);
              await writeFile(
                path,
                bytes.map((b) => b ^ 1),
              );
              await utimes(path, old.atime, old.mtime);
            } else if (present && step.kind === "remove") await rm(path);
            else if (present && step.kind === "rename" && step.to !== step.name) {
              await mkdir(dirname(join(root.path, "proc", step.to)), { recursive: true });
              await rename(path, join(root.path, "proc", step.to)).catch(() => undefined);
            }
            expect(await sourceDigest(root.path, "proc", options)).toBe(
              await sourceDigest(root.path, "proc", { cacheDir: null }),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("defaultCacheDir", () => {
  test("is off in a GitHub Actions job (a runner is thrown away), unless XDG_CACHE_HOME says where", async () => {
    const { defaultCacheDir } = await import("../../src/supply/file-hash-cache.js");
    expect(defaultCacheDir({ GITHUB_ACTIONS: "true" })).toBeNull();
    expect(defaultCacheDir({ GITHUB_ACTIONS: "true", XDG_CACHE_HOME: "/c" })).toBe("/c/sigil");
    expect(defaultCacheDir({})).toMatch(/sigil-cache-/);
  });
});
