// Every workflow we ship, checked by GitHub's own parser and against our actions' inputs.
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import {
  localUsesProblems,
  read,
  WORKFLOW_FILES,
  workflowErrors,
  workflowFiles,
} from "../fixtures/pr-lane/workflow-lint.js";

const files = workflowFiles();
const REUSABLE = ["main-lane.yml", "pr-lane.yml"];

describe.each(WORKFLOW_FILES)(".github/workflows/%s", (file) => {
  const path = `.github/workflows/${file}`;
  const content = read(path);

  test("parses and converts without errors (GitHub's parser)", async () => {
    const { errors, template } = await workflowErrors(path, content, files);
    expect(errors).toEqual([]);
    expect(template?.jobs.length).toBeGreaterThan(0);
  });

  test("passes only declared inputs to our actions and reusable workflows", () => {
    expect(localUsesProblems(path, content, files)).toEqual([]);
  });

  test("asks for read-only contents by default", () => {
    expect(parse(content).permissions).toEqual({ contents: "read" });
  });
});

test("the reusable workflows are workflow_call with typed inputs", () => {
  expect(WORKFLOW_FILES).toEqual(expect.arrayContaining([...REUSABLE, "ci.yml"]));
  for (const file of REUSABLE) {
    const on = parse(read(`.github/workflows/${file}`)).on;
    expect(Object.keys(on)).toEqual(["workflow_call"]);
    for (const [name, input] of Object.entries<{ type?: string; description?: string }>(
      on.workflow_call.inputs,
    )) {
      expect([name, input.type]).toEqual([name, expect.stringMatching(/^(string|boolean|number)$/)]);
      expect(input.description).toBeTruthy();
    }
  }
});

test("the PR lane receives no secrets and runs the pr-lane action in mock mode", () => {
  const workflow = parse(read(".github/workflows/pr-lane.yml"));
  expect(workflow.on.workflow_call.secrets).toBeUndefined();
  const steps: { uses?: string; with?: Record<string, unknown> }[] = workflow.jobs.check.steps;
  expect(steps.find((s) => s.uses === "./.sigil/toolkit/actions/pr-lane")?.with?.mode).toBe("mock");
});

test("the main lane is the serialized chain Build & Pin → Acceptance → Deploy → Drift", async () => {
  const content = read(".github/workflows/main-lane.yml");
  const { template } = await workflowErrors("main-lane.yml", content, files);
  const jobs = Object.fromEntries((template?.jobs ?? []).map((j) => [j.id.value, j]));
  expect(Object.keys(jobs)).toEqual(["build-pin", "acceptance", "deploy", "drift"]);
  const needs = (id: string) => (jobs[id]?.needs ?? []).map((n) => n.value);
  expect([needs("build-pin"), needs("acceptance"), needs("deploy"), needs("drift")]).toEqual([
    [],
    ["build-pin"],
    ["acceptance"],
    ["deploy"],
  ]);
  const doc = parse(content);
  expect(doc.concurrency).toEqual({
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
    group: "sigil-main-lane-${{ github.repository }}-${{ inputs.environment }}",
    "cancel-in-progress": false,
  });
  expect(doc.jobs.deploy.concurrency["cancel-in-progress"]).toBe(false);
  expect(doc.jobs["build-pin"].concurrency["cancel-in-progress"]).toBe(false);
  expect(Object.keys(doc.on.workflow_call.secrets)).toEqual([
    "MODAL_TOKEN_ID",
    "MODAL_TOKEN_SECRET",
    "OPENAI_API_KEY",
    "REPLICATE_API_TOKEN",
  ]);
});

test("Build & Pin builds with build-pin and uploads pins.json; Acceptance asserts the pinned registry", () => {
  const doc = parse(read(".github/workflows/main-lane.yml"));
  type Step = { id?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string> };
  const steps: Step[] = doc.jobs["build-pin"].steps;
  const build = steps.findIndex((s) => s.uses === "./.sigil/toolkit/actions/build-pin");
  const upload = steps.findIndex((s) => s.uses?.startsWith("actions/upload-artifact@"));
  expect([build > 0, upload > build]).toEqual([true, true]);
  expect(steps[upload]?.with).toMatchObject({
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
    name: "${{ inputs.pins-artifact }}",
    path: `\${{ steps.${steps[build]?.id}.outputs.pins-path }}`,
  });
  expect(doc.on.workflow_call.inputs["pins-artifact"].default).toBe("sigil-pins");
  expect(doc.jobs["build-pin"].permissions).toEqual({ contents: "read", packages: "write" });
  const acceptance: Step[] = doc.jobs.acceptance.steps;
  const assert = acceptance.find((s) => s.uses === "./.sigil/toolkit/actions/assert-multiarch");
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
  expect(assert?.with?.lane).toBe("${{ inputs.environment }}");
  expect(Object.keys(assert?.env ?? {})).toEqual(["GITHUB_TOKEN"]);
  expect(doc.jobs.acceptance.permissions).toEqual({ contents: "read", packages: "read" });
});

test("the Deploy job deploys, then validates the mock functions; the Drift job checks the deployed apps", () => {
  const doc = parse(read(".github/workflows/main-lane.yml"));
  const uses = (job: string): string[] =>
    doc.jobs[job].steps.map((s: { uses?: string }) => s.uses).filter((u: string | undefined) => u);
  const deploy = uses("deploy").filter((u) => u.startsWith("./.sigil/toolkit/actions/"));
  expect(deploy.slice(-3)).toEqual([
    "./.sigil/toolkit/actions/sync-secrets",
    "./.sigil/toolkit/actions/deploy-modal",
    "./.sigil/toolkit/actions/validate-mock",
  ]);
  expect(uses("drift")).toContain("./.sigil/toolkit/actions/drift");
  for (const [job, action] of [
    ["deploy", "validate-mock"],
    ["drift", "drift"],
  ] as const) {
    const step = doc.jobs[job].steps.find(
      (s: { uses?: string }) => s.uses === `./.sigil/toolkit/actions/${action}`,
    );
    expect(Object.keys(step.env)).toEqual(["MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET", "MODAL_ENVIRONMENT"]);
  }
});

test("this repository's CI runs npm test, the check-dist step and the PR lane", () => {
  const ci = parse(read(".github/workflows/ci.yml"));
  const runs = ci.jobs.test.steps.map((s: { run?: string }) => s.run).filter(Boolean);
  expect(runs).toEqual(expect.arrayContaining(["npm ci", "npm test", "npm run check-dist"]));
  expect(ci.jobs["pr-lane"].uses).toBe("./.github/workflows/pr-lane.yml");
});

describe("the checks can fail", () => {
  const mainLane = read(".github/workflows/main-lane.yml");

  test("a needs: cycle", async () => {
    const cyclic = mainLane.replace("needs: build-pin", "needs: drift");
    const { errors } = await workflowErrors("main-lane.yml", cyclic, files);
    expect(errors.join("\n")).toContain("creates a cycle");
  });

  test("a needs: naming no job", async () => {
    const { errors } = await workflowErrors(
      "main-lane.yml",
      mainLane.replace("needs: deploy", "needs: deplyo"),
      files,
    );
    expect(errors.join("\n")).toMatch(/deplyo/);
  });

  test("a typo in an action's input name", () => {
    const typo = mainLane.replace("lane: pr", "lnae: pr");
    expect(localUsesProblems("main-lane.yml", typo, files)).toEqual([
      "main-lane.yml build-pin step 3 (./.sigil/toolkit/actions/validate): no input lnae",
    ]);
  });

  test("a step using an action that does not exist", () => {
    const missing = mainLane.replace(
      "./.sigil/toolkit/actions/validate\n",
      "./.sigil/toolkit/actions/build-everything\n",
    );
    expect(localUsesProblems("main-lane.yml", missing, files).join("\n")).toContain(
      "no action actions/build-everything/action.yml",
    );
  });

  test("a typo in a reusable workflow's input passed by a caller", async () => {
    const ci = read(".github/workflows/ci.yml").replace("changed-only:", "changed-olny:");
    expect(localUsesProblems("ci.yml", ci, files)).toEqual([
      "ci.yml pr-lane: ./.github/workflows/pr-lane.yml has no input changed-olny",
    ]);
    const { errors } = await workflowErrors("ci.yml", ci, files);
    expect(errors.join("\n")).toMatch(/changed-olny/);
  });

  test("an unknown key in a workflow", async () => {
    const { errors } = await workflowErrors(
      "pr-lane.yml",
      read(".github/workflows/pr-lane.yml").replace("runs-on:", "runs_on:"),
      files,
    );
    expect(errors.length).toBeGreaterThan(0);
  });
});
