import { describe, expect, it } from "vitest";
import { ERROR_TABLE } from "../../src/core/index.js";
import {
  createGitHubPublisher,
  createLocalGitPublisher,
  type GovernancePublisher,
  gitBlobSha,
  type PublishUnit,
} from "../../src/governance/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { gitHandlers } from "../fake-github/handlers-git.js";
import { fakeOctokit, fakeTree, GOV } from "../helpers/fake-gov.js";
import { git, gitTree, tempGitRepo } from "../helpers/git-repo.js";

const text = (s: string) => new TextEncoder().encode(s);
const BINARY = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0xff, 0xfe, 13, 10]);
const errorOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  if (!error) throw new Error("expected a rejection");
  return error;
};
const runUnit = (run: string, files = 3, index = true): PublishUnit => ({
  message: `publish ${run}`,
  files: [
    ...Array.from({ length: files }, (_, i) => ({
      path: `artifacts/job/${run}/outputs/f${i}.txt`,
      bytes: text(`${run} ${i}\n`),
    })),
    ...(index ? [{ path: "artifacts/index.ndjson", bytes: text(`${run}\n`), mode: "append" as const }] : []),
  ],
});
const clean = (fake: FakeGitHub) => {
  expect(fake.invalidRequests).toEqual([]);
  expect(fake.invalidResponses).toEqual([]);
};

describe("GitHub publisher (against the OpenAPI-validated fake)", () => {
  it("produces the same tree as the local git backend: same paths, same blob ids, same root tree", async () => {
    await using fake = await FakeGitHub.start();
    await using repo = await tempGitRepo();
    fake.state.seed({ ...GOV, files: { "README.md": "# governance\n" } });
    const { octokit } = fakeOctokit(fake);
    const remote = await createGitHubPublisher({ octokit, ...GOV });
    const local = await createLocalGitPublisher({ repo: repo.path });
    expect(remote.target).toBe("github:acme/gov@main");
    await local.publish({ message: "seed", files: [{ path: "README.md", bytes: text("# governance\n") }] });

    const units: PublishUnit[] = [
      runUnit("r1"),
      {
        message: "binary and unicode",
        files: [
          { path: "artifacts/job/r2/outputs/logo.png", bytes: BINARY },
          { path: "artifacts/job/r2/outputs/ünï code.txt", bytes: text("\uFEFFbom, crlf\r\nand ☃\n") },
          { path: "artifacts/index.ndjson", bytes: text("r2\n"), mode: "append" },
        ],
      },
    ];
    for (const unit of units) {
      const [a, b] = [await local.publish(unit), await remote.publish(unit)];
      expect(b.written).toEqual(a.written);
    }
    const localTree = await gitTree(repo.path, "main");
    expect(fakeTree(fake, "main")).toEqual(localTree);
    expect(localTree.get("artifacts/job/r2/outputs/logo.png")).toBe(gitBlobSha(BINARY));
    const fakeRepo = fake.state.repo(GOV.owner, GOV.repo);
    const head = fakeRepo?.refs.get("refs/heads/main") ?? "";
    expect(fakeRepo?.git.commits.get(head)?.tree).toBe(await git(repo.path, ["rev-parse", "main^{tree}"]));
    expect(await remote.read("artifacts/job/r2/outputs/logo.png")).toEqual(BINARY);
    expect(await remote.read("artifacts/index.ndjson")).toEqual(text("r1\nr2\n"));
    expect(await remote.list("artifacts/job/r1")).toEqual(await local.list("artifacts/job/r1"));
    clean(fake);
  });

  it("text-only units cost five requests whatever their size; a replay reads twice and writes nothing", async () => {
    await using fake = await FakeGitHub.start();
    fake.state.seed({ ...GOV, files: { "README.md": "x\n" } });
    const { octokit, sent } = fakeOctokit(fake);
    const publisher = await createGitHubPublisher({ octokit, ...GOV, branch: "main" });
    const five = ["git/get-ref", "git/get-tree", "git/create-tree", "git/create-commit", "git/update-ref"];
    for (const files of [5, 200]) {
      fake.log.length = 0;
      await publisher.publish(runUnit(`m${files}`, files, false));
      expect(fake.log.map((e) => e.operation_id)).toEqual(five);
    }
    // An append reads the current file first: one more request, created or not.
    for (const run of ["a1", "a2"]) {
      fake.log.length = 0;
      await publisher.publish(runUnit(run, 5, true));
      expect(fake.log.map((e) => e.operation_id)).toEqual(
        run === "a1" ? five : [...five.slice(0, 2), "git/get-blob", ...five.slice(2)],
      );
    }
    fake.log.length = 0;
    const replay = await publisher.publish(runUnit("m5", 5, false));
    expect(replay.commit).toBeNull();
    expect(replay.unchanged).toHaveLength(5);
    expect(fake.writes()).toEqual([]);
    expect(fake.log).toHaveLength(2);
    expect(sent.filter((r) => r.path.includes("/git/refs/")).every((r) => r.body?.force !== true)).toBe(true);
    clean(fake);
  });

  it("racing publishers on the same branch all land, without force, history linear", async () => {
    await using fake = await FakeGitHub.start();
    fake.state.seed({ ...GOV, files: { "README.md": "x\n" } });
    const { octokit, sent } = fakeOctokit(fake);
    const publishers = await Promise.all(
      Array.from({ length: 5 }, () => createGitHubPublisher({ octokit, ...GOV, branch: "main" })),
    );
    const results = await Promise.all(publishers.map((p, i) => p.publish(runUnit(`race${i}`, 2))));
    expect(results.every((r) => r.commit !== null)).toBe(true);
    const tree = fakeTree(fake, "main");
    for (let i = 0; i < 5; i++) expect(tree.has(`artifacts/job/race${i}/outputs/f1.txt`)).toBe(true);
    const index = new TextDecoder().decode(
      (await publishers[0]?.read("artifacts/index.ndjson")) ?? undefined,
    );
    expect(index.trim().split("\n").sort()).toEqual(["race0", "race1", "race2", "race3", "race4"]);
    const updates = sent.filter((r) => r.method === "PATCH" && r.path.includes("/git/refs/"));
    expect(updates.every((r) => r.body?.force === false)).toBe(true);
    expect(fake.log.some((e) => e.operation_id === "git/update-ref" && e.status === 422)).toBe(true);
    const repo = fake.state.repo(GOV.owner, GOV.repo);
    let sha = repo?.refs.get("refs/heads/main");
    let length = 0;
    while (sha) {
      const commit = repo?.git.commits.get(sha);
      expect(commit?.parents.length ?? 0).toBeLessThanOrEqual(1);
      sha = commit?.parents[0];
      length++;
    }
    expect(length).toBe(6);
    clean(fake);
  });

  it("a path holding other bytes refuses the unit with no write at all", async () => {
    await using fake = await FakeGitHub.start();
    fake.state.seed({ ...GOV, files: { "artifacts/job/r1/outputs/f0.txt": "someone else's\n" } });
    const { octokit } = fakeOctokit(fake);
    const publisher = await createGitHubPublisher({ octokit, ...GOV });
    fake.log.length = 0;
    const error = await errorOf(publisher.publish(runUnit("r1")));
    expect(error.code).toBe("ERR_PUBLISH_CONFLICT");
    expect(error.message).toContain(ERROR_TABLE.ERR_PUBLISH_CONFLICT);
    expect(error.message).toContain("artifacts/job/r1/outputs/f0.txt");
    expect(fake.writes()).toEqual([]);
    clean(fake);
  });

  it("creates a missing branch with create-ref, as an orphan history", async () => {
    await using fake = await FakeGitHub.start();
    fake.state.seed({ ...GOV, files: { "README.md": "x\n" } });
    const { octokit } = fakeOctokit(fake);
    const publisher = await createGitHubPublisher({ octokit, ...GOV, branch: "governance" });
    const result = await publisher.publish(runUnit("r1", 1));
    expect(fake.counts()["git/create-ref"]).toBe(1);
    expect([...fakeTree(fake, "governance").keys()].sort()).toEqual(result.written);
    expect((await publisher.publish(runUnit("r1", 1))).commit).toBeNull();
    clean(fake);
  });

  it("rides out injected 5xx and secondary rate limits; persistent failures are ERR_PUBLISH_REMOTE with the ref unmoved", async () => {
    await using fake = await FakeGitHub.start();
    fake.state.seed({ ...GOV, files: { "README.md": "x\n" } });
    const { octokit } = fakeOctokit(fake, { throttle: { enabled: true } });
    const publisher: GovernancePublisher = await createGitHubPublisher({ octokit, ...GOV });
    fake.injectFailure({ status: 502, count: 2, operationId: "git/create-tree" });
    fake.injectFailure({ status: 403, count: 1, retryAfter: 0, operationId: "git/update-ref" });
    fake.injectFailure({ status: 503, count: 1, operationId: "git/get-tree" });
    const landed = await publisher.publish(runUnit("r1", 2));
    expect(landed.commit).not.toBeNull();
    expect(fakeTree(fake, "main").has("artifacts/job/r1/outputs/f1.txt")).toBe(true);
    expect(fake.log.filter((e) => e.injected)).toHaveLength(4);

    const before = fake.state.repo(GOV.owner, GOV.repo)?.refs.get("refs/heads/main");
    fake.injectFailure({ status: 500, count: 50, operationId: "git/create-commit" });
    const error = await errorOf(publisher.publish(runUnit("r2", 2)));
    expect(error.code).toBe("ERR_PUBLISH_REMOTE");
    expect(error.message).toContain(ERROR_TABLE.ERR_PUBLISH_REMOTE);
    expect(error.message).toContain("git/create-commit answered 500");
    expect(error.message).not.toContain("test-token");
    expect(fake.state.repo(GOV.owner, GOV.repo)?.refs.get("refs/heads/main")).toBe(before);
    clean(fake);
  });

  it("a truncated head listing falls back to reading only the folders the unit touches", async () => {
    await using fake = await FakeGitHub.start();
    fake.state.seed({
      ...GOV,
      files: { "README.md": "x\n", "artifacts/job/r1/outputs/f0.txt": "r1 0\n", "other/a.txt": "a" },
    });
    // GitHub truncates recursive listings of huge trees: keep one entry and say so.
    fake.override("git/get-tree", (ctx) => {
      const answer = (gitHandlers["git/get-tree"] as (typeof gitHandlers)[string])(ctx);
      if (!ctx.query.has("recursive") || answer.status !== 200) return answer;
      const body = answer.body as { tree: unknown[] };
      return { ...answer, body: { ...body, truncated: true, tree: body.tree.slice(0, 1) } };
    });
    const { octokit } = fakeOctokit(fake);
    const publisher = await createGitHubPublisher({ octokit, ...GOV, branch: "main" });
    const result = await publisher.publish(runUnit("r1", 2, false));
    expect(result.written).toEqual(["artifacts/job/r1/outputs/f1.txt"]);
    expect(result.unchanged).toEqual(["artifacts/job/r1/outputs/f0.txt"]);
    // root, artifacts, artifacts/job, artifacts/job/r1, artifacts/job/r1/outputs: one read each.
    expect(fake.counts()["git/get-tree"]).toBe(1 + 5);
    const conflict = await errorOf(
      publisher.publish({ message: "m", files: [{ path: "other/a.txt", bytes: text("b") }] }),
    );
    expect(conflict.code).toBe("ERR_PUBLISH_CONFLICT");
    expect(fakeTree(fake, "main").get("other/a.txt")).toBe(gitBlobSha(text("a")));
    clean(fake);
  });
});
