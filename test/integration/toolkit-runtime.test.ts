// The Python runtime ships with the toolkit: a repository without processors/_runtime runs its
// processors on the toolkit's copy, and the source digest hashes the runtime that runs.
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import {
  Envelope,
  parseJsonStrict,
  RUNTIME_DIR,
  runtimeDirFor,
  TOOLKIT_VERSION,
  toolkitPythonPath,
  toolkitRoot,
} from "../../src/core/index.js";
import { sourceDigest } from "../../src/supply/index.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const skipCaches = (src: string) => !src.includes("__pycache__") && !src.endsWith(".pyc");

/** A repository holding only llm/litellm and its registry entry: no runtime of its own. */
async function repoWithoutRuntime(root: string): Promise<void> {
  await cp(join(REPO_ROOT, "processors/llm"), join(root, "processors/llm"), {
    recursive: true,
    filter: skipCaches,
  });
  await mkdir(join(root, "registry/processors"), { recursive: true });
  await cp(
    join(REPO_ROOT, "registry/processors/llm-litellm-v1.yaml"),
    join(root, "registry/processors/llm-litellm-v1.yaml"),
  );
}

describe("the runtime ships with the toolkit", () => {
  test("the toolkit is found from its own modules, never from the repository under check", async () => {
    await using dir = await tempDir();
    expect(toolkitRoot()).toBe(REPO_ROOT.replace(/\/$/, ""));
    expect(toolkitPythonPath()).toBe(join(REPO_ROOT, "processors"));
    expect(runtimeDirFor(dir.path)).toBe(join(REPO_ROOT, RUNTIME_DIR));
    expect(runtimeDirFor(REPO_ROOT)).toBe(join(REPO_ROOT, RUNTIME_DIR));
  });

  test("a repository without a runtime gets the digest of the toolkit's runtime; packaging files do not count", async () => {
    await using bare = await tempDir();
    await using copy = await tempDir();
    await repoWithoutRuntime(bare.path);
    await repoWithoutRuntime(copy.path);
    await cp(join(REPO_ROOT, RUNTIME_DIR), join(copy.path, RUNTIME_DIR), {
      recursive: true,
      filter: skipCaches,
    });
    const source = "processors/llm/litellm";
    const expected = await sourceDigest(REPO_ROOT, source, { cacheDir: null });
    expect(await sourceDigest(bare.path, source, { cacheDir: null })).toBe(expected);
    expect(await sourceDigest(copy.path, source, { cacheDir: null })).toBe(expected);
    // A release moves the runtime's version: digests stay; a code change moves them.
    await writeFile(join(copy.path, RUNTIME_DIR, "pyproject.toml"), "[project]\nversion = '9.9.9'\n");
    expect(await sourceDigest(copy.path, source, { cacheDir: null })).toBe(expected);
    await writeFile(join(copy.path, RUNTIME_DIR, "extra.py"), "X = 1\n");
    expect(await sourceDigest(copy.path, source, { cacheDir: null })).not.toBe(expected);
  });

  test("sigil run succeeds in a repository that has no processors/_runtime", async () => {
    await using dir = await tempDir();
    await repoWithoutRuntime(dir.path);
    const run = await execa(
      process.execPath,
      [join(REPO_ROOT, "bin/sigil.cjs"), "run", "--ref", "llm/litellm@1", "--mode", "mock", "--json"],
      { cwd: dir.path, env: { PATH: process.env.PATH, HOME: dir.path }, extendEnv: false, reject: false },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const envelope = Envelope.parse(parseJsonStrict(run.stdout.trim()));
    expect(envelope.status).toBe("success");
    if (envelope.status === "success") {
      expect(envelope.meta.image_digest).toBe(await sourceDigest(REPO_ROOT, "processors/llm/litellm"));
    }
  });

  test("the npm package, the CLI and the Python runtime carry one version", async () => {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8"));
    const pyproject = await readFile(join(REPO_ROOT, RUNTIME_DIR, "pyproject.toml"), "utf8");
    expect(pkg.version).toBe(TOOLKIT_VERSION);
    expect(pyproject).toContain(`version = "${TOOLKIT_VERSION}" # x-release-please-version`);
    const version = await execa(process.execPath, [join(REPO_ROOT, "bin/sigil.cjs"), "--version"]);
    expect(version.stdout.trim()).toBe(TOOLKIT_VERSION);
  });
});
