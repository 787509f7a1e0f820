import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createOctokit } from "../../src/github/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";

let fake: FakeGitHub;
const repo = { owner: "acme", repo: "gov" };
const alice = { login: "alice", id: 10, type: "User" };

beforeAll(async () => {
  fake = await FakeGitHub.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.state.seed({ ...repo, files: { "README.md": "# gov\n" } });
});

const gh = (auth = "t") =>
  createOctokit({
    baseUrl: `${fake.url}/api/v3`,
    auth,
    retryAfterBaseValue: 0,
    throttle: { enabled: false },
  });

async function control(path: string, body: object = {}) {
  const res = await fetch(`${fake.url}/_fake/${path}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

function expectNoViolations() {
  expect(fake.invalidRequests.map((v) => v.messages)).toEqual([]);
  expect(fake.invalidResponses.map((v) => v.messages)).toEqual([]);
}

/** A request branch with one commit by the App's token, and its PR. */
async function requestPr() {
  const api = gh();
  const main = (await api.rest.git.getRef({ ...repo, ref: "heads/main" })).data.object.sha;
  const base = (await api.rest.git.getCommit({ ...repo, commit_sha: main })).data.tree.sha;
  const tree = await api.rest.git.createTree({
    ...repo,
    base_tree: base,
    tree: [{ path: "req.md", mode: "100644", type: "blob", content: "request\n" }],
  });
  const commit = await api.rest.git.createCommit({
    ...repo,
    message: "req",
    tree: tree.data.sha,
    parents: [main],
  });
  await api.rest.git.createRef({ ...repo, ref: "refs/heads/sigil/gates/r/SG1", sha: commit.data.sha });
  const pr = await api.rest.pulls.create({ ...repo, head: "sigil/gates/r/SG1", base: "main", title: "SG1" });
  return { number: pr.data.number, head: commit.data.sha };
}

describe("fake GitHub: what a gate decision reads", () => {
  test("reviews carry state, commit and user type; dismiss, edit and the author's own approval", async () => {
    const { number, head } = await requestPr();
    await control(`repos/acme/gov/pulls/${number}/reviews`, { user: alice, state: "APPROVED" });
    await control(`repos/acme/gov/pulls/${number}/reviews`, {
      user: { login: "ci[bot]", id: 5, type: "Bot" },
      state: "COMMENTED",
    });
    const { data: reviews } = await gh().rest.pulls.listReviews({ ...repo, pull_number: number });
    expect(reviews.map((r) => [r.user?.login, r.user?.type, r.state, r.commit_id])).toEqual([
      ["alice", "User", "APPROVED", head],
      ["ci[bot]", "Bot", "COMMENTED", head],
    ]);
    const first = reviews[0]?.id as number;
    await control(`repos/acme/gov/pulls/${number}/reviews/${first}/edit`, { body: "edited" });
    const dismissed = await gh().rest.pulls.dismissReview({
      ...repo,
      pull_number: number,
      review_id: first,
      message: "no",
    });
    expect(dismissed.data.state).toBe("DISMISSED");
    // The token's own account authored the PR: GitHub refuses its approval, accepts a comment.
    await expect(
      gh().rest.pulls.createReview({ ...repo, pull_number: number, event: "APPROVE" }),
    ).rejects.toMatchObject({ status: 422 });
    await control("tokens", { token: "alice-token", actor: alice });
    const mine = await gh("alice-token").rest.pulls.createReview({
      ...repo,
      pull_number: number,
      event: "APPROVE",
    });
    expect([mine.data.state, mine.data.user?.login, mine.data.commit_id]).toEqual([
      "APPROVED",
      "alice",
      head,
    ]);
    expectNoViolations();
  });

  test("permissions fold maintain to write; team memberships are active, pending or 404", async () => {
    await control("repos/acme/gov/collaborators", { login: "alice", permission: "maintain", user: alice });
    const { data } = await gh().rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "alice" });
    expect([data.permission, data.role_name]).toEqual(["write", "maintain"]);
    const other = await gh().rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "mallory" });
    expect(other.data.permission).toBe("read");
    await control("orgs/acme/teams/sovereigns/memberships", { login: "carol", state: "pending" });
    await control("orgs/acme/teams/sovereigns/memberships", { login: "dave" });
    const t = { org: "acme", team_slug: "sovereigns" };
    expect((await gh().rest.teams.getMembershipForUserInOrg({ ...t, username: "carol" })).data.state).toBe(
      "pending",
    );
    expect((await gh().rest.teams.getMembershipForUserInOrg({ ...t, username: "dave" })).data.state).toBe(
      "active",
    );
    await expect(gh().rest.teams.getMembershipForUserInOrg({ ...t, username: "erin" })).rejects.toMatchObject(
      {
        status: 404,
      },
    );
    expectNoViolations();
  });

  test("commits of a PR name who pushed; files and commits ignore what the base gained", async () => {
    const { number, head } = await requestPr();
    await control("repos/acme/gov/push", {
      branch: "main",
      user: { login: "zed", id: 30 },
      files: { "other.md": "x\n" },
    });
    const pushed = await control("repos/acme/gov/push", {
      branch: "sigil/gates/r/SG1",
      user: { login: "mallory", id: 66 },
      files: { "req.md": "changed\n" },
    });
    const { data: commits } = await gh().rest.pulls.listCommits({ ...repo, pull_number: number });
    expect(commits.map((c) => [c.sha, c.author?.login, c.committer?.login])).toEqual([
      [head, "octocat", "octocat"],
      [pushed.commit, "mallory", "mallory"],
    ]);
    const { data: files } = await gh().rest.pulls.listFiles({ ...repo, pull_number: number });
    expect(files.map((f) => f.filename)).toEqual(["req.md"]);
    expect((await gh().rest.pulls.get({ ...repo, pull_number: number })).data.head.sha).toBe(pushed.commit);
    expectNoViolations();
  });

  test("a human closes, reopens and retargets a PR, or opens one from a fork", async () => {
    const { number } = await requestPr();
    await control("repos/acme/gov/push", { branch: "release", files: { "r.md": "r\n" } });
    await control(`repos/acme/gov/pulls/${number}/retarget`, { base: "release" });
    await control(`repos/acme/gov/pulls/${number}/close`);
    let pr = (await gh().rest.pulls.get({ ...repo, pull_number: number })).data;
    expect([pr.state, pr.base.ref]).toEqual(["closed", "release"]);
    await control(`repos/acme/gov/pulls/${number}/reopen`);
    pr = (await gh().rest.pulls.get({ ...repo, pull_number: number })).data;
    expect(pr.state).toBe("open");
    fake.state.seed({
      owner: "mallory",
      repo: "gov",
      branch: "sigil/gates/r/SG1",
      files: { "req.md": "request\n" },
    });
    const fork = await control("repos/acme/gov/pulls", {
      head: "sigil/gates/r/SG1",
      head_repo: "mallory/gov",
      user: { login: "mallory", id: 66 },
    });
    const forked = (await gh().rest.pulls.get({ ...repo, pull_number: fork.number as number })).data;
    expect([forked.head.repo?.full_name, forked.head.repo?.fork, forked.base.repo.full_name]).toEqual([
      "mallory/gov",
      true,
      "acme/gov",
    ]);
    expectNoViolations();
  });
});
