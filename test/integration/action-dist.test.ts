// The committed bundles and the generated docs: reproducible, and a stale one fails its check.
import { execFile } from "node:child_process";
import { cp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE, sha256Hex } from "../../src/core/index.js";
import { REPO_ROOT, snapshotTree, tempDir } from "../helpers/temp.js";

const exec = promisify(execFile);

/** Runs a script of a copy; resolves with its exit code and output instead of throwing. */
async function script(root: string, file: string, ...args: string[]) {
  return exec(process.execPath, [join(root, "scripts", file), ...args], { cwd: root }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

/** A copy of the repository parts a script reads, sharing node_modules by symlink. */
async function copyOf(root: string, parts: string[]): Promise<void> {
  for (const part of parts) await cp(join(REPO_ROOT, part), join(root, part), { recursive: true });
  await symlink(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
}

describe("dist/ bundles", () => {
  test("are reproducible: the same bytes twice, in another folder, with no absolute path", async () => {
    await using a = await tempDir("sigil-dist-a-");
    await using b = await tempDir("sigil-dist-b-");
    for (const dir of [a.path, b.path]) {
      await copyOf(dir, ["src", "scripts", "package.json"]);
      expect((await script(dir, "bundle.js")).code).toBe(0);
    }
    const first = await snapshotTree(join(a.path, "dist"));
    const digests = (tree: Map<string, Buffer>) => [...tree].map(([file, bytes]) => [file, sha256Hex(bytes)]);
    expect(digests(await snapshotTree(join(b.path, "dist")))).toEqual(digests(first));
    expect([...first.keys()]).toEqual(expect.arrayContaining(["pr-lane.js", "validate.js", "sigil.js"]));
    for (const [file, bytes] of first) {
      const text = bytes.toString("utf8");
      expect([file, text.includes(a.path) || text.includes(REPO_ROOT)]).toEqual([file, false]);
      expect(text).not.toContain("sourceMappingURL");
    }
  });

  test("check-dist passes on a fresh bundle and fails with ERR_DIST_STALE after an unbundled source change", async () => {
    await using copy = await tempDir("sigil-dist-");
    await copyOf(copy.path, ["src", "scripts", "package.json"]);
    expect((await script(copy.path, "bundle.js")).code).toBe(0);
    expect(await script(copy.path, "check-dist.js")).toMatchObject({ code: 0 });

    const source = join(copy.path, "src/actions/pr-lane.ts");
    await writeFile(
      source,
      (await readFile(source, "utf8")).replace("SIGIL.ZERO · PR lane", "SIGIL.ZERO · PR lane!"),
    );
    const stale = await script(copy.path, "check-dist.js");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`ERR_DIST_STALE: ${ERROR_TABLE.ERR_DIST_STALE}`);
    expect(stale.stderr).toMatch(/chunks\/chunk-[A-Z0-9]+\.js \(/);

    expect((await script(copy.path, "bundle.js")).code).toBe(0);
    expect((await script(copy.path, "check-dist.js")).code).toBe(0);
    await writeFile(join(copy.path, "dist/leftover.js"), "");
    expect((await script(copy.path, "check-dist.js")).stderr).toContain(
      "leftover.js (not produced by the sources)",
    );
    await rm(join(copy.path, "dist/pr-lane.js"));
    expect((await script(copy.path, "check-dist.js")).stderr).toContain("pr-lane.js (missing)");
  });
});

describe("docs/actions.md", () => {
  test("is current with the action.yml and workflow files", async () => {
    const check = await script(REPO_ROOT, "gen-action-docs.js", "--check");
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
  });

  test("the check fails when an action.yml changes and the docs are not regenerated", async () => {
    await using copy = await tempDir("sigil-docs-");
    // src/ holds the toolkit name and tag the reference prints (src/core/toolkit.ts).
    await copyOf(copy.path, ["scripts", "src", "actions", "action.yml", "docs", ".github", "package.json"]);
    const meta = join(copy.path, "actions/pr-lane/action.yml");
    await writeFile(meta, (await readFile(meta, "utf8")).replace("Processor mode.", "The processor mode."));
    const stale = await script(copy.path, "gen-action-docs.js", "--check");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("docs/actions.md is out of date");
    expect((await script(copy.path, "gen-action-docs.js")).code).toBe(0);
    expect(await readFile(join(copy.path, "docs/actions.md"), "utf8")).toContain("The processor mode.");
    expect((await script(copy.path, "gen-action-docs.js", "--check")).code).toBe(0);
  });
});
