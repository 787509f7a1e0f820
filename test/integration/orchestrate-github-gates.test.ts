import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { sha256Hex } from "../../src/core/index.js";
import { type IndexDb, openPglite } from "../../src/index/index.js";
import {
  allLedgerSchemas,
  gateBranch,
  type Ledger,
  openLedger,
  parseGateBranch,
  readRunContext,
  resumeRun,
} from "../../src/orchestrator/index.js";
import { expectRefused, type GateWorld, GOV, gateWorld, P } from "../helpers/github-gates.js";

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
