// The fanned-out PR lane as the reusable workflow runs it, job by job, with the bundled actions:
// plan (pr-lane-matrix) → one pr-lane run per matrix chunk → its report downloaded → aggregate.
import { cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE } from "../../src/core/index.js";
import { makeSandbox, runBundledAction, type Sandbox } from "../fixtures/pr-lane/runner.js";

/** Each chunk job: the pr-lane action on its refs, then its report "uploaded" and "downloaded". */
async function runChunks(
  sandbox: Sandbox,
  matrix: { include: { chunk: number; refs: string }[] },
  skip = -1,
) {
  const reports = join(sandbox.workspace, ".sigil/pr-lane-reports");
  const results = [];
  for (const { chunk, refs } of matrix.include) {
    const world = `artifacts-${chunk}`;
    const run = await runBundledAction("pr-lane", sandbox, { "chunk-refs": refs, world });
    results.push(run);
    if (chunk === skip) continue; // a chunk whose report never arrives
    await mkdir(join(reports, `sigil-pr-lane-report-${chunk}`), { recursive: true });
    await cp(
      join(sandbox.workspace, world, "pr-lane/summary.json"),
      join(reports, `sigil-pr-lane-report-${chunk}/summary.json`),
    );
  }
  return results;
}

describe("pr-lane-matrix action (dist/pr-lane-matrix.js)", () => {
  test("plan → chunks → aggregate: one summary and one passing outcome", async () => {
    await using sandbox = await makeSandbox();
    const plan = await runBundledAction("pr-lane-matrix", sandbox, { step: "plan", "chunk-size": "1" });
    expect(plan.exitCode, plan.stdout).toBe(0);
    const matrix = JSON.parse(plan.outputs.matrix ?? "");
    expect(matrix).toEqual({
      include: [
        { chunk: 1, refs: "llm/litellm@1" },
        { chunk: 2, refs: "vision/replicate@1" },
      ],
    });
    expect(plan.outputs.count).toBe("2");
    expect(plan.summary).toContain("2 of 2 processor(s) selected");

    const chunks = await runChunks(sandbox, matrix);
    for (const [i, run] of chunks.entries()) {
      expect(run.exitCode, run.stdout).toBe(0);
      expect(Object.keys(JSON.parse(run.outputs.verdicts ?? ""))).toEqual([matrix.include[i].refs]);
    }
    const verdict = await runBundledAction("pr-lane-matrix", sandbox, {
      step: "aggregate",
      selected: plan.outputs.selected ?? "",
    });
    expect(verdict.exitCode, verdict.stdout).toBe(0);
    expect(verdict.outputs.passed).toBe("true");
    expect(JSON.parse(verdict.outputs.verdicts ?? "")).toEqual({
      "llm/litellm@1": "pass",
      "vision/replicate@1": "pass",
    });
    expect(verdict.summary).toContain("SIGIL.ZERO · PR lane · ✅ passed");
    expect(verdict.summary).toContain("2 processor(s) from 2 chunk report(s)");
    expect(verdict.summary).toContain("<code>outputs/image.png</code>");
  });

  test("a failing processor in one chunk and a lost report: one failed outcome naming both", async () => {
    await using sandbox = await makeSandbox({ clock: true });
    const plan = await runBundledAction("pr-lane-matrix", sandbox, { step: "plan", "chunk-size": "2" });
    const matrix = JSON.parse(plan.outputs.matrix ?? "");
    expect(matrix.include.map((c: { refs: string }) => c.refs)).toEqual([
      "llm/litellm@1,test/clock@1",
      "vision/replicate@1",
    ]);
    const chunks = await runChunks(sandbox, matrix, 2);
    expect(chunks[0]?.exitCode).toBe(1);
    const verdict = await runBundledAction("pr-lane-matrix", sandbox, {
      step: "aggregate",
      selected: plan.outputs.selected ?? "",
    });
    expect(verdict.exitCode).toBe(1);
    expect(verdict.outputs.passed).toBe("false");
    expect(JSON.parse(verdict.outputs.verdicts ?? "")).toEqual({
      "llm/litellm@1": "pass",
      "test/clock@1": "fail",
      "vision/replicate@1": "fail",
    });
    const annotation = verdict.stdout.split("\n").find((l) => l.startsWith("::error::")) ?? "";
    expect(annotation).toContain("ERR_NONDETERMINISTIC: ");
    expect(annotation).toContain(ERROR_TABLE.ERR_NONDETERMINISTIC);
    expect(verdict.summary).toContain("❌ fail <code>ERR_LANE_INCOMPLETE</code>");
    expect(verdict.summary).toContain(ERROR_TABLE.ERR_LANE_INCOMPLETE);
  });

  test("a chunk ref the registry does not hold is ERR_UNKNOWN_PROCESSOR; bad inputs are ERR_ACTION_INPUT", async () => {
    await using sandbox = await makeSandbox();
    const unknown = await runBundledAction("pr-lane", sandbox, { "chunk-refs": "no/such@1" });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stdout).toContain(`ERR_UNKNOWN_PROCESSOR: ${ERROR_TABLE.ERR_UNKNOWN_PROCESSOR}`);
    const bad: Record<string, string>[] = [
      { step: "plan", "chunk-size": "0" },
      { step: "aggregate", selected: "not json" },
      { step: "sideways" },
    ];
    for (const inputs of bad) {
      const run = await runBundledAction("pr-lane-matrix", sandbox, inputs);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain(`ERR_ACTION_INPUT: ${ERROR_TABLE.ERR_ACTION_INPUT}`);
    }
  });
});
