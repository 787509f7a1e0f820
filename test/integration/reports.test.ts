import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  type CheckAnnotation,
  createKeyedLock,
  reportMarker,
  upsertStickyComment,
  writeCheckRun,
} from "../../src/governance/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { BOT, botOctokit, serialQueue } from "../helpers/app-handler.js";

const OWNER = "acme";
const REPO = "app";
const at = { owner: OWNER, repo: REPO };
let fake: FakeGitHub;
let head = "";
let pullNumber = 0;

beforeAll(async () => {
  fake = await FakeGitHub.start();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(async () => {
  fake.reset();
  fake.state.seed({ ...at, files: { "README.md": "# app\n" } });
  head = fake.state.seed({ ...at, branch: "feature", files: { "a.txt": "a\n" } }).commit;
  const { data } = await botOctokit(fake).rest.pulls.create({
    ...at,
    head: "feature",
    base: "main",
    title: "t",
  });
  pullNumber = data.number;
});

function expectNoViolations() {
  expect(fake.invalidRequests.map((v) => v.messages)).toEqual([]);
  expect(fake.invalidResponses.map((v) => v.messages)).toEqual([]);
}

const repoState = () => {
  const repo = fake.state.repo(OWNER, REPO);
  if (!repo) throw new Error("no repo");
  return repo;
};

function annotations(n: number): CheckAnnotation[] {
  return Array.from({ length: n }, (_, i) => ({
    path: `artifacts/job/run/outputs/${i}.txt`,
    start_line: 1,
    end_line: 1,
    annotation_level: "failure" as const,
    message: `finding ${i}`,
  }));
}

describe("check-run writer", () => {
  test("120 annotations go 50 per request and all land; an oversized summary is truncated with a count and a link", async () => {
    const octokit = botOctokit(fake);
    const summary = Array.from({ length: 3000 }, (_, i) => `| ${i} | ${"y".repeat(40)} |`).join("\n");
    const written = await writeCheckRun(
      octokit,
      at,
      {
        name: "sigil/determinism",
        headSha: head,
        externalId: "workflow_run:1",
        conclusion: "failure",
        title: "120 findings",
        summary,
        text: summary,
        annotations: annotations(120),
        fullReportUrl: "https://example.test/report.md",
      },
      serialQueue(),
    );
    expect(written).toMatchObject({ written: true, writes: 4, truncated: true });
    expect(fake.counts()["checks/update"]).toBe(3);
    const [run] = repoState().checkRuns;
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", externalId: "workflow_run:1" });
    expect(run?.output.annotations).toHaveLength(120);
    expect(run?.output.summary?.length).toBeLessThanOrEqual(65_535);
    expect(run?.output.summary).toMatch(/Truncated: \d+ of 3000 lines not shown/);
    expect(run?.output.summary).toContain("[Full report](https://example.test/report.md)");
    expectNoViolations();
  });

  test("a completed run with the same external id is a replay: nothing is written", async () => {
    const octokit = botOctokit(fake);
    const report = {
      name: "sigil/determinism",
      headSha: head,
      externalId: "workflow_run:2",
      conclusion: "success" as const,
      title: "ok",
      summary: "ok",
      annotations: [],
    };
    await writeCheckRun(octokit, at, report, serialQueue());
    const writes = fake.writes().length;
    expect(await writeCheckRun(octokit, at, report, serialQueue())).toMatchObject({
      written: false,
      writes: 0,
    });
    expect(fake.writes().length).toBe(writes);
    // A different external id (a new workflow run on the same commit) is a new result.
    await writeCheckRun(octokit, at, { ...report, externalId: "workflow_run:3" }, serialQueue());
    expect(repoState().checkRuns).toHaveLength(2);
    expectNoViolations();
  });
});

describe("sticky PR comment", () => {
  const options = () => ({ appUserId: BOT.id, enqueueWrite: serialQueue() });
  const target = () => ({ ...at, issueNumber: pullNumber });

  test("created once, updated in place on a re-run, left alone when nothing changed", async () => {
    const octokit = botOctokit(fake);
    const first = await upsertStickyComment(octokit, target(), "determinism", "# one\n", options());
    expect(first.action).toBe("created");
    const second = await upsertStickyComment(octokit, target(), "determinism", "# two\n", options());
    expect(second).toMatchObject({ id: first.id, action: "updated" });
    const writes = fake.writes().length;
    const third = await upsertStickyComment(octokit, target(), "determinism", "# two\n", options());
    expect(third).toMatchObject({ id: first.id, action: "unchanged" });
    expect(fake.writes().length).toBe(writes);
    // Another report kind is another comment.
    await upsertStickyComment(octokit, target(), "pin-verify", "# pins\n", options());
    const comments = repoState().comments;
    expect(comments).toHaveLength(2);
    expect(comments[0]?.body).toBe(`${reportMarker("determinism")}\n# two\n`);
    expectNoViolations();
  });

  test("another user's comment carrying the marker is never trusted or edited", async () => {
    const forged = `${reportMarker("determinism")}\n✅ all good, merge me`;
    const response = await fetch(`${fake.url}/_fake/repos/${OWNER}/${REPO}/issues/${pullNumber}/comments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body: forged }),
    });
    expect(response.status).toBe(201);
    const written = await upsertStickyComment(
      botOctokit(fake),
      target(),
      "determinism",
      "# real\n",
      options(),
    );
    expect(written.action).toBe("created");
    const comments = repoState().comments;
    expect(comments).toHaveLength(2);
    expect(comments[0]?.body).toBe(forged);
    expect(comments[1]).toMatchObject({ user: { id: BOT.id } });
    expectNoViolations();
  });

  test("two concurrent writers on one PR create one comment", async () => {
    const lock = createKeyedLock();
    const octokit = botOctokit(fake);
    // No shared write queue: only the per-PR lock keeps the two apart.
    const results = await Promise.all(
      ["# a\n", "# b\n", "# c\n"].map((body) =>
        upsertStickyComment(octokit, target(), "determinism", body, {
          appUserId: BOT.id,
          enqueueWrite: (w) => w(),
          lock,
        }),
      ),
    );
    expect(results.map((r) => r.action)).toEqual(["created", "updated", "updated"]);
    expect(repoState().comments).toHaveLength(1);
    expect(repoState().comments[0]?.body).toContain("# c");
    expectNoViolations();
  });

  test("a body over 65,536 characters is truncated with a count and a link, and GitHub accepts it", async () => {
    const huge = Array.from({ length: 5000 }, (_, i) => `| ${i} | ${"z".repeat(30)} |`).join("\n");
    const written = await upsertStickyComment(botOctokit(fake), target(), "determinism", huge, {
      ...options(),
      fullReportUrl: "https://example.test/full.md",
    });
    expect(written).toMatchObject({ action: "created", truncated: true });
    const body = repoState().comments[0]?.body ?? "";
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(reportMarker("determinism"))).toBe(true);
    expect(body).toMatch(/Truncated: \d+ of 5000 lines not shown/);
    expect(body).toContain("[Full report](https://example.test/full.md)");
    expectNoViolations();
  });
});
