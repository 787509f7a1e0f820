import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createOctokit } from "../../src/github/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { tempDir } from "../helpers/temp.js";

let fake: FakeGitHub;
const OWNER = "acme";
const REPO = "governance";
const repo = { owner: OWNER, repo: REPO };

beforeAll(async () => {
  fake = await FakeGitHub.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.state.seed({
    ...repo,
    files: { "README.md": "# governance\n", ".github/sigil.yml": "pins:\n  workflow: build-pin.yml\n" },
  });
});

/** Every test ends by asserting the code under test made no request GitHub would refuse. */
function expectNoViolations() {
  expect(fake.invalidRequests.map((v) => v.messages)).toEqual([]);
  expect(fake.invalidResponses.map((v) => v.messages)).toEqual([]);
}

/** Throttling is off unless a test needs it: its write limiter spaces writes 1 s apart. */
function octokit(options: Parameters<typeof createOctokit>[0] = {}) {
  return createOctokit({
    baseUrl: `${fake.url}/api/v3`,
    auth: "test-token",
    retryAfterBaseValue: 0,
    throttle: { enabled: false },
    ...options,
  });
}

async function mainSha(): Promise<string> {
  const { data } = await octokit().rest.git.getRef({ ...repo, ref: "heads/main" });
  return data.object.sha;
}

describe("fake GitHub: git data", () => {
  test("blob, tree (inline content, blob sha, base_tree), commit, fast-forward; a non-fast-forward update is 422", async () => {
    const gh = octokit();
    const parent = await mainSha();
    const { data: parentCommit } = await gh.rest.git.getCommit({ ...repo, commit_sha: parent });
    const { data: blob } = await gh.rest.git.createBlob({
      ...repo,
      content: Buffer.from([0, 1, 2]).toString("base64"),
      encoding: "base64",
    });
    const { data: tree } = await gh.rest.git.createTree({
      ...repo,
      base_tree: parentCommit.tree.sha,
      tree: [
        { path: "artifacts/job/run/result.json", mode: "100644", type: "blob", content: '{"ok":true}\n' },
        { path: "artifacts/job/run/blob.bin", mode: "100644", type: "blob", sha: blob.sha },
      ],
    });
    const { data: commit } = await gh.rest.git.createCommit({
      ...repo,
      message: "publish",
      tree: tree.sha,
      parents: [parent],
    });
    expect(commit.parents.map((p) => p.sha)).toEqual([parent]);
    await gh.rest.git.updateRef({ ...repo, ref: "heads/main", sha: commit.sha });
    expect(await mainSha()).toBe(commit.sha);

    const { data: full } = await gh.rest.git.getTree({ ...repo, tree_sha: tree.sha, recursive: "1" });
    expect(full.tree.filter((e) => e.type === "blob").map((e) => e.path)).toEqual([
      ".github/sigil.yml",
      "README.md",
      "artifacts/job/run/blob.bin",
      "artifacts/job/run/result.json",
    ]);

    // A sibling of the new head: moving main to it would drop a commit.
    const { data: sibling } = await gh.rest.git.createCommit({
      ...repo,
      message: "racer",
      tree: tree.sha,
      parents: [parent],
    });
    await expect(
      gh.rest.git.updateRef({ ...repo, ref: "heads/main", sha: sibling.sha }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("not a fast forward"),
    });
    expect(await mainSha()).toBe(commit.sha);
    await gh.rest.git.updateRef({ ...repo, ref: "heads/main", sha: sibling.sha, force: true });
    expect(await mainSha()).toBe(sibling.sha);
    expectNoViolations();
  });

  test("object ids are git's own: a tree equals `git write-tree` of the same files", async () => {
    const files = {
      "a.txt": "alpha\n",
      "dir/b.yml": "b: 1\n",
      "dir/sub/c": "see\n",
      "dir-x": "sorts after dir/\n",
    };
    const gh = octokit();
    const { data: tree } = await gh.rest.git.createTree({
      ...repo,
      tree: Object.entries(files).map(([path, content]) => ({
        path,
        mode: "100644" as const,
        type: "blob" as const,
        content,
      })),
    });
    await using dir = await tempDir();
    await execa("git", ["init", "-q"], { cwd: dir.path });
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(dir.path, path, ".."), { recursive: true });
      await writeFile(join(dir.path, path), content);
    }
    await execa("git", ["add", "-A"], { cwd: dir.path });
    const { stdout } = await execa("git", ["write-tree"], { cwd: dir.path });
    expect(tree.sha).toBe(stdout.trim());
    expectNoViolations();
  });

  test("create-ref, then the ref exists once; reading contents as JSON and as raw bytes", async () => {
    const gh = octokit();
    await gh.rest.git.createRef({ ...repo, ref: "refs/heads/sigil/pins/main", sha: await mainSha() });
    await expect(
      gh.rest.git.createRef({ ...repo, ref: "refs/heads/sigil/pins/main", sha: await mainSha() }),
    ).rejects.toMatchObject({ status: 422 });
    const { data } = await gh.rest.repos.getContent({
      ...repo,
      path: ".github/sigil.yml",
      ref: "sigil/pins/main",
    });
    expect(
      !Array.isArray(data) && data.type === "file" && Buffer.from(data.content ?? "", "base64").toString(),
    ).toBe("pins:\n  workflow: build-pin.yml\n");
    await expect(gh.rest.repos.getContent({ ...repo, path: "missing.yml" })).rejects.toMatchObject({
      status: 404,
    });
    expect(fake.state.snapshot(fake.state.repo(OWNER, REPO) ?? fail()).refs).toHaveProperty(
      "refs/heads/sigil/pins/main",
    );
    expectNoViolations();
  });
});

describe("fake GitHub: pulls, comments, check runs", () => {
  test("a PR is created, listed by head/base/state, updated and closed", async () => {
    const gh = octokit();
    await gh.rest.git.createRef({ ...repo, ref: "refs/heads/sigil/pins/main", sha: await mainSha() });
    const { data: pr } = await gh.rest.pulls.create({
      ...repo,
      title: "Pin digests",
      head: "sigil/pins/main",
      base: "main",
      body: "why",
    });
    const list = (params: { state?: "open" | "closed" | "all"; head?: string }) =>
      gh.rest.pulls.list({ ...repo, base: "main", ...params }).then((r) => r.data.map((p) => p.number));
    expect(await list({ head: `${OWNER}:sigil/pins/main` })).toEqual([pr.number]);
    expect(await list({ head: `${OWNER}:other` })).toEqual([]);
    await gh.rest.pulls.update({ ...repo, pull_number: pr.number, body: "better why", state: "closed" });
    expect(await list({})).toEqual([]);
    expect(await list({ state: "closed" })).toEqual([pr.number]);
    const { data: again } = await gh.rest.pulls.get({ ...repo, pull_number: pr.number });
    expect(again).toMatchObject({ body: "better why", state: "closed", head: { ref: "sigil/pins/main" } });
    expectNoViolations();
  });

  test("check runs: create in progress, complete with annotations, list for the ref", async () => {
    const gh = octokit();
    const sha = await mainSha();
    const { data: run } = await gh.rest.checks.create({
      ...repo,
      name: "sigil/pin-verify",
      head_sha: sha,
      status: "in_progress",
    });
    await gh.rest.checks.update({
      ...repo,
      check_run_id: run.id,
      conclusion: "failure",
      output: {
        title: "1 finding",
        summary: "digest missing",
        annotations: [
          {
            path: "registry/x.yml",
            start_line: 1,
            end_line: 1,
            annotation_level: "failure",
            message: "missing",
          },
        ],
      },
    });
    const { data } = await gh.rest.checks.listForRef({
      ...repo,
      ref: "main",
      check_name: "sigil/pin-verify",
    });
    expect(data.check_runs).toHaveLength(1);
    expect(data.check_runs[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { annotations_count: 1 },
    });
    expectNoViolations();
  });

  test("issue comments: create, update, list; another user's comment cannot be edited", async () => {
    const gh = octokit();
    await gh.rest.git.createRef({ ...repo, ref: "refs/heads/feature", sha: await mainSha() });
    const { data: pr } = await gh.rest.pulls.create({ ...repo, title: "t", head: "feature", base: "main" });
    const { data: c } = await gh.rest.issues.createComment({
      ...repo,
      issue_number: pr.number,
      body: "<!-- sigil:report -->v1",
    });
    await gh.rest.issues.updateComment({ ...repo, comment_id: c.id, body: "<!-- sigil:report -->v2" });
    const res = await fetch(`${fake.url}/_fake/repos/${OWNER}/${REPO}/issues/${pr.number}/comments`, {
      method: "POST",
      body: JSON.stringify({ body: "<!-- sigil:report -->spoof", user: { login: "mallory", id: 666 } }),
    });
    const spoof = (await res.json()) as { id: number };
    const { data: list } = await gh.rest.issues.listComments({ ...repo, issue_number: pr.number });
    expect(list.map((x) => [x.body, x.user?.login])).toEqual([
      ["<!-- sigil:report -->v2", "octocat"],
      ["<!-- sigil:report -->spoof", "mallory"],
    ]);
    await expect(
      gh.rest.issues.updateComment({ ...repo, comment_id: spoof.id, body: "x" }),
    ).rejects.toMatchObject({ status: 403 });
    expectNoViolations();
  });
});

function fail(): never {
  throw new Error("unreachable");
}
