import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_INPUTS, BUILD_OUTPUTS, buildStaleness } from "../helpers/build-staleness.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const T0 = new Date("2026-01-01T00:00:00Z").getTime() / 1000;

/** Writes `path` under `root` with its modification time `seconds` after T0. */
function touch(root: string, path: string, seconds: number): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, path);
  utimesSync(file, T0 + seconds, T0 + seconds);
}

/** A tree with every input at T0 and every output at T0 + 10 s: freshly built. */
function builtTree(root: string): void {
  touch(root, "src/cli/main.ts", 0);
  touch(root, "src/world/deep/nested/file.ts", 0);
  for (const input of BUILD_INPUTS.filter((p) => p !== "src")) touch(root, input, 0);
  for (const output of BUILD_OUTPUTS) touch(root, output, 10);
}

describe("buildStaleness", () => {
  it("is fresh when every output is newer than every input", async () => {
    await using dir = await tempDir();
    builtTree(dir.path);
    expect(buildStaleness(dir.path)).toBeUndefined();
  });

  it("is stale when an output is missing", async () => {
    await using dir = await tempDir();
    touch(dir.path, "src/a.ts", 0);
    touch(dir.path, "lib/sigil.cjs", 10);
    expect(buildStaleness(dir.path)).toBe("lib/verify-worker.cjs is missing");
  });

  it("is stale when a file deep under src/ changed after the build", async () => {
    await using dir = await tempDir();
    builtTree(dir.path);
    touch(dir.path, "src/world/deep/nested/file.ts", 11);
    expect(buildStaleness(dir.path)).toBe("src changed after the last build");
  });

  it("compares against the oldest output, so a half-finished build is stale", async () => {
    await using dir = await tempDir();
    builtTree(dir.path);
    touch(dir.path, "lib/cli/main.js", 4); // tsc ran, the bundles were not rewritten since
    touch(dir.path, "src/cli/main.ts", 5);
    touch(dir.path, "lib/sigil.cjs", 20);
    expect(buildStaleness(dir.path)).toBe("src changed after the last build");
  });

  it.each(["scripts/build-cli.js", "tsconfig.build.json", "tsconfig.json", "package.json"])(
    "is stale when %s changed after the build",
    async (input) => {
      await using dir = await tempDir();
      builtTree(dir.path);
      touch(dir.path, input, 11);
      expect(buildStaleness(dir.path)).toBe(`${input} changed after the last build`);
    },
  );

  it("finds this checkout built: the global setup rebuilt whatever was stale", () => {
    expect(buildStaleness(REPO_ROOT)).toBeUndefined();
  });
});
