import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type IndexDb, openPglite } from "../../src/index/index.js";
import {
  allLedgerSchemas,
  type Ledger,
  type OrchestratorDeps,
  openLedger,
  readRunContext,
  resumeRun,
  writeRunContext,
} from "../../src/orchestrator/index.js";
import { expectRefused, type GateWorld, GOV, gateWorld, P, POLICY } from "../helpers/github-gates.js";

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

const pulls = `repos/${GOV.owner}/${GOV.repo}/pulls`;
const repoState = () => {
  const repo = g.fake.state.repo(GOV.owner, GOV.repo);
  if (!repo) throw new Error("no governance repository");
  return repo;
};

interface Ctx {
  runId: string;
  pr: number;
  head: string;
  branch: string;
  deps: OrchestratorDeps;
}
type Case = [name: string, setup: (c: Ctx) => Promise<void>, reason: string | RegExp];

const NOT_LATEST = "no reviewer's latest review is APPROVED";

/** Points the run's recorded request at another PR, as a forged or confused record would. */
async function pointRequestAt(
  runId: string,
  gate: string,
  ref: { number: number; head_sha: string; branch: string },
) {
  const run = await readRunContext(g.world.root, runId);
  const step = run.steps.find((s) => s.name === gate);
  if (!step?.request_ref) throw new Error(`no ${gate} request`);
  step.request_ref = { ...step.request_ref, ...ref };
  await writeRunContext(g.world.root, run);
}

const cases: Case[] = [
  ["a non-sovereign", async (c) => void (await g.review(c.pr, P.mallory)), "mallory is not a sovereign"],
  [
    "a bot account in the sovereign team",
    async (c) => void (await g.review(c.pr, P.helper)),
    "helper[bot] is an App or bot",
  ],
  [
    "a pending member of the sovereign team",
    async (c) => void (await g.review(c.pr, P.dave)),
    "dave's sovereign team membership is pending",
  ],
  [
    "a sovereign team member without write permission",
    async (c) => void (await g.review(c.pr, P.erin)),
    "erin lacks write permission",
  ],
  ["the person who started the run", async (c) => void (await g.review(c.pr, P.bob)), "bob started the run"],
  ["a COMMENTED review", async (c) => void (await g.review(c.pr, P.alice, "COMMENTED")), NOT_LATEST],
  [
    "a CHANGES_REQUESTED review",
    async (c) => void (await g.review(c.pr, P.alice, "CHANGES_REQUESTED")),
    NOT_LATEST,
  ],
  [
    "an APPROVED review that is not the reviewer's latest",
    async (c) => {
      await g.review(c.pr, P.alice);
      await g.review(c.pr, P.alice, "COMMENTED");
    },
    NOT_LATEST,
  ],
  [
    "an approval later dismissed",
    async (c) => {
      const id = await g.review(c.pr, P.alice);
      await g.control(`${pulls}/${c.pr}/reviews/${id}/dismiss`);
    },
    NOT_LATEST,
  ],
  [
    "an older approval when a later review is dismissed (it does not come back)",
    async (c) => {
      await g.review(c.pr, P.alice);
      const later = await g.review(c.pr, P.alice, "CHANGES_REQUESTED");
      await g.control(`${pulls}/${c.pr}/reviews/${later}/dismiss`);
    },
    NOT_LATEST,
  ],
  [
    "an edited review",
    async (c) => {
      const id = await g.review(c.pr, P.alice);
      await g.control(`${pulls}/${c.pr}/reviews/${id}/edit`, { body: "LGTM (edited)" });
    },
    /review \d+ was edited/,
  ],
  [
    "a review on a commit other than the live head",
    async (c) => {
      const main = repoState().refs.get("refs/heads/main") ?? "";
      await g.review(c.pr, P.alice, "APPROVED", main);
    },
    "not the live and recorded head",
  ],
  [
    "an approval followed by a push to the request branch",
    async (c) => {
      await g.review(c.pr, P.alice);
      await g.control(`repos/${GOV.owner}/${GOV.repo}/push`, {
        branch: c.branch,
        user: P.mallory,
        files: { "x.md": "x\n" },
      });
    },
    "the request branch moved after the request",
  ],
  [
    "an approval of a rebase with the same diff",
    async (c) => {
      await g.control(`repos/${GOV.owner}/${GOV.repo}/push`, {
        branch: "main",
        user: P.mallory,
        files: { "y.md": "y\n" },
      });
      const repo = repoState();
      const tip = repo.refs.get("refs/heads/main") ?? "";
      const path =
        (await readRunContext(g.world.root, c.runId)).steps.find((s) => s.name === "SG1")?.doc_path ?? "";
      const doc = repo.git.fileAt(c.head, path);
      const tree = repo.git.applyTreeEdits(repo.git.commits.get(tip)?.tree, [
        { path, mode: "100644", type: "blob", sha: doc?.sha ?? "" },
      ]);
      const who = { name: "mallory", email: "66+mallory@users.noreply.github.com", date: g.fake.state.now() };
      const rebased = repo.git.putCommit({
        tree: tree.sha,
        parents: [tip],
        message: "rebase",
        author: who,
        committer: who,
      });
      repo.refs.set(`refs/heads/${c.branch}`, rebased.sha);
      await g.review(c.pr, P.alice);
    },
    "the request branch moved after the request",
  ],
  [
    "a request PR from a fork",
    async (c) => {
      const path =
        (await readRunContext(g.world.root, c.runId)).steps.find((s) => s.name === "SG1")?.doc_path ?? "";
      const repo = repoState();
      const doc =
        repo.git.blobs.get(repo.git.fileAt(c.head, path)?.sha ?? "")?.content.toString("utf8") ?? "";
      const fork = g.fake.state.seed({
        owner: "mallory",
        repo: "gov",
        branch: c.branch,
        files: { [path]: doc },
      });
      const opened = await g.control(pulls, { head: c.branch, head_repo: "mallory/gov", user: P.mallory });
      await pointRequestAt(c.runId, "SG1", {
        number: Number(opened.number),
        head_sha: fork.commit,
        branch: c.branch,
      });
      await g.review(Number(opened.number), P.alice);
    },
    "the PR comes from a fork",
  ],
  [
    "a request PR retargeted to another base",
    async (c) => {
      await g.control(`repos/${GOV.owner}/${GOV.repo}/push`, {
        branch: "release",
        user: P.mallory,
        files: {},
      });
      await g.control(`${pulls}/${c.pr}/retarget`, { base: "release" });
      await g.review(c.pr, P.alice);
    },
    "the PR was retargeted to release",
  ],
  [
    "a closed request PR",
    async (c) => {
      await g.review(c.pr, P.alice);
      await g.control(`${pulls}/${c.pr}/close`);
    },
    /PR #\d+ is closed/,
  ],
  [
    "a request PR reopened after expiry",
    async (c) => {
      await g.control(`${pulls}/${c.pr}/close`);
      g.clock.offsetMs = 15 * 24 * 3600 * 1000;
      await g.control(`${pulls}/${c.pr}/reopen`);
      await g.review(c.pr, P.alice);
    },
    "the request expired",
  ],
  [
    "a request PR that edits the sovereign list (the policy is the default branch's)",
    async (c) => {
      const widened = POLICY.replace(
        "users: [alice, bob, frank, gina]",
        "users: [alice, bob, frank, gina, mallory]",
      );
      await g.control(`repos/${GOV.owner}/${GOV.repo}/push`, {
        branch: c.branch,
        user: P.mallory,
        files: { ".github/sigil.yml": widened },
      });
      await g.review(c.pr, P.mallory);
    },
    /changes more than its request doc \(\.github\/sigil\.yml\).*mallory is not a sovereign/,
  ],
  [
    "a sovereign removed from the default branch's policy after approving",
    async (c) => {
      await g.review(c.pr, P.alice);
      await g.control(`repos/${GOV.owner}/${GOV.repo}/push`, {
        branch: "main",
        user: P.bob,
        files: { ".github/sigil.yml": POLICY.replace("users: [alice, bob, frank, gina]", "users: [bob]") },
      });
    },
    "alice is not a sovereign",
  ],
  [
    "any approval when the default branch has no policy",
    async (c) => {
      await g.review(c.pr, P.alice);
      await g.control(`repos/${GOV.owner}/${GOV.repo}/push`, {
        branch: "main",
        user: P.bob,
        files: { ".github/sigil.yml": null },
      });
    },
    "alice is not a sovereign",
  ],
];

describe("gates on GitHub: none of these advances the run", () => {
  test.each(cases.map((c, i) => [...c, i] as const))("%s", async (_name, setup, reason, i) => {
    const deps = await g.deps();
    const s = await g.start(deps, `gh-refuse-${i}`);
    expect([s.state, s.gate]).toEqual(["waiting_gate", "SG1"]);
    const ref = await g.requestRef(s.run_id);
    await setup({ runId: s.run_id, pr: ref.number, head: ref.head_sha, branch: ref.branch, deps });
    await expectRefused(resumeRun(s.run_id, deps), g.world.root, s.run_id, reason);
    expect(await ledger.select("orch_approvals", { run_id: s.run_id })).toEqual([]);
    g.expectNoViolations();
  });
});
