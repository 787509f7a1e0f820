import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ERROR_TABLE } from "../../src/core/index.js";
import { createLocalGitPublisher, gitBlobSha, type PublishUnit } from "../../src/governance/index.js";
import { git, gitTree, tempGitRepo } from "../helpers/git-repo.js";
import { tempDir } from "../helpers/temp.js";

const text = (s: string) => new TextEncoder().encode(s);
const unit = (message: string, files: Record<string, string>, mode?: "create" | "append"): PublishUnit => ({
  message,
  files: Object.entries(files).map(([path, body]) => ({
    path,
    bytes: text(body),
    ...(mode ? { mode } : {}),
  })),
});
const errorOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  if (!error) throw new Error("expected a rejection");
  return error;
};
const headOf = (repo: string, ref = "refs/heads/main") =>
  git(repo, ["rev-parse", "-q", "--verify", ref]).catch(() => null);

describe("local git publisher", () => {
  it("commits a unit as one commit on the unborn current branch, leaving index and working tree alone", async () => {
    await using repo = await tempGitRepo();
    await writeFile(join(repo.path, "mine.txt"), "user's work\n");
    await git(repo.path, ["add", "mine.txt"]);
    const indexBefore = await readFile(join(repo.path, ".git", "index"));

    const publisher = await createLocalGitPublisher({ repo: repo.path });
    expect(publisher.backend).toBe("local-git");
    expect(publisher.target).toBe(`${repo.path}@main`);
    const result = await publisher.publish(
      unit("run r1", { "artifacts/j/r1/manifest.json": "{}\n", "artifacts/j/r1/outputs/a.txt": "a" }),
    );

    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(result.written).toEqual(["artifacts/j/r1/manifest.json", "artifacts/j/r1/outputs/a.txt"]);
    expect(result.unchanged).toEqual([]);
    expect(await headOf(repo.path)).toBe(result.commit);
    expect(await git(repo.path, ["log", "--format=%s|%an", "main"])).toBe("run r1|SIGIL.ZERO publisher");
    expect(await git(repo.path, ["show", "main:artifacts/j/r1/outputs/a.txt"])).toBe("a");
    expect(await readFile(join(repo.path, ".git", "index"))).toEqual(indexBefore);
    expect(await readFile(join(repo.path, "mine.txt"), "utf8")).toBe("user's work\n");
    await expect(stat(join(repo.path, "artifacts"))).rejects.toThrow();
    expect(
      new TextDecoder().decode((await publisher.read("artifacts/j/r1/outputs/a.txt")) ?? undefined),
    ).toBe("a");
    expect(await publisher.read("artifacts/j/r1/none")).toBeNull();
    expect(await publisher.list("artifacts/j/")).toEqual([
      "artifacts/j/r1/manifest.json",
      "artifacts/j/r1/outputs/a.txt",
    ]);
  });

  it("a replay is a no-op: no commit, every path unchanged", async () => {
    await using repo = await tempGitRepo();
    const publisher = await createLocalGitPublisher({ repo: repo.path });
    const first = await publisher.publish(unit("run", { "a/b.txt": "1", "a/c.txt": "2" }));
    const again = await publisher.publish(unit("run", { "a/b.txt": "1", "a/c.txt": "2" }));
    expect(again).toEqual({ commit: null, written: [], unchanged: ["a/b.txt", "a/c.txt"] });
    expect(await headOf(repo.path)).toBe(first.commit);
    expect(await git(repo.path, ["rev-list", "--count", "main"])).toBe("1");
  });

  it("different bytes at an existing path refuse the whole unit and commit nothing", async () => {
    await using repo = await tempGitRepo();
    const publisher = await createLocalGitPublisher({ repo: repo.path });
    const first = await publisher.publish(unit("one", { "a/b.txt": "1" }));
    const error = await errorOf(publisher.publish(unit("two", { "a/new.txt": "n", "a/b.txt": "changed" })));
    expect(error.code).toBe("ERR_PUBLISH_CONFLICT");
    expect(error.message).toContain(ERROR_TABLE.ERR_PUBLISH_CONFLICT);
    expect(error.message).toContain("a/b.txt");
    expect(await headOf(repo.path)).toBe(first.commit);
    expect([...(await gitTree(repo.path, "main")).keys()]).toEqual(["a/b.txt"]);

    const underFile = await errorOf(publisher.publish(unit("three", { "a/b.txt/x": "x" })));
    expect(underFile.code).toBe("ERR_PUBLISH_CONFLICT");
    const overFolder = await errorOf(publisher.publish(unit("four", { a: "x" })));
    expect(overFolder.code).toBe("ERR_PUBLISH_CONFLICT");
    expect(await headOf(repo.path)).toBe(first.commit);
  });

  it("append mode appends once; a replayed append is a no-op", async () => {
    await using repo = await tempGitRepo();
    const publisher = await createLocalGitPublisher({ repo: repo.path });
    await publisher.publish(unit("r1", { "index.ndjson": '{"run":1}\n' }, "append"));
    const second = await publisher.publish(unit("r2", { "index.ndjson": '{"run":2}\n' }, "append"));
    expect(second.written).toEqual(["index.ndjson"]);
    const replay = await publisher.publish(unit("r2", { "index.ndjson": '{"run":2}\n' }, "append"));
    expect(replay).toEqual({ commit: null, written: [], unchanged: ["index.ndjson"] });
    expect(await git(repo.path, ["show", "main:index.ndjson"])).toBe('{"run":1}\n{"run":2}');
    expect(await git(repo.path, ["rev-list", "--count", "main"])).toBe("2");
  });

  it("concurrent publishers racing on one branch all land, nothing lost, history linear", async () => {
    await using repo = await tempGitRepo();
    const publishers = await Promise.all(
      Array.from({ length: 6 }, () => createLocalGitPublisher({ repo: repo.path })),
    );
    const results = await Promise.all(
      publishers.map((p, i) =>
        p.publish({
          message: `run ${i}`,
          files: [
            { path: `artifacts/j/r${i}/manifest.json`, bytes: text(`{"i":${i}}`) },
            { path: "index.ndjson", bytes: text(`r${i}\n`), mode: "append" },
          ],
        }),
      ),
    );
    expect(results.every((r) => r.commit !== null)).toBe(true);
    const tree = await gitTree(repo.path, "main");
    for (let i = 0; i < 6; i++) expect(tree.has(`artifacts/j/r${i}/manifest.json`)).toBe(true);
    const index = (await git(repo.path, ["show", "main:index.ndjson"])).split("\n").sort();
    expect(index).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
    expect(await git(repo.path, ["rev-list", "--count", "--min-parents=2", "main"])).toBe("0");
    expect(await git(repo.path, ["rev-list", "--count", "main"])).toBe("6");
  });

  it("publishes to --branch without moving HEAD, into a bare repository too, with exact bytes", async () => {
    await using repo = await tempGitRepo({ bare: true });
    await git(repo.path, ["config", "core.autocrlf", "true"]);
    const publisher = await createLocalGitPublisher({ repo: repo.path, branch: "governance" });
    expect(publisher.target).toBe(`${repo.path}@governance`);
    const bytes = new Uint8Array([0, 1, 2, 13, 10, 255, 0x41, 13, 10]);
    await publisher.publish({
      message: "bin",
      files: [
        { path: "b.bin", bytes },
        { path: "t.txt", bytes: text("x\r\n") },
      ],
    });
    expect(await publisher.read("b.bin")).toEqual(bytes);
    expect(await publisher.read("t.txt")).toEqual(text("x\r\n"));
    expect((await gitTree(repo.path, "governance")).get("b.bin")).toBe(gitBlobSha(bytes));
    expect(await git(repo.path, ["symbolic-ref", "HEAD"])).toBe("refs/heads/main");
    expect(await headOf(repo.path)).toBeNull();
  });

  it("refuses bad paths, folders that are not a repository root, and bad branch names", async () => {
    await using repo = await tempGitRepo();
    const publisher = await createLocalGitPublisher({ repo: repo.path });
    for (const path of ["../x", "/abs", "a//b", "a/./b", ".git/config", "a\\b", ""]) {
      const error = await errorOf(publisher.publish(unit("bad", { [path]: "x" })));
      expect(error.code).toBe("ERR_PATH_TRAVERSAL");
      expect(error.message).toContain(ERROR_TABLE.ERR_PATH_TRAVERSAL);
    }
    const twice = await errorOf(
      publisher.publish({
        message: "m",
        files: [
          { path: "a", bytes: text("1") },
          { path: "a", bytes: text("1") },
        ],
      }),
    );
    expect(twice.code).toBe("ERR_PUBLISH_CONFLICT");
    expect(await headOf(repo.path)).toBeNull();

    await using plain = await tempDir();
    const notRepo = await errorOf(createLocalGitPublisher({ repo: plain.path }));
    expect(notRepo.code).toBe("ERR_USAGE");
    expect(notRepo.message).toContain("is not a git repository");
    const inside = await errorOf(createLocalGitPublisher({ repo: join(repo.path, ".git", "objects") }));
    expect(inside.code).toBe("ERR_USAGE");
    const branch = await errorOf(createLocalGitPublisher({ repo: repo.path, branch: "a..b" }));
    expect(branch.code).toBe("ERR_USAGE");
    expect(branch.message).toContain(ERROR_TABLE.ERR_USAGE);
  });

  it("gitBlobSha is git's own blob id (property)", async () => {
    await using repo = await tempGitRepo();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const path = join(repo.path, "probe");
        await writeFile(path, bytes);
        expect(await git(repo.path, ["hash-object", "--no-filters", "probe"])).toBe(gitBlobSha(bytes));
      }),
      { numRuns: 25 },
    );
  });
});
