import { afterAll, beforeAll, expect, test } from "vitest";
import { createHandlers, GATE_CHECK_NAME } from "../../src/app/index.js";
import { createHttpClient } from "../../src/core/index.js";
import { openGitHubOrchestrator, startRun, statusOfRun } from "../../src/orchestrator/index.js";
import { createRegistryClient } from "../../src/supply/index.js";
import { deliverWebhook, examplePayload, patchPayload } from "../fake-github/webhooks.js";
import { type AppHarness, INSTALLATION, SECRET, startAppHarness } from "../helpers/app-harness.js";
import { type GitHubOrchWorld, GOV, githubOrchWorld, SOURCE } from "../helpers/orchestrate-github.js";

// Sovereign gates through the App as `sigil app` builds it (SIGIL_ORCHESTRATOR_ROOT given): real
// signed deliveries over HTTP, decisions from fresh reads of the OpenAPI-validated fake GitHub.
let h: AppHarness;
let w: GitHubOrchWorld;

beforeAll(async () => {
  w = await githubOrchWorld();
  h = await startAppHarness({
    handlers: createHandlers({
      appUserId: 904242,
      registryClientFor: () => createRegistryClient({ http: createHttpClient({ timeoutMs: 10_000 }) }),
      orchestratorRoot: w.root,
    }),
  });
  await w.attach(h.fake);
}, 60_000);
afterAll(async () => {
  await w?.[Symbol.asyncDispose]();
  await h?.[Symbol.asyncDispose]();
});

/** A `pull_request_review` delivery about the request PR, from a real example, patched. */
async function reviewDelivery(
  pull: { number: number; head_sha: string; branch: string },
  action = "submitted",
  reviewId = 1,
) {
  // The examples have no `edited` action: a submitted one, its action patched.
  const payload = patchPayload(examplePayload("pull_request_review.submitted", 1), {
    action,
    "review.id": reviewId,
    "pull_request.number": pull.number,
    "pull_request.head.ref": pull.branch,
    "pull_request.head.sha": pull.head_sha,
    "repository.name": GOV.repo,
    "repository.full_name": `${GOV.owner}/${GOV.repo}`,
    "repository.owner.login": GOV.owner,
    installation: { id: INSTALLATION, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDcxMQ==" },
  });
  return deliverWebhook({ url: h.webhookUrl, secret: SECRET, example: "pull_request_review", payload });
}

/** A `pull_request` delivery (synchronize, closed, …) about the request PR. */
async function pullDelivery(pull: { number: number; head_sha: string; branch: string }, action: string) {
  const payload = patchPayload(examplePayload("pull_request.synchronize"), {
    action,
    number: pull.number,
    "pull_request.number": pull.number,
    "pull_request.head.ref": pull.branch,
    "pull_request.head.sha": pull.head_sha,
    "repository.name": GOV.repo,
    "repository.full_name": `${GOV.owner}/${GOV.repo}`,
    "repository.owner.login": GOV.owner,
    installation: { id: INSTALLATION, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDcxMQ==" },
  });
  return deliverWebhook({ url: h.webhookUrl, secret: SECRET, example: "pull_request", payload });
}

const gateChecks = () => {
  const repo = h.fake.state.repo(GOV.owner, GOV.repo);
  if (!repo) throw new Error("no governance repository");
  return h.fake.state.snapshot(repo).check_runs.filter((c) => c.name === GATE_CHECK_NAME);
};

test("SG1 waits; a non-sovereign's review is refused; a sovereign's opens it once; SG2 completes the run", async () => {
  const orch = await openGitHubOrchestrator({
    root: w.root,
    ...GOV,
    octokit: w.octokit,
    sleep: async () => undefined,
  });
  let runId: string;
  try {
    const started = await startRun(
      { pipeline: "document-cut", subjectId: "icx-const", sourcePath: SOURCE, space: "dev", actor: "bob" },
      orch.deps,
    );
    expect(started).toMatchObject({ state: "waiting_gate", gate: "SG1" });
    runId = started.run_id;
  } finally {
    await orch.close();
  }
  const pr1 = await w.requestPull(runId, "SG1");

  // A pull_request event on the request PR before any review: decided, and closed.
  expect((await pullDelivery(pr1, "synchronize")).status).toBeLessThan(300);
  expect(gateChecks().map((c) => [c.conclusion, c.headSha])).toEqual([["neutral", pr1.head_sha]]);
  expect(gateChecks()[0]?.output.summary).toContain("no reviewer's latest review is APPROVED");

  // mallory (write, not a sovereign) approves: no advance, the check says why.
  await w.review(pr1.number, "mallory");
  expect((await reviewDelivery(pr1)).status).toBeLessThan(300);
  expect(await statusOfRun(w.root, runId)).toMatchObject({ state: "waiting_gate", gate: "SG1" });
  expect(gateChecks().map((c) => c.conclusion)).toEqual(["neutral", "neutral"]);
  expect(gateChecks()[1]?.output.summary).toContain("mallory is not a sovereign");

  // alice approves, then edits her review: an edited review never counts (the App records its id).
  const edited = await w.review(pr1.number, "alice");
  await w.control(`repos/${GOV.owner}/${GOV.repo}/pulls/${pr1.number}/reviews/${edited.id}/edit`, {
    body: "changed my mind?",
  });
  expect((await reviewDelivery(pr1, "edited", Number(edited.id))).status).toBeLessThan(300);
  expect(await statusOfRun(w.root, runId)).toMatchObject({ gate: "SG1" });
  expect(gateChecks().map((c) => c.conclusion)).toEqual(["neutral", "neutral", "neutral"]);
  expect(gateChecks()[2]?.output.summary).toContain(`review ${edited.id} was edited`);
  expect(await w.ledgerRows("orch_review_edits")).toEqual([
    { pull_number: pr1.number, review_id: Number(edited.id) },
  ]);

  // A forged delivery: 4xx, nothing happens.
  await w.review(pr1.number, "alice");
  const forged = await deliverWebhook({
    url: h.webhookUrl,
    secret: SECRET,
    example: "pull_request_review",
    payload: examplePayload("pull_request_review.submitted"),
    signature: `sha256=${"0".repeat(64)}`,
  });
  expect(forged.status).toBeGreaterThanOrEqual(400);
  expect(forged.status).toBeLessThan(500);
  expect(await statusOfRun(w.root, runId)).toMatchObject({ gate: "SG1" });
  expect(gateChecks()).toHaveLength(3);

  // An invalid .github/sigil.yml on the governance repository's default branch: a failing check
  // with its code, the run stays, the handler does not fail.
  const push = (text: string) =>
    w.control(`repos/${GOV.owner}/${GOV.repo}/push`, {
      branch: "main",
      user: { login: "carol", id: 40 },
      files: { ".github/sigil.yml": text },
    });
  await push("sovereigns: [not, a, map]\n");
  expect((await reviewDelivery(pr1)).status).toBeLessThan(300);
  expect(await statusOfRun(w.root, runId)).toMatchObject({ gate: "SG1" });
  expect(gateChecks().map((c) => c.conclusion)).toEqual(["neutral", "neutral", "neutral", "failure"]);
  expect(gateChecks()[3]?.output.title).toContain("ERR_CONFIG");
  await push("sovereigns:\n  users: [alice]\n");

  // alice (a sovereign) approved: the delivery opens SG1; the run reaches SG2's request PR.
  const delivered = await reviewDelivery(pr1);
  expect(delivered.status).toBeLessThan(300);
  expect(await statusOfRun(w.root, runId)).toMatchObject({ state: "waiting_gate", gate: "SG2" });
  const pr2 = await w.requestPull(runId, "SG2");
  expect(pr2.number).not.toBe(pr1.number);
  expect(gateChecks().map((c) => c.conclusion)).toEqual([
    "neutral",
    "neutral",
    "neutral",
    "failure",
    "success",
  ]);

  // The same delivery again (same X-GitHub-Delivery, same bytes): no second advance, no new check.
  const again = await fetch(h.webhookUrl, {
    method: "POST",
    headers: delivered.delivery.headers,
    body: delivered.delivery.body,
  });
  expect(again.status).toBeLessThan(300);
  expect(await statusOfRun(w.root, runId)).toMatchObject({ gate: "SG2" });
  expect(gateChecks()).toHaveLength(5);
  expect((await w.ledgerRows("orch_approvals")).map((r) => [r.gate, r.approver])).toEqual([["SG1", "alice"]]);

  // SG2: alice approves its request PR; the run completes, the final report and the runs index land.
  await w.review(pr2.number, "alice");
  expect((await reviewDelivery(pr2)).status).toBeLessThan(300);
  const done = await statusOfRun(w.root, runId);
  expect(done).toMatchObject({ state: "complete" });
  const repo = h.fake.state.repo(GOV.owner, GOV.repo);
  const tree = Object.keys(h.fake.state.snapshot(repo as never).trees["refs/heads/main"] ?? {});
  // Ten phase docs, both gates' request docs (settled once approved) and the final report.
  const docs = tree.filter((p) => p.startsWith(`${done.kb_folder}/`));
  expect(docs).toHaveLength(13);
  expect(docs.filter((p) => p.includes("/SG")).map((p) => p.split("/").at(-1)?.slice(0, 3))).toEqual([
    "SG1",
    "SG2",
  ]);
  // Both request PRs are closed, each naming its approval.
  for (const pr of [pr1, pr2]) {
    const state = repo?.pulls.find((p) => p.number === pr.number);
    expect(state?.state).toBe("closed");
    expect(state?.body).toContain("**Approved** by @alice");
  }
  expect(tree).toContain("knowledge/dev/_orchestrator-runs-index/runs.md");
  expect(tree.some((p) => p.includes("final-orchestrator-report"))).toBe(true);
  expect((await w.ledgerRows("orch_approvals")).map((r) => r.gate).sort()).toEqual(["SG1", "SG2"]);
  expect(h.logs.lines.filter((l) => l.event === "app.handler.failed")).toEqual([]);
  expect(h.fake.invalidRequests.map((v) => v.messages)).toEqual([]);
  expect(h.fake.invalidResponses.map((v) => v.messages)).toEqual([]);
}, 300_000);

test("an edited review, an unknown run, a PR that is no gate: recorded or ignored, never a crash", async () => {
  const unknown = {
    number: 999,
    head_sha: "a".repeat(40),
    branch: "sigil/gates/01890000-0000-7000-8000-000000000000/SG1",
  };
  const before = gateChecks().length;
  expect((await reviewDelivery(unknown, "edited")).status).toBeLessThan(300);
  expect((await reviewDelivery({ ...unknown, branch: "feature/x" })).status).toBeLessThan(300);
  expect(gateChecks()).toHaveLength(before);
  expect(h.logs.lines.filter((l) => l.event === "app.handler.failed")).toEqual([]);
  expect(h.logs.lines.some((l) => l.event === "gate.outcome" && l.status === "unknown-run")).toBe(true);
}, 60_000);
