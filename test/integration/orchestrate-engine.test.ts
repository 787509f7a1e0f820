import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { canonicalize, ERROR_TABLE, type ErrorCode, SigilError, systemClock } from "../../src/core/index.js";
import {
  approvalPaths,
  createLocalGitPublisher,
  type GovernancePublisher,
  loadDefaultBranchConfig,
  signLocalApproval,
  sshSign,
} from "../../src/governance/index.js";
import { type IndexDb, openPglite } from "../../src/index/index.js";
import {
  allLedgerSchemas,
  createLocalGateBackend,
  type Ledger,
  type OrchestratorDeps,
  openLedger,
  readRunContext,
  resumeRun,
  startRun,
} from "../../src/orchestrator/index.js";
import { gitTree } from "../helpers/git-repo.js";
import { type OrchWorld, orchWorld } from "../helpers/orchestrator.js";

let db: IndexDb;
let ledger: Ledger;
beforeAll(async () => {
  db = await openPglite();
  ledger = await openLedger(db, allLedgerSchemas());
}, 120_000);
afterAll(async () => {
  await db?.close();
});

const SOURCE = "examples/orchestrator/icx-const.md";

async function depsFor(w: OrchWorld, over: Partial<OrchestratorDeps> = {}): Promise<OrchestratorDeps> {
  const publisher = await createLocalGitPublisher({ repo: w.kb });
  return {
    root: w.root,
    publisher,
    ledger,
    clock: systemClock,
    sleep: async () => undefined,
    gates: createLocalGateBackend({
      publisher,
      clock: systemClock,
      allowedSigners: async () => (await loadDefaultBranchConfig(w.root)).sovereigns.ssh_keys,
    }),
    ...over,
  };
}

const start = (deps: OrchestratorDeps, subject: string) =>
  startRun(
    { pipeline: "document-cut", subjectId: subject, sourcePath: SOURCE, space: "dev", actor: "bob" },
    deps,
  );

async function approve(w: OrchWorld, deps: OrchestratorDeps, requestPath: string, key = w.keys.alice) {
  const allowed = (await loadDefaultBranchConfig(w.root)).sovereigns.ssh_keys;
  return signLocalApproval({ publisher: deps.publisher, requestPath, keyPath: key, allowedSigners: allowed });
}

/** Publishes an approval file as an attacker would: any content, any key, or no signature. */
async function plant(publisher: GovernancePublisher, requestPath: string, body: object, key: string | null) {
  const json = Buffer.from(`${canonicalize(body)}\n`);
  const paths = approvalPaths(requestPath);
  const files = [{ path: paths.json, bytes: json }];
  if (key) files.push({ path: paths.sig, bytes: Buffer.from(await sshSign(key, json)) });
  await publisher.publish({ message: "planted", files });
}

async function refused(work: Promise<unknown>, code: ErrorCode) {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigilError);
  expect((error as SigilError).code).toBe(code);
  expect((error as SigilError).message).toContain(ERROR_TABLE[code]);
}

describe("local gates: only a valid signed approval of a sovereign opens a gate", () => {
  type Case = [
    string,
    ErrorCode,
    (
      w: OrchWorld,
      deps: OrchestratorDeps,
      s: { run_id: string; request_path: string; request_sha256: string },
    ) => Promise<void>,
  ];
  const cases: Case[] = [
    ["missing", "ERR_APPROVAL_MISSING", async () => undefined],
    [
      "unsigned",
      "ERR_APPROVAL_SIGNATURE",
      async (_w, d, s) =>
        plant(
          d.publisher,
          s.request_path,
          { run_id: s.run_id, gate: "SG1", request_sha256: s.request_sha256, approver: "alice" },
          null,
        ),
    ],
    [
      "signed by a non-sovereign in a sovereign's name",
      "ERR_APPROVAL_SIGNATURE",
      async (w, d, s) =>
        plant(
          d.publisher,
          s.request_path,
          { run_id: s.run_id, gate: "SG1", request_sha256: s.request_sha256, approver: "alice" },
          w.keys.mallory,
        ),
    ],
    [
      "by a non-sovereign",
      "ERR_APPROVAL_SIGNATURE",
      async (w, d, s) =>
        plant(
          d.publisher,
          s.request_path,
          { run_id: s.run_id, gate: "SG1", request_sha256: s.request_sha256, approver: "mallory" },
          w.keys.mallory,
        ),
    ],
    [
      "for another request digest",
      "ERR_APPROVAL_MISMATCH",
      async (w, d, s) =>
        plant(
          d.publisher,
          s.request_path,
          { run_id: s.run_id, gate: "SG1", request_sha256: "0".repeat(64), approver: "alice" },
          w.keys.alice,
        ),
    ],
    [
      "for another gate",
      "ERR_APPROVAL_MISMATCH",
      async (w, d, s) =>
        plant(
          d.publisher,
          s.request_path,
          { run_id: s.run_id, gate: "SG2", request_sha256: s.request_sha256, approver: "alice" },
          w.keys.alice,
        ),
    ],
    [
      "for another run (replayed)",
      "ERR_APPROVAL_MISMATCH",
      async (w, d, s) =>
        plant(
          d.publisher,
          s.request_path,
          {
            run_id: "01a22e7a-1594-7311-a858-6f2000000099",
            gate: "SG1",
            request_sha256: s.request_sha256,
            approver: "alice",
          },
          w.keys.alice,
        ),
    ],
    [
      "by a key added only in the working tree (policy is the default branch's)",
      "ERR_APPROVAL_SIGNATURE",
      async (w, d, s) => {
        const mallory = (await import("node:fs/promises")).readFile(`${w.keys.mallory}.pub`, "utf8");
        const line = `mallory ${(await mallory).trim().split(/\s+/).slice(0, 2).join(" ")}`;
        await writeFile(
          join(w.root, ".github/sigil.yml"),
          `sovereigns:\n  ssh_keys:\n    - "${w.aliceLine}"\n    - "${line}"\n`,
        );
        await plant(
          d.publisher,
          s.request_path,
          { run_id: s.run_id, gate: "SG1", request_sha256: s.request_sha256, approver: "mallory" },
          w.keys.mallory,
        );
      },
    ],
  ];
  test.each(cases.map((c, i) => [...c, i] as const))(
    "%s: refused with %s",
    async (_name, code, setup, i) => {
      await using w = await orchWorld();
      const deps = await depsFor(w);
      const s = await start(deps, `refusal-${i}`);
      expect(s.state).toBe("waiting_gate");
      await setup(w, deps, {
        run_id: s.run_id,
        request_path: String(s.request_path),
        request_sha256: String(s.request_sha256),
      });
      await refused(resumeRun(s.run_id, deps), code);
      expect((await readRunContext(w.root, s.run_id)).state).toBe("waiting_gate");
    },
    120_000,
  );
});

describe("runs end to end, replay, stops", () => {
  test("a full run; a second proposal replays it (replayed_from); a live one conflicts", async () => {
    await using w = await orchWorld();
    const deps = await depsFor(w);
    const s1 = await start(deps, "replay");
    const conflict = await start(deps, "replay");
    expect(conflict).toMatchObject({ state: "stopped", stop_code: "STOP_REPLAY_CONFLICT" });
    await approve(w, deps, String(s1.request_path));
    const s2 = await resumeRun(s1.run_id, deps);
    // A valid approval advances exactly once: the same resume again is a no-op at SG2.
    expect(await resumeRun(s1.run_id, deps).catch((e: SigilError) => e.code)).toBe("ERR_APPROVAL_MISSING");
    await approve(w, deps, String(s2.request_path));
    const done = await resumeRun(s1.run_id, deps);
    expect(done.state).toBe("complete");
    const replay = await start(deps, "replay");
    expect(replay).toMatchObject({ run_id: s1.run_id, state: "complete", replayed_from: s1.run_id });
    const approvals = await ledger.select("orch_approvals", { run_id: s1.run_id });
    expect(approvals.map((a) => a.gate).sort()).toEqual(["SG1", "SG2"]);
    const index = await deps.publisher.read("knowledge/dev/_orchestrator-runs-index/runs.md");
    expect(
      Buffer.from(index ?? "")
        .toString()
        .split("\n")
        .filter((l) => l.includes(s1.run_id)),
    ).toHaveLength(1);
  }, 180_000);

  test("upload fails twice then succeeds: the run advances; four times: STOP_KB_UPLOAD, then resume", async () => {
    await using w = await orchWorld();
    const base = await depsFor(w);
    let failures = 0;
    const publisher: GovernancePublisher = {
      ...base.publisher,
      publish: async (unit, o) => {
        if (failures > 0) {
          failures--;
          throw new SigilError("ERR_PUBLISH_REMOTE", "injected");
        }
        return base.publisher.publish(unit, o);
      },
    };
    const slept: number[] = [];
    const deps = { ...base, publisher, sleep: async (ms: number) => void slept.push(ms) };
    failures = 2;
    const s = await start(deps, "uploads");
    expect(s.state).toBe("waiting_gate");
    expect(slept).toEqual([8_000, 16_000]);
    await approve(w, base, String(s.request_path));
    slept.length = 0;
    failures = 4;
    const stopped = await resumeRun(s.run_id, deps);
    expect(stopped).toMatchObject({ state: "stopped", stop_code: "STOP_KB_UPLOAD", phase: "cut-leg-a" });
    expect(stopped.stop_detail).toContain("4 attempts failed");
    expect(slept).toEqual([8_000, 16_000, 30_000]);
    const resumed = await resumeRun(s.run_id, deps);
    expect(resumed).toMatchObject({ state: "waiting_gate", gate: "SG2" });
  }, 180_000);

  test("a failure between the legs stops with STOP_BETWEEN_LEGS and the pinned ids", async () => {
    await using w = await orchWorld();
    const deps = await depsFor(w);
    const s = await start(deps, "legs");
    await approve(w, deps, String(s.request_path));
    const run = await readRunContext(w.root, s.run_id);
    const changeSet = String(run.context_pins.change_set_id);
    await ledger.insertOnce(
      "dc_records",
      { record_id: "someone-else", change_set_id: changeSet, cut_id: "x" },
      [["record_id"]],
    );
    const stopped = await resumeRun(s.run_id, deps);
    expect(stopped).toMatchObject({
      state: "stopped",
      stop_code: "STOP_BETWEEN_LEGS",
      phase: "leg-b-record",
    });
    expect((await readRunContext(w.root, s.run_id)).stop?.pinned.change_set_id).toBe(changeSet);
    await refused(resumeRun(s.run_id, deps), "ERR_ORCH_STATE");
  }, 180_000);

  test("pins are re-validated at the gate: an edited source refuses to pass SG1", async () => {
    await using w = await orchWorld();
    const deps = await depsFor(w);
    const s = await start(deps, "pins");
    await approve(w, deps, String(s.request_path));
    await writeFile(join(w.root, SOURCE), "# edited\n");
    await refused(resumeRun(s.run_id, deps), "ERR_ORCH_PINS");
    const tree = await gitTree(w.kb, "main");
    expect([...tree.keys()].some((p) => p.includes("cut-leg-a"))).toBe(false);
  }, 180_000);
});
