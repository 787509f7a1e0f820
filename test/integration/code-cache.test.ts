import { copyFileSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as Module from "node:module";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { writeSyntheticWorld } from "../../bench/lib/synthetic-world.js";
import { parseJsonStrict } from "../../src/core/index.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

// bin/code-cache.cjs compiles our bundles with V8's cached data on Node 20 (Node >= 22.1 has its
// own compile cache, and these files are then not written). A copy of bin/ and the two bundles
// keeps the repository's own caches out of it.
const NODE_HAS_COMPILE_CACHE =
  typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === "function";

function installCopy(root: string): void {
  mkdirSync(join(root, "bin"));
  mkdirSync(join(root, "lib"));
  for (const file of ["sigil.cjs", "code-cache.cjs", "verify-worker.cjs", "prewarm.py"])
    copyFileSync(join(REPO_ROOT, "bin", file), join(root, "bin", file));
  for (const file of ["sigil.cjs", "verify-worker.cjs"])
    copyFileSync(join(REPO_ROOT, "lib", file), join(root, "lib", file));
  copyFileSync(join(REPO_ROOT, "package.json"), join(root, "package.json"));
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
}

const cachesOf = (root: string, bundle: string) =>
  readdirSync(join(root, "lib")).filter((name) => name.startsWith(`${bundle}.`) && name.endsWith(".cache"));

async function verify(root: string, world: string) {
  const result = await execa(process.execPath, [join(root, "bin/sigil.cjs"), "verify", world, "--json"], {
    env: { PATH: process.env.PATH, TMPDIR: join(root, "tmp") },
    extendEnv: false,
    reject: false,
  });
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  return parseJsonStrict(result.stdout);
}

describe("the bundles' code cache", () => {
  test("verify writes a cache for the CLI and for its worker threads, reuses them, and replaces a corrupt one", async () => {
    await using dir = await tempDir();
    const root = join(dir.path, "pkg");
    mkdirSync(root);
    mkdirSync(join(root, "tmp"));
    installCopy(root);
    const world = join(dir.path, "world");
    writeSyntheticWorld(world, {
      runs: 130,
      snapshotsPerRun: 1,
      snapshotBytes: 64,
      outputsPerRun: 1,
      outputBytes: 64,
    });

    const first = await verify(root, world);
    expect(first).toMatchObject({ ok: true, runs: 130, findings: [] });
    if (NODE_HAS_COMPILE_CACHE) {
      expect([...cachesOf(root, "sigil.cjs"), ...cachesOf(root, "verify-worker.cjs")]).toEqual([]);
      return;
    }
    const [cli] = cachesOf(root, "sigil.cjs");
    const [worker] = cachesOf(root, "verify-worker.cjs");
    expect(cli).toBeDefined();
    expect(worker).toBeDefined();
    // No temp file is left behind (with 130 runs, two threads write the worker's cache at once).
    expect(readdirSync(join(root, "lib")).filter((name) => name.endsWith(".tmp"))).toEqual([]);

    const workerCache = join(root, "lib", worker ?? "");
    const written = statSync(workerCache).mtimeMs;
    expect(await verify(root, world)).toEqual(first);
    expect(statSync(workerCache).mtimeMs).toBe(written);

    // V8 rejects cached data that does not check out; the bundle then compiles from source and
    // the cache is written again.
    writeFileSync(workerCache, Buffer.alloc(4096, 7));
    expect(await verify(root, world)).toEqual(first);
    expect(statSync(workerCache).size).not.toBe(4096);
  });
});
