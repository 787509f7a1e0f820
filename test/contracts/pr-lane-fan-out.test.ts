// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are GitHub expressions, not templates
// The reusable PR lane's shape: plan → a matrix of chunks (max-parallel an input) → one verdict.
import { expect, test } from "vitest";
import { parse } from "yaml";
import { read, workflowErrors, workflowFiles } from "../fixtures/pr-lane/workflow-lint.js";

const content = read(".github/workflows/pr-lane.yml");
const workflow = parse(content);

test("plan, check and verdict, chained by needs; the verdict runs after failed chunks too", async () => {
  const { errors, template } = await workflowErrors("pr-lane.yml", content, workflowFiles());
  expect(errors).toEqual([]);
  const jobs = Object.fromEntries((template?.jobs ?? []).map((j) => [j.id.value, j]));
  expect(Object.keys(jobs)).toEqual(["plan", "check", "verdict"]);
  expect((jobs.check?.needs ?? []).map((n) => n.value)).toEqual(["plan"]);
  expect((jobs.verdict?.needs ?? []).map((n) => n.value)).toEqual(["plan", "check"]);
  expect(workflow.jobs.verdict.if).toContain("always()");
  expect(workflow.jobs.verdict.if).toContain("needs.plan.result == 'success'");
  expect(workflow.jobs.check.if).toContain("needs.plan.outputs.count != '0'");
});

test("the matrix comes from the plan, never fails fast, and max-parallel and chunk-size are inputs", () => {
  const inputs = workflow.on.workflow_call.inputs;
  expect(inputs["max-parallel"]).toMatchObject({ type: "number", default: 8 });
  expect(inputs["chunk-size"]).toMatchObject({ type: "number", default: 20 });
  expect(workflow.jobs.check.strategy).toEqual({
    "fail-fast": false,
    "max-parallel": "${{ inputs.max-parallel }}",
    matrix: "${{ fromJSON(needs.plan.outputs.matrix) }}",
  });
  const plan = workflow.jobs.plan.steps.find((s: { id?: string }) => s.id === "plan");
  expect(plan.uses).toBe("./.sigil/toolkit/actions/pr-lane-matrix");
  expect(plan.with).toMatchObject({ step: "plan", "chunk-size": "${{ inputs.chunk-size }}" });
  expect(workflow.jobs.plan.outputs).toEqual({
    matrix: "${{ steps.plan.outputs.matrix }}",
    selected: "${{ steps.plan.outputs.selected }}",
    count: "${{ steps.plan.outputs.count }}",
  });
});

test("each chunk checks its own refs and uploads its report; the verdict aggregates them all", () => {
  const check = workflow.jobs.check.steps.find((s: { id?: string }) => s.id === "check");
  expect(check.with).toMatchObject({ mode: "mock", "chunk-refs": "${{ matrix.refs }}" });
  const report = workflow.jobs.check.steps.find(
    (s: { name?: string }) => s.name === "Upload the chunk's report",
  );
  expect(report.if).toBe("${{ always() }}");
  expect(report.with.name).toBe("sigil-pr-lane-report-${{ matrix.chunk }}");
  const steps = workflow.jobs.verdict.steps;
  const download = steps.find((s: { uses?: string }) => s.uses === "actions/download-artifact@v4");
  expect(download.with).toEqual({ pattern: "sigil-pr-lane-report-*", path: ".sigil/pr-lane-reports" });
  const verdict = steps.find((s: { id?: string }) => s.id === "verdict");
  expect(verdict.with).toEqual({
    step: "aggregate",
    selected: "${{ needs.plan.outputs.selected }}",
    reports: ".sigil/pr-lane-reports",
  });
  expect(workflow.on.workflow_call.outputs.passed.value).toBe("${{ jobs.verdict.outputs.passed }}");
  expect(workflow.on.workflow_call.outputs.verdicts.value).toBe("${{ jobs.verdict.outputs.verdicts }}");
});
