import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { ERROR_TABLE, type SigilError, sha256Hex } from "../../src/core/index.js";
import { type IndexDb, openPglite } from "../../src/index/index.js";
import {
  allLedgerSchemas,
  gateBranch,
  type Ledger,
  openLedger,
  parseGateBranch,
  readRunContext,
  resumeRun,
  writeRunContext,
} from "../../src/orchestrator/index.js";
import { expectRefused, type GateWorld, GOV, gateWorld, P } from "../helpers/github-gates.js";

const pushTo = (branch: string, user: object, files: Record<string, string | null>) =>
  g.control(`repos/${GOV.owner}/${GOV.repo}/push`, { branch, user, files });

/** A run whose request PR could not be opened: the branch exists, no PR (a crash, or GitHub down). */
async function stoppedBeforeThePr(subject: string) {
  const deps = await g.deps();
  g.fake.injectFailure({ status: 502, count: 4, operationId: "pulls/create" });
  const s = await g.start(deps, subject);
  expect([s.state, s.stop_code]).toEqual(["stopped", "STOP_KB_UPLOAD"]);
  const run = await readRunContext(g.world.root, s.run_id);
  const step = run.steps.find((x) => x.name === "SG1");
  expect([step?.uploaded, step?.request_ref]).toEqual([false, null]);
  return { deps, s, branch: gateBranch(s.run_id, "SG1"), path: String(step?.doc_path) };
}

let db: IndexDb;
let ledger: Ledger;
let g: GateWorld;
beforeAll(async () => {
  db = await openPglite();
  ledger = await openLedger(db, allLedgerSchemas());
  g = await gateWorld(ledger);
}, 120_000);
afterAll(async () => {
  await g?.[Symbol.asyncDispose]();
  await db?.close();
});
beforeEach(() => {
  g.seed();
  g.clock.offsetMs = 0;
});

describe("gates on GitHub: the request PR", () => {
  test("a run reaches SG1 and opens one request PR: branch, marker, the doc at its head, nothing else", async () => {
    const deps = await g.deps();
    const s = await g.start(deps, "gh-open");
    expect([s.state, s.gate]).toEqual(["waiting_gate", "SG1"]);
    const ref = await g.requestRef(s.run_id);
    expect(ref.branch).toBe(gateBranch(s.run_id, "SG1"));
    expect(parseGateBranch(`refs/heads/${ref.branch}`)).toEqual({ runId: s.run_id, gate: "SG1" });
    const repo = g.fake.state.repo(GOV.owner, GOV.repo);
    const pull = repo?.pulls.find((p) => p.number === ref.number);
    expect([pull?.head, pull?.base, pull?.state, pull?.user.login]).toEqual([
      ref.branch,
      "main",
      "open",
      "sigil-fake[bot]",
    ]);
    expect(pull?.body).toContain(
      `<!-- sigil:gate-request run=${s.run_id} gate=SG1 sha256=${s.request_sha256} -->`,
    );
    expect(repo?.refs.get(`refs/heads/${ref.branch}`)).toBe(ref.head_sha);
    const doc = repo?.git.fileAt(ref.head_sha, String(s.request_path));
    expect(sha256Hex(repo?.git.blobs.get(doc?.sha ?? "")?.content ?? Buffer.alloc(0))).toBe(s.request_sha256);
    // Nothing is approved yet: resume says why and stays.
    await expectRefused(
      resumeRun(s.run_id, deps),
      g.world.root,
      s.run_id,
      "no reviewer's latest review is APPROVED",
    );
    g.expectNoViolations();
  });
});

describe("gates on GitHub: a valid approval advances exactly once", () => {
  test("a team member opens SG1, a named sovereign SG2; the ledger holds each review; resume twice advances once", async () => {
    const deps = await g.deps();
    const s = await g.start(deps, "gh-valid");
    const sg1 = await g.requestRef(s.run_id);
    const r1 = await g.review(sg1.number, P.carol);
    const before = g.fake.log.length;
    const at2 = await resumeRun(s.run_id, deps);
    expect([at2.state, at2.gate]).toEqual(["waiting_gate", "SG2"]);
    // The same approval again (a redelivered webhook): SG1 is not decided twice, SG2 stays shut.
    await expectRefused(
      resumeRun(s.run_id, deps),
      g.world.root,
      s.run_id,
      "no reviewer's latest review",
      undefined,
      "SG2",
    );
    const [row1] = await ledger.select("orch_approvals", { run_id: s.run_id, gate: "SG1" });
    expect(row1).toMatchObject({
      method: "pull-request-review",
      approver: "carol",
      review_id: r1,
      commit_sha: sg1.head_sha,
      request_sha256: (await readRunContext(g.world.root, s.run_id)).steps.find((x) => x.name === "SG1")
        ?.doc_sha256,
    });
    expect(String(row1?.approved_at)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // The approved request is settled: its doc on the KB branch, its PR closed naming the approval.
    const sg1Step = (await readRunContext(g.world.root, s.run_id)).steps.find((x) => x.name === "SG1");
    const onKb = await deps.publisher.read(sg1Step?.doc_path ?? "");
    expect(onKb && sha256Hex(onKb)).toBe(sg1Step?.doc_sha256);
    expect(sg1Step?.request_ref?.settled_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const pr1 = g.fake.state.repo(GOV.owner, GOV.repo)?.pulls.find((p) => p.number === sg1.number);
    expect(pr1?.state).toBe("closed");
    expect(pr1?.body).toContain(`**Approved** by @carol (review ${r1}`);
    const sg2 = await g.requestRef(s.run_id, "SG2");
    expect(sg2.number).not.toBe(sg1.number);
    const r2 = await g.review(sg2.number, P.alice);
    const done = await resumeRun(s.run_id, deps);
    expect(done.state).toBe("complete");
    const rows = await ledger.select("orch_approvals", { run_id: s.run_id });
    expect(rows.map((r) => [r.gate, r.approver, r.review_id, r.commit_sha])).toEqual([
      ["SG1", "carol", r1, sg1.head_sha],
      ["SG2", "alice", r2, sg2.head_sha],
    ]);
    expect((await resumeRun(s.run_id, deps)).state).toBe("complete");
    expect(await ledger.select("orch_approvals", { run_id: s.run_id })).toHaveLength(2);
    expect(g.fake.log.length).toBeGreaterThan(before);
    g.expectNoViolations();
  });
});

describe("gates on GitHub: settling an approved request", () => {
  test("a settlement GitHub refuses 4 times stops the run with STOP_KB_UPLOAD before any later phase; resume settles once and goes on", async () => {
    const deps = await g.deps();
    const s = await g.start(deps, "gh-settle");
    const sg1 = await g.requestRef(s.run_id);
    await g.review(sg1.number, P.alice);
    g.fake.injectFailure({ status: 502, count: 4, operationId: "pulls/update" });
    const stopped = await resumeRun(s.run_id, deps);
    expect([stopped.state, stopped.stop_code]).toEqual(["stopped", "STOP_KB_UPLOAD"]);
    expect(stopped.stop_detail).toContain("pulls/update answered 502");
    const run = await readRunContext(g.world.root, s.run_id);
    const sg1Index = run.steps.find((x) => x.name === "SG1")?.index ?? -1;
    expect(run.steps.filter((x) => x.index > sg1Index)).toEqual([]);
    expect(g.fake.state.repo(GOV.owner, GOV.repo)?.pulls.find((p) => p.number === sg1.number)?.state).toBe(
      "open",
    );
    const resumed = await resumeRun(s.run_id, deps);
    expect([resumed.state, resumed.gate]).toEqual(["waiting_gate", "SG2"]);
    expect(g.fake.state.repo(GOV.owner, GOV.repo)?.pulls.find((p) => p.number === sg1.number)?.state).toBe(
      "closed",
    );
    expect(await ledger.select("orch_approvals", { run_id: s.run_id })).toHaveLength(1);
    g.expectNoViolations();
  });
});

describe("gates on GitHub: the same approval delivered twice at once", () => {
  test("two concurrent resumes: one advances, the other is told the run is busy; one ledger row, one SG2 PR", async () => {
    const deps = await g.deps();
    const s = await g.start(deps, "gh-concurrent");
    const ref = await g.requestRef(s.run_id);
    await g.review(ref.number, P.alice);
    const results = await Promise.allSettled([resumeRun(s.run_id, deps), resumeRun(s.run_id, deps)]);
    const advanced = results.filter((r) => r.status === "fulfilled");
    const busy = results.flatMap((r) => (r.status === "rejected" ? [r.reason as SigilError] : []));
    expect(advanced.length).toBeGreaterThanOrEqual(1);
    for (const r of advanced) expect((r as PromiseFulfilledResult<{ gate: string }>).value.gate).toBe("SG2");
    for (const e of busy)
      expect([e.code, e.message]).toEqual([
        "ERR_ORCH_LOCKED",
        expect.stringContaining(ERROR_TABLE.ERR_ORCH_LOCKED),
      ]);
    expect(await ledger.select("orch_approvals", { run_id: s.run_id })).toHaveLength(1);
    const sg2 = gateBranch(s.run_id, "SG2");
    expect(g.fake.state.repo(GOV.owner, GOV.repo)?.pulls.filter((p) => p.head === sg2)).toHaveLength(1);
    g.expectNoViolations();
  });
});

describe("gates on GitHub: who may not approve, and single use", () => {
  test("the PR's author is refused (the request PR opened with a sovereign's own token)", async () => {
    const deps = await g.deps("frank-token");
    const s = await g.start(deps, "gh-author");
    const ref = await g.requestRef(s.run_id);
    expect(
      g.fake.state.repo(GOV.owner, GOV.repo)?.pulls.find((p) => p.number === ref.number)?.user.login,
    ).toBe("frank");
    await g.review(ref.number, P.frank);
    await expectRefused(resumeRun(s.run_id, deps), g.world.root, s.run_id, "frank authored the PR");
    g.expectNoViolations();
  });

  test("after a crash the request branch is reused when it holds the same doc; whoever pushed to it may not approve", async () => {
    const { deps, s, branch } = await stoppedBeforeThePr("gh-pusher");
    // gina pushes a commit of her own (same tree) onto the request branch before the PR exists.
    const pushed = await pushTo(branch, P.gina, {});
    const resumed = await resumeRun(s.run_id, deps);
    expect([resumed.state, resumed.gate]).toEqual(["waiting_gate", "SG1"]);
    const ref = await g.requestRef(s.run_id);
    expect(ref.head_sha).toBe(pushed.commit);
    expect(g.fake.state.repo(GOV.owner, GOV.repo)?.pulls.filter((p) => p.head === branch)).toHaveLength(1);
    await g.review(ref.number, P.gina);
    await expectRefused(
      resumeRun(s.run_id, deps),
      g.world.root,
      s.run_id,
      "gina pushed to the request branch",
    );
    // Another sovereign's approval of the same head opens the gate.
    await g.review(ref.number, P.alice);
    expect((await resumeRun(s.run_id, deps)).gate).toBe("SG2");
    g.expectNoViolations();
  });

  test("a crash after the request PR was opened (before the run recorded it) reuses the branch and the PR", async () => {
    const deps = await g.deps();
    const s = await g.start(deps, "gh-crash-after-pr");
    const first = await g.requestRef(s.run_id);
    const run = await readRunContext(g.world.root, s.run_id);
    const step = run.steps.find((x) => x.name === "SG1");
    if (!step) throw new Error("no SG1");
    step.uploaded = false;
    step.request_ref = null;
    run.state = "running";
    await writeRunContext(g.world.root, run);
    const resumed = await resumeRun(s.run_id, deps);
    expect([resumed.state, resumed.gate]).toEqual(["waiting_gate", "SG1"]);
    const again = await g.requestRef(s.run_id);
    expect([again.number, again.head_sha, again.branch]).toEqual([
      first.number,
      first.head_sha,
      first.branch,
    ]);
    expect(g.fake.state.repo(GOV.owner, GOV.repo)?.pulls).toHaveLength(1);
    g.expectNoViolations();
  });

  test("a request branch holding another doc is a conflict: the run stops, nothing is reused", async () => {
    const { deps, s, branch, path } = await stoppedBeforeThePr("gh-conflict");
    await pushTo(branch, P.mallory, { [path]: "# forged request\n" });
    const stopped = await resumeRun(s.run_id, deps);
    expect([stopped.state, stopped.stop_code]).toEqual(["stopped", "STOP_REPLAY_CONFLICT"]);
    expect(stopped.stop_detail).toContain("already holds another");
    expect(g.fake.state.repo(GOV.owner, GOV.repo)?.pulls).toEqual([]);
    g.expectNoViolations();
  });

  test("an SG1 approval presented for SG2, or for another run, is refused", async () => {
    const deps = await g.deps();
    const a = await g.start(deps, "gh-single-a");
    const sg1 = await g.requestRef(a.run_id);
    await g.review(sg1.number, P.alice);
    expect((await resumeRun(a.run_id, deps)).gate).toBe("SG2");
    // SG2's record now names SG1's approved PR and head.
    const run = await readRunContext(g.world.root, a.run_id);
    const sg2 = run.steps.find((x) => x.name === "SG2");
    if (!sg2?.request_ref) throw new Error("no SG2 request");
    sg2.request_ref = { ...sg2.request_ref, number: sg1.number, head_sha: sg1.head_sha, branch: sg1.branch };
    await writeRunContext(g.world.root, run);
    await expectRefused(
      resumeRun(a.run_id, deps),
      g.world.root,
      a.run_id,
      "the request doc at the head does not match the request digest",
      undefined,
      "SG2",
    );
    // Another run at SG1 pointed at run A's approved SG1 PR.
    const b = await g.start(deps, "gh-single-b");
    const runB = await readRunContext(g.world.root, b.run_id);
    const bStep = runB.steps.find((x) => x.name === "SG1");
    if (!bStep?.request_ref) throw new Error("no SG1 request");
    bStep.request_ref = {
      ...bStep.request_ref,
      number: sg1.number,
      head_sha: sg1.head_sha,
      branch: sg1.branch,
    };
    await writeRunContext(g.world.root, runB);
    await expectRefused(
      resumeRun(b.run_id, deps),
      g.world.root,
      b.run_id,
      /changes more than its request doc|does not match the request digest/,
    );
    expect(await ledger.select("orch_approvals", { run_id: b.run_id })).toEqual([]);
    expect(
      await ledger.select("orch_approvals", {
        review_id: (await ledger.select("orch_approvals", { run_id: a.run_id }))[0]?.review_id as number,
      }),
    ).toHaveLength(1);
    g.expectNoViolations();
  });

  test("one review is one approval: the ledger refuses a second row for the same review", async () => {
    const row = (run_id: string, gate: string, digest: string) => ({
      run_id,
      gate,
      approval_digest: digest.repeat(64),
      method: "pull-request-review",
      approver: "alice",
      request_sha256: "d".repeat(64),
      review_id: 424242,
      commit_sha: "a".repeat(40),
      approved_at: "2026-12-01T00:00:00Z",
    });
    const keys = [["run_id", "gate"], ["approval_digest"], ["review_id"]];
    const run = "01a22e7a-1594-7311-a858-6f2000000042";
    expect((await ledger.insertOnce("orch_approvals", row(run, "SG1", "1"), keys)).outcome).toBe("inserted");
    expect((await ledger.insertOnce("orch_approvals", row(run, "SG1", "1"), keys)).outcome).toBe("replayed");
    const again = await ledger.insertOnce("orch_approvals", row(run, "SG2", "2"), keys);
    expect([again.outcome, again.existing?.gate]).toEqual(["conflict", "SG1"]);
  });
});

describe("gates on GitHub: the decision's reads", () => {
  test("a decision costs at most 10 requests, all reads", async () => {
    const deps = await g.deps();
    const s = await g.start(deps, "gh-budget");
    const ref = await g.requestRef(s.run_id);
    await g.review(ref.number, P.mallory, "COMMENTED");
    await g.review(ref.number, P.carol);
    const run = await readRunContext(g.world.root, s.run_id);
    const step = run.steps.find((x) => x.name === "SG1");
    if (!step) throw new Error("no SG1");
    const before = g.fake.log.length;
    const approval = await deps.gates.decide({
      run,
      gate: { kind: "gate", id: "SG1", name: "cut-authorization", authorises: "" },
      step,
    });
    expect(approval).toMatchObject({
      approver: "carol",
      method: "pull-request-review",
      commit_sha: ref.head_sha,
    });
    const requests = g.fake.log.slice(before);
    expect(requests.length).toBeLessThanOrEqual(10);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(requests.map((r) => r.operation_id).sort()).toEqual([
      "pulls/get",
      "pulls/list-commits",
      "pulls/list-files",
      "pulls/list-reviews",
      "repos/get-collaborator-permission-level",
      "repos/get-content",
      "repos/get-content",
      "teams/get-membership-for-user-in-org",
    ]);
    g.expectNoViolations();
  });

  test("GitHub failing during a decision is ERR_GATE_READ, and the run stays", async () => {
    const deps = await g.deps();
    const s = await g.start(deps, "gh-read-fails");
    const ref = await g.requestRef(s.run_id);
    await g.review(ref.number, P.alice);
    g.fake.injectFailure({ status: 502, count: 1, operationId: "pulls/list-reviews" });
    await expectRefused(
      resumeRun(s.run_id, deps),
      g.world.root,
      s.run_id,
      "pulls/list-reviews answered 502",
      "ERR_GATE_READ",
    );
    expect((await resumeRun(s.run_id, deps)).gate).toBe("SG2");
    g.expectNoViolations();
  });
});
