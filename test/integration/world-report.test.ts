import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import yazl from "yazl";
import { createWorldReportHandler } from "../../src/app/handlers/world-report.js";
import { walkEntries } from "../../src/core/index.js";
import {
  createGitHubPublisher,
  createLocalGitPublisher,
  reportMarker,
  reportPath,
} from "../../src/governance/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { BOT, handlerContext } from "../helpers/app-handler.js";
import { runExampleJob } from "../helpers/example-jobs.js";
import { gitTree, tempGitRepo } from "../helpers/git-repo.js";

const OWNER = "acme";
const REPO = "app";
const CONFIG = "governance:\n  repo: acme/gov\n  branch: main\nworkflows:\n  world_artifact: sigil-world\n";

let fake: FakeGitHub;
let world = "";
let copyRun = "";
let reviewRun = "";
let head = "";
let pullNumber = 0;

/** The World's files as upload-artifact zips them: paths relative to the world root. */
async function zipWorld(root: string, extra: (zip: yazl.ZipFile) => void = () => undefined): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const entries = [];
  for await (const entry of walkEntries(root)) entries.push(entry);
  entries.sort((a, b) => (a.rel < b.rel ? -1 : 1));
  for (const entry of entries) zip.addBuffer(await readFile(entry.path), entry.rel);
  extra(zip);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  fake = await FakeGitHub.start();
  world = await mkdtemp(join(tmpdir(), "sigil-world-report-"));
  copyRun = await runExampleJob(world, "instagram-copy.yaml");
  reviewRun = await runExampleJob(world, "compliance-review.yaml");
}, 120_000);
afterAll(async () => {
  await fake?.close();
  await rm(world, { recursive: true, force: true });
});
beforeEach(async () => {
  fake.reset();
  fake.state.seed({ owner: "acme", repo: "gov", files: { "README.md": "# governance\n" } });
  fake.state.seed({ owner: OWNER, repo: REPO, files: { ".github/sigil.yml": CONFIG } });
  head = fake.state.seed({ owner: OWNER, repo: REPO, branch: "feature", files: { "a.txt": "a\n" } }).commit;
  const ctx = handlerContext({ fake, event: "workflow_run.completed" });
  pullNumber = (
    await ctx.octokit.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      head: "feature",
      base: "main",
      title: "t",
    })
  ).data.number;
});

function expectNoViolations() {
  expect(fake.invalidRequests.map((v) => v.messages)).toEqual([]);
  expect(fake.invalidResponses.map((v) => v.messages)).toEqual([]);
}

async function uploadRun(artifacts: { name: string; bytes: Buffer; expired?: boolean }[]): Promise<number> {
  const response = await fetch(`${fake.url}/_fake/repos/${OWNER}/${REPO}/workflow-runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name: "CI",
      head_sha: head,
      head_branch: "feature",
      artifacts: artifacts.map((a) => ({
        name: a.name,
        base64: a.bytes.toString("base64"),
        expired: a.expired,
      })),
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

function delivery(runId: number) {
  return handlerContext({
    fake,
    event: "workflow_run.completed",
    config: CONFIG,
    patch: {
      "workflow_run.id": runId,
      "workflow_run.head_sha": head,
      "workflow_run.name": "CI",
      "workflow_run.html_url": `https://github.com/${OWNER}/${REPO}/actions/runs/${runId}`,
      "workflow_run.pull_requests": [{ number: pullNumber }],
      "repository.name": REPO,
      "repository.owner.login": OWNER,
    },
  });
}

const handler = (options: Partial<Parameters<typeof createWorldReportHandler>[0]> = {}) =>
  createWorldReportHandler({
    appUserId: BOT.id,
    publisherFor: (config, { octokit }) => {
      const [owner = "", repo = ""] = (config.governance.repo ?? "").split("/");
      return createGitHubPublisher({ octokit, owner, repo, branch: config.governance.branch });
    },
    ...options,
  });

const app = () => fake.state.repo(OWNER, REPO);
const govTree = () => {
  const gov = fake.state.repo("acme", "gov");
  if (!gov) throw new Error("no gov repo");
  return Object.keys(
    (fake.state.snapshot(gov).trees as Record<string, Record<string, string>>)["refs/heads/main"] ?? {},
  );
};

describe("world report (workflow_run.completed → sigil/determinism, sticky comment, publish)", () => {
  test("a verified World: success check, one sticky comment, runs and the report published; a redelivery writes nothing", async () => {
    const runId = await uploadRun([{ name: "sigil-world", bytes: await zipWorld(world) }]);
    await handler()(delivery(runId));

    const [check] = app()?.checkRuns ?? [];
    expect(check).toMatchObject({ name: "sigil/determinism", headSha: head, conclusion: "success" });
    expect(check?.output.title).toBe("World verified: 2 runs, no findings");
    expect(check?.output.summary).toContain("## ✅ World verified: 2 runs in 2 jobs, no findings");
    expect(check?.output.summary).toContain("```mermaid");
    expect(check?.output.annotations).toEqual([]);

    const comments = app()?.comments ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body.startsWith(reportMarker("determinism"))).toBe(true);
    expect(comments[0]?.user.id).toBe(BOT.id);

    const tree = govTree();
    expect(tree).toContain(`artifacts/${copyRun}/manifest.json`);
    expect(tree).toContain(`artifacts/${reviewRun}/manifest.json`);
    const path = reportPath({ owner: OWNER, repo: REPO }, runId);
    expect(tree).toContain(path);
    // The World report page beside the Markdown: one self-contained file (issue: App part 2, item 4).
    expect(tree).toContain(path.replace(/determinism\.md$/, "report.html"));
    expect(check?.output.summary).toContain(`https://github.com/acme/gov/blob/main/${path}`);

    const writes = fake.writes().length;
    await handler()(delivery(runId));
    expect(fake.writes().length).toBe(writes);
    expect(app()?.checkRuns).toHaveLength(1);
    expect(app()?.comments).toHaveLength(1);
    expectNoViolations();
  });

  test("two deliveries of one event at once: one check run, one comment, each run published once", async () => {
    const runId = await uploadRun([{ name: "sigil-world", bytes: await zipWorld(world) }]);
    await Promise.all([handler()(delivery(runId)), handler()(delivery(runId))]);
    expect(app()?.checkRuns).toHaveLength(1);
    expect(app()?.comments).toHaveLength(1);
    // The branch's history (a racer's rejected commit may exist as an object, never on the branch).
    const gov = fake.state.repo("acme", "gov");
    const messages: string[] = [];
    for (let sha = gov?.refs.get("refs/heads/main"); sha; ) {
      const commit = gov?.git.commits.get(sha);
      messages.push(commit?.message.split("\n")[0] ?? "");
      sha = commit?.parents[0];
    }
    expect(messages.filter((m) => m === `Publish run ${copyRun}`)).toHaveLength(1);
    expectNoViolations();
  });

  test("the local git backend (the embedded default) receives the same runs and report", async () => {
    await using gov = await tempGitRepo();
    const runId = await uploadRun([{ name: "sigil-world", bytes: await zipWorld(world) }]);
    const local = handlerContext({ fake, event: "workflow_run.completed" });
    const ctx = {
      ...delivery(runId),
      loadConfig: async () => ({
        ...local.config,
        governance: { ...local.config.governance, repo: gov.path },
      }),
    };
    await handler({
      publisherFor: (config) =>
        createLocalGitPublisher({ repo: config.governance.repo ?? "", branch: "main" }),
    })(ctx);
    const tree = [...(await gitTree(gov.path, "main")).keys()];
    expect(tree).toContain(`artifacts/${copyRun}/manifest.json`);
    expect(tree).toContain(`artifacts/${reviewRun}/manifest.json`);
    expect(tree).toContain(reportPath({ owner: OWNER, repo: REPO }, runId));
    // A local path has no web page: the reports link the workflow run instead.
    expect(app()?.checkRuns[0]?.output.summary).toContain(`/actions/runs/${runId}`);
    expectNoViolations();
  });

  test("a tampered World: failing check naming each finding, the comment says so, nothing published", async () => {
    const tampered = await mkdtemp(join(tmpdir(), "sigil-world-tampered-"));
    try {
      await cp(world, tampered, { recursive: true });
      const manifest = JSON.parse(await readFile(join(tampered, copyRun, "manifest.json"), "utf8"));
      const output = manifest.outputs[0].path as string;
      await writeFile(join(tampered, copyRun, output), "tampered\n");
      const runId = await uploadRun([{ name: "sigil-world", bytes: await zipWorld(tampered) }]);
      await handler()(delivery(runId));

      const [check] = app()?.checkRuns ?? [];
      expect(check).toMatchObject({ conclusion: "failure" });
      expect(check?.output.title).toContain("ERR_VERIFY_OUTPUT_HASH");
      const annotations = check?.output.annotations as { path: string; title: string; message: string }[];
      expect(annotations.length).toBeGreaterThan(0);
      expect(annotations).toContainEqual(
        expect.objectContaining({
          path: `artifacts/${copyRun}/${output}`,
          title: `ERR_VERIFY_OUTPUT_HASH · ${copyRun}`,
        }),
      );
      expect(app()?.comments[0]?.body).toContain("❌ World does not verify");
      expect(govTree()).toEqual(["README.md"]);
      expectNoViolations();
    } finally {
      await rm(tampered, { recursive: true, force: true });
    }
  });

  test("a re-run attempt is its own result: a second check run and its own report path", async () => {
    const runId = await uploadRun([{ name: "sigil-world", bytes: await zipWorld(world) }]);
    await handler()(delivery(runId));
    const second = delivery(runId);
    (second.payload as { workflow_run: { run_attempt: number } }).workflow_run.run_attempt = 2;
    await handler()(second);
    expect(app()?.checkRuns.map((r) => r.externalId)).toEqual([
      `workflow_run:${runId}`,
      `workflow_run:${runId}:2`,
    ]);
    expect(govTree()).toContain(reportPath({ owner: OWNER, repo: REPO }, runId, 2));
    expect(app()?.comments).toHaveLength(1);
    expectNoViolations();
  });

  test("no artifact by the configured name: skipped quietly, nothing written", async () => {
    const runId = await uploadRun([{ name: "something-else", bytes: await zipWorld(world) }]);
    const writes = fake.writes().length;
    await handler()(delivery(runId));
    expect(fake.writes().length).toBe(writes);
    expectNoViolations();
  });

  test("a malicious artifact (zip slip) is refused: failing check naming ERR_ARTIFACT_UNSAFE, nothing published", async () => {
    const bytes = await zipWorld(world, (zip) => zip.addBuffer(Buffer.from("x"), "aaaaa/evil.txt"));
    const hostile = Buffer.from(
      bytes.toString("latin1").split("aaaaa/evil.txt").join("../../evil.txt"),
      "latin1",
    );
    const runId = await uploadRun([{ name: "sigil-world", bytes: hostile }]);
    await handler()(delivery(runId));
    const [check] = app()?.checkRuns ?? [];
    expect(check).toMatchObject({ conclusion: "failure" });
    expect(check?.output.title).toBe("World artifact refused: ERR_ARTIFACT_UNSAFE");
    expect(check?.output.summary).toContain("artifact archive is unsafe");
    expect(govTree()).toEqual(["README.md"]);
    expectNoViolations();
  });

  test("an expired artifact is refused with ERR_ARTIFACT_DOWNLOAD, nothing published", async () => {
    const runId = await uploadRun([{ name: "sigil-world", bytes: await zipWorld(world), expired: true }]);
    await handler()(delivery(runId));
    const [check] = app()?.checkRuns ?? [];
    expect(check).toMatchObject({ conclusion: "failure" });
    expect(check?.output.summary).toContain("artifact download failed");
    expect(check?.output.summary).toContain("expired");
    expect(govTree()).toEqual(["README.md"]);
    expectNoViolations();
  });

  test("an artifact over the download limit is refused with ERR_ARTIFACT_DOWNLOAD", async () => {
    const runId = await uploadRun([{ name: "sigil-world", bytes: await zipWorld(world) }]);
    await handler({ maxArtifactBytes: 1000 })(delivery(runId));
    const [check] = app()?.checkRuns ?? [];
    expect(check?.output.title).toBe("World artifact refused: ERR_ARTIFACT_DOWNLOAD");
    expect(check?.output.summary).toContain("artifact download failed");
    expectNoViolations();
  });
});
