import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readdirOrEmpty, walkEntries } from "../../src/core/index.js";
import { tempDir } from "../helpers/temp.js";

describe("the one directory walk", () => {
  test("walkEntries yields every non-folder, links unfollowed, skipping what is asked, relative paths with /", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "a/b/__pycache__"), { recursive: true });
    await writeFile(join(dir.path, "a/one.txt"), "1");
    await writeFile(join(dir.path, "a/b/two.txt"), "2");
    await writeFile(join(dir.path, "a/b/__pycache__/x.pyc"), "x");
    await symlink("/etc", join(dir.path, "a/link"));
    const seen: string[] = [];
    for await (const entry of walkEntries(dir.path, { skip: (name) => name === "__pycache__" }))
      seen.push(
        `${entry.rel}:${entry.dirent.isFile() ? "file" : entry.dirent.isSymbolicLink() ? "link" : "other"}`,
      );
    expect(seen.sort()).toEqual(["a/b/two.txt:file", "a/link:link", "a/one.txt:file"]);
  });

  test("a missing root is an empty tree; readdirOrEmpty the same for a missing folder or a file", async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, "f"), "");
    const seen: unknown[] = [];
    for await (const entry of walkEntries(join(dir.path, "missing"))) seen.push(entry);
    expect(seen).toEqual([]);
    expect(readdirOrEmpty(join(dir.path, "missing"))).toEqual([]);
    expect(readdirOrEmpty(join(dir.path, "f"))).toEqual([]);
    expect(readdirOrEmpty(dir.path).map((d) => d.name)).toEqual(["f"]);
  });
});
