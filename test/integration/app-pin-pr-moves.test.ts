import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/index.js";
import { createOctokit } from "../../src/github/index.js";
import { type OpenPinPrInput, openPinPr, parseMarker } from "../../src/governance/index.js";
import { PinsFile } from "../../src/supply/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { BOT } from "../fake-github/state.js";
import {
  DEFAULT_CONFIG,
  OWNER,
  pinsFor,
  REPO,
  registryFiles,
  startAppHarness,
} from "../helpers/app-harness.js";

const PIN = "refs/heads/sigil/pins/main";
const SCRATCH = "refs/heads/sigil/pins-next/main";
const base = () => ({ ".github/sigil.yml": DEFAULT_CONFIG, ...registryFiles(3) });

describe("pin PRs when the base moves, and when someone pushes during an update", () => {
  it("moves the open PR onto the new base in place: one commit on the new base, the PR diff is the pins only, 6 requests", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    const number = h.state().pulls[0]?.number;
    const main = h.seed({ "notes/unrelated.md": "main moved on\n" });
    h.fake.log.length = 0;
    await h.buildAndPin({ number: 6, pins: pinsFor(3, "b6") });

    const s = h.state();
    expect(s.pulls.map((p) => [p.number, p.state])).toEqual([[number, "open"]]);
    const head = s.refs[PIN] ?? "";
    const marker = parseMarker(s.pulls[0]?.body);
    expect(marker).toMatchObject({ run_number: 6, base: main, head });
    const repo = h.fake.state.repo(OWNER, REPO);
    expect(repo?.git.commits.get(head)?.parents).toEqual([main]);
    expect(s.refs[SCRATCH]).toBeUndefined();
    // the pin head is the new base plus the three rewritten registry files, nothing else
    const files = (sha: string) => repo?.git.flatten(repo.git.commits.get(sha)?.tree ?? "") ?? new Map();
    const [after, before] = [files(head), files(main)];
    const changed = [...after.keys()].filter((p) => after.get(p)?.sha !== before.get(p)?.sha);
    expect(changed.sort()).toEqual(Object.keys(registryFiles(3)).sort());
    expect([...before.keys()].every((p) => after.has(p))).toBe(true);

    const api = h.fake.log.filter((e) => e.operation_id !== "apps/create-installation-access-token");
    expect(api.map((e) => e.operation_id)).toEqual([
      "repos/get-content",
      "graphql/PinPrState",
      "actions/list-workflow-run-artifacts",
      "actions/download-artifact",
      "graphql/PinPrCommit",
      "graphql/PinPrUpdate",
    ]);
    const outcomes = h.logs.lines.filter((l) => l.event === "pin_pr.outcome").map((l) => l.status);
    expect(outcomes).toEqual(["created", "updated"]);
    expect(h.fake.invalidRequests).toEqual([]);
    expect(h.fake.invalidResponses).toEqual([]);
  });

  /** openPinPr against the fake, with a hook that runs just before the n-th write (a human's push). */
  async function direct() {
    const fake = await FakeGitHub.start();
    fake.state.tokens.set("bot-token", BOT);
    fake.state.seed({ owner: OWNER, repo: REPO, files: base() });
    const octokit = createOctokit({
      baseUrl: `${fake.url}/api/v3`,
      auth: "bot-token",
      retryAfterBaseValue: 0,
      throttle: { enabled: false },
    });
    const hooks = new Map<number, () => void>();
    const twice = new Set<number>();
    let writes = 0;
    const ports = {
      octokit,
      logger: silentLogger,
      enqueueWrite: async <T>(write: () => Promise<T>) => {
        writes += 1;
        hooks.get(writes)?.();
        // a write that ran but whose answer was lost: the queue sends it again
        if (twice.has(writes)) await write();
        return write();
      },
    };
    const run = (n: number, build: string, labels: string[] = []) => {
      const input: OpenPinPrInput = {
        owner: OWNER,
        repo: REPO,
        base: "main",
        labels,
        registryDir: "registry",
        source: { runId: n * 10, runNumber: n, runAttempt: 1, runUrl: null, sourceCommit: "a".repeat(40) },
        loadPins: async () => PinsFile.parse(pinsFor(3, build)),
      };
      return openPinPr(input, ports);
    };
    const push = (files: Record<string, string>, branch = "sigil/pins/main") =>
      fake.state.seed({ owner: OWNER, repo: REPO, branch, files, message: "by hand" }).commit;
    const at = (nth: number, hook: () => void) => hooks.set(writes + nth, hook);
    const again = (...nths: number[]) => {
      for (const nth of nths) twice.add(writes + nth);
    };
    return { fake, run, push, at, again, [Symbol.asyncDispose]: () => fake.close() };
  }

  it("refuses when someone pushes to the pin branch between the read and the commit (expectedHeadOid), and says so", async () => {
    await using d = await direct();
    expect((await d.run(5, "b5")).status).toBe("created");
    let manual = "";
    d.at(1, () => {
      manual = d.push({ "registry/processors/llm-p0-v1.yaml": "# edited by hand\n" });
    });
    const out = await d.run(6, "b6");
    expect(out.status).toBe("refused");
    const repo = d.fake.state.repo(OWNER, REPO);
    expect(repo?.refs.get(PIN)).toBe(manual);
    expect(parseMarker(repo?.pulls[0]?.body)?.run_number).toBe(5);
    expect(repo?.comments.map((c) => c.body.includes("ERR_PIN_BRANCH_EDITED"))).toEqual([true]);
    expect(d.fake.invalidRequests).toEqual([]);
  });

  it("refuses when someone pushes between the scratch commit and the branch move (updateRefs compare-and-swap)", async () => {
    await using d = await direct();
    expect((await d.run(5, "b5")).status).toBe("created");
    d.push({ "notes/unrelated.md": "main moved on\n" }, "main");
    let manual = "";
    d.at(2, () => {
      manual = d.push({ "registry/processors/llm-p0-v1.yaml": "# edited by hand\n" });
    });
    const out = await d.run(6, "b6");
    expect(out.status).toBe("refused");
    const repo = d.fake.state.repo(OWNER, REPO);
    // the branch keeps the human's commit; GitHub runs every field of a mutation, so the PR text
    // moved on, and the comment says the App stopped updating the branch
    expect(repo?.refs.get(PIN)).toBe(manual);
    expect(repo?.comments.map((c) => c.body.includes("ERR_PIN_BRANCH_EDITED"))).toEqual([true]);
    // the next build sees a head the App did not write and refuses again
    expect((await d.run(7, "b7")).status).toBe("refused");
    expect(repo?.refs.get(PIN)).toBe(manual);
    expect(d.fake.invalidRequests).toEqual([]);
  });

  it("PinPrOpen sent again after it ran (its answer lost): the PR with its body is adopted and labelled", async () => {
    await using d = await direct();
    const repo = d.fake.state.repo(OWNER, REPO);
    d.again(2); // PinPrOpen of the creation: the second send is "already exists"
    expect((await d.run(5, "b5", ["sigil", "pins"])).status).toBe("created");
    expect(repo?.pulls).toHaveLength(1);
    expect(repo?.pulls[0]?.labels).toEqual(["sigil", "pins"]);
    expect(d.fake.invalidRequests).toEqual([]);
  });

  it("a mutation sent again after it ran (its answer lost) adopts its own commit: no duplicate, no false refusal", async () => {
    await using d = await direct();
    const repo = d.fake.state.repo(OWNER, REPO);
    d.again(1); // PinPrCommit of the creation
    expect((await d.run(5, "b5")).status).toBe("created");
    const first = repo?.refs.get(PIN) ?? "";
    expect(repo?.git.commits.get(first)?.parents).toEqual([repo?.refs.get("refs/heads/main")]);
    d.again(1); // same base: the fast-forward commit
    expect((await d.run(6, "b6")).status).toBe("updated");
    const second = repo?.refs.get(PIN) ?? "";
    expect(repo?.git.commits.get(second)?.parents).toEqual([first]);
    const main = d.push({ "notes/unrelated.md": "main moved on\n" }, "main");
    d.again(1, 2); // moved base: the scratch commit, then the branch move with the PR update
    expect((await d.run(7, "b7")).status).toBe("updated");
    const third = repo?.refs.get(PIN) ?? "";
    expect(repo?.git.commits.get(third)?.parents).toEqual([main]);
    expect(parseMarker(repo?.pulls[0]?.body)).toMatchObject({ run_number: 7, head: third, base: main });
    expect(repo?.refs.get(SCRATCH)).toBeUndefined();
    expect(repo?.pulls).toHaveLength(1);
    expect(repo?.comments).toEqual([]);
    expect(d.fake.invalidRequests).toEqual([]);
  });
});
