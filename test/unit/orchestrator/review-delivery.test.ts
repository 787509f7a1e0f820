import { describe, expect, test } from "vitest";
import { SigilError } from "../../../src/core/index.js";
import {
  advanceOnGateDelivery,
  type GateDelivery,
  lockRunContext,
  type Orchestrator,
  type RunContext,
  writeRunContext,
} from "../../../src/orchestrator/index.js";
import { tempDir } from "../../helpers/temp.js";

const RUN_ID = "0190a5b4-0000-7000-8000-000000000001";
const HEX = "a".repeat(64);

function run(overrides: Partial<RunContext> = {}, outcome: "WAITING" | "APPROVED" = "WAITING"): RunContext {
  return {
    schema: "sigil.orchestrator.run/v1",
    run_id: RUN_ID,
    pipeline: "document-cut",
    subject_id: "icx-const",
    source_path: "doc.md",
    source_version_id: HEX,
    space: "dev",
    kb_folder: "knowledge/dev/icx-const/vaaaaaaaaaaaaaaaa-document-cut-20261201",
    date: "2026-12-01",
    started_at: "2026-12-01T00:00:00Z",
    actor: "bob",
    state: "waiting_gate",
    stop: null,
    context_pins: { manifest_digest: null, region_sha: null, writer_digest: null, change_set_id: null },
    minted: {},
    steps: [
      {
        index: 5,
        kind: "gate",
        name: "SG1",
        doc_path: "knowledge/dev/x/SG1.md",
        doc_sha256: HEX,
        doc_bytes: 10,
        production_mutation: false,
        uploaded: true,
        outcome,
        key: null,
        payload_sha: null,
        payload: null,
        approval: null,
        request_ref: { number: 7, head_sha: "b".repeat(40), branch: `sigil/gates/${RUN_ID}/SG1` },
      },
    ],
    closeout_key: null,
    closed_at: null,
    ...overrides,
  };
}

/** An opener that never reaches GitHub: its ledger and backend must not be needed by the case. */
function stubOpen(root: string, opened: string[], assertRunKb = async () => undefined): GateDelivery["open"] {
  return async () => {
    opened.push("open");
    return {
      deps: { root } as Orchestrator["deps"],
      kb: { kind: "github", owner: "acme", repo: "governance" },
      assertRunKb,
      close: async () => void opened.push("close"),
    };
  };
}

async function deliver(root: string, opened: string[], extra: Partial<GateDelivery> = {}) {
  return advanceOnGateDelivery({
    root,
    owner: "acme",
    repo: "governance",
    octokit: {} as GateDelivery["octokit"],
    clock: { nowMs: () => 0, monotonicMs: () => 0 },
    runId: RUN_ID,
    gate: "SG1",
    pullNumber: 7,
    open: stubOpen(root, opened),
    ...extra,
  });
}

describe("advanceOnGateDelivery: the no-ops that make a redelivery harmless", () => {
  test("no sidecar: unknown-run, nothing opened", async () => {
    await using dir = await tempDir();
    const opened: string[] = [];
    expect(await deliver(dir.path, opened)).toMatchObject({ status: "unknown-run" });
    expect(opened).toEqual([]);
  });

  test("the gate already open, or another PR than the recorded request: nothing opened", async () => {
    await using dir = await tempDir();
    const opened: string[] = [];
    await writeRunContext(dir.path, run({ state: "waiting_gate" }, "APPROVED"));
    expect(await deliver(dir.path, opened)).toMatchObject({ status: "already-open" });
    await writeRunContext(dir.path, run());
    expect(await deliver(dir.path, opened, { pullNumber: 8 })).toMatchObject({ status: "not-the-request" });
    expect(await deliver(dir.path, opened, { gate: "SG2" })).toMatchObject({ status: "not-the-request" });
    expect(opened).toEqual([]);
  });

  test("a run bound to another repository, a run not waiting, a run another process holds", async () => {
    await using dir = await tempDir();
    const opened: string[] = [];
    await writeRunContext(dir.path, run());
    const otherKb = stubOpen(dir.path, opened, async () => {
      throw new SigilError("ERR_ORCH_STATE", "bound elsewhere");
    });
    expect(await deliver(dir.path, opened, { open: otherKb })).toMatchObject({ status: "other-kb" });

    await writeRunContext(
      dir.path,
      run({ state: "stopped", stop: { code: "STOP_KB_UPLOAD", detail: "x", pinned: {} } }),
    );
    expect(await deliver(dir.path, opened)).toMatchObject({ status: "not-waiting" });

    await writeRunContext(dir.path, run());
    const lock = await lockRunContext(dir.path, RUN_ID);
    try {
      expect(await deliver(dir.path, opened)).toMatchObject({ status: "locked" });
    } finally {
      await lock.release();
    }
    // Every opened orchestrator was closed.
    expect(opened).toEqual(["open", "close", "open", "close", "open", "close"]);
  });

  test("an opener that fails (the repository unreachable) is a failed outcome with its code", async () => {
    await using dir = await tempDir();
    await writeRunContext(dir.path, run());
    const outcome = await deliver(dir.path, [], {
      open: async () => {
        throw new SigilError("ERR_PUBLISH_REMOTE", "repos/get answered 404");
      },
    });
    expect(outcome).toMatchObject({ status: "failed", code: "ERR_PUBLISH_REMOTE" });
  });
});
