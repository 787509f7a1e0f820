// The bundled actions, run as the runner runs them: `node dist/<name>.js`, INPUT_* variables,
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE pointing to a temp repository.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE } from "../../src/core/index.js";
import { makeSandbox, runBundledAction, type Sandbox } from "../fixtures/pr-lane/runner.js";
import { exists, snapshotTree } from "../helpers/temp.js";

/** Nothing may land in TMPDIR, HOME or RUNNER_TEMP: only the workspace and the runner's files. */
async function expectNothingOutside(sandbox: Sandbox): Promise<void> {
  for (const dir of Object.values(sandbox.outside)) expect([...(await snapshotTree(dir)).keys()]).toEqual([]);
}

function expectFailedWith(run: { exitCode: number; stdout: string }, code: keyof typeof ERROR_TABLE): void {
  expect(run.exitCode).toBe(1);
  const annotation = run.stdout.split("\n").find((l) => l.startsWith("::error::"));
  expect(annotation).toBeDefined();
  expect(annotation).toContain(`${code}: `);
  expect(annotation).toContain(ERROR_TABLE[code]);
}

describe("pr-lane action (dist/pr-lane.js)", () => {
  test("checks both example processors, sets outputs and writes the summary table", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("pr-lane", sandbox, {});
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.outputs.passed).toBe("true");
    expect(JSON.parse(run.outputs.verdicts ?? "")).toEqual({
      "llm/litellm@1": "pass",
      "vision/replicate@1": "pass",
    });
    const summaryPath = run.outputs["summary-path"] ?? "";
    expect(summaryPath).toBe(join(sandbox.workspace, "artifacts/pr-lane/summary.json"));
    const report = JSON.parse(await readFile(summaryPath, "utf8"));
    expect(report).toMatchObject({ schema: "sigil.pr-lane.v1", ok: true, mode: "mock" });
    expect(report.processors.map((p: { ref: string; runs: unknown[] }) => [p.ref, p.runs.length])).toEqual([
      ["llm/litellm@1", 2],
      ["vision/replicate@1", 2],
    ]);
    // The table: processor, outputs, sha256 prefix, verdict.
    expect(run.summary).toContain("<th>processor</th><th>outputs</th><th>sha256 prefix</th><th>verdict</th>");
    for (const p of report.processors) {
      expect(run.summary).toContain(`<code>${p.ref}</code>`);
      expect(run.summary).toContain(`<code>${p.outputs_index_sha256.slice(0, 12)}</code>`);
    }
    expect(run.summary).toContain("<code>outputs/response.txt</code>");
    expect(run.summary).toContain("<code>outputs/image.png</code>");
    expect(run.summary).toContain("✅ pass");
    // One log group per phase.
    expect(run.stdout).toContain("::group::check llm/litellm@1");
    await expectNothingOutside(sandbox);
  });

  test("a bad input fails the step with ERR_ACTION_INPUT and writes nothing", async () => {
    await using sandbox = await makeSandbox();
    const before = await snapshotTree(sandbox.workspace);
    const run = await runBundledAction("pr-lane", sandbox, { "changed-only": "maybe" });
    expectFailedWith(run, "ERR_ACTION_INPUT");
    expect(run.stdout).toContain("changed-only");
    expect(run.outputs).toEqual({});
    expect(run.summary).toContain("ERR_ACTION_INPUT");
    expect(await snapshotTree(sandbox.workspace)).toEqual(before);
    await expectNothingOutside(sandbox);
  });

  test("a path input escaping the workspace is refused", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("pr-lane", sandbox, { world: "../elsewhere" });
    expectFailedWith(run, "ERR_ACTION_INPUT");
    expect(await exists(join(sandbox.workspace, "../elsewhere"))).toBe(false);
  });

  test("mode=real in CI is ERR_CI_SAFETY before anything runs or is written", async () => {
    await using sandbox = await makeSandbox();
    const before = await snapshotTree(sandbox.workspace);
    const run = await runBundledAction(
      "pr-lane",
      sandbox,
      { mode: "real" },
      { OPENAI_API_KEY: "sk-test-000000000000" },
    );
    expectFailedWith(run, "ERR_CI_SAFETY");
    expect(run.stdout + run.summary).not.toContain("sk-test-000000000000");
    expect(run.stdout).not.toContain("::group::check");
    expect(await snapshotTree(sandbox.workspace)).toEqual(before);
    await expectNothingOutside(sandbox);
  });

  test("mode=real outside CI is still refused: the PR lane is mock only", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("pr-lane", sandbox, { mode: "real" }, { CI: "" });
    expectFailedWith(run, "ERR_INPUTS");
    expect(run.stdout).toContain("mode=mock only");
    expect(await exists(join(sandbox.workspace, "artifacts"))).toBe(false);
  });

  test("an unknown key in .github/sigil.yml is ERR_CONFIG", async () => {
    await using sandbox = await makeSandbox();
    const config = join(sandbox.workspace, ".github/sigil.yml");
    await writeFile(config, `${await readFile(config, "utf8")}\nregistyr: typo\n`);
    const run = await runBundledAction("pr-lane", sandbox, {});
    expectFailedWith(run, "ERR_CONFIG");
    expect(run.stdout).toContain("registyr");
    expect(await exists(join(sandbox.workspace, "artifacts"))).toBe(false);
  });
});

describe("validate action (dist/validate.js)", () => {
  test("lists the refs and the unpinned ones", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("validate", sandbox, {
      lane: "pr",
      repository: "sigil-zero/sigil-zero",
    });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.outputs.refs ?? "")).toEqual(["llm/litellm@1", "vision/replicate@1"]);
    expect(JSON.parse(run.outputs.unpinned ?? "")).toEqual(["llm/litellm@1", "vision/replicate@1"]);
    expect(run.summary).toContain("2 registry entries valid for the pr lane");
    expect(run.summary).toContain("no (tag)");
    await expectNothingOutside(sandbox);
  });

  test("the main lane refuses tags with ERR_IMAGE_UNPINNED", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("validate", sandbox, {
      lane: "main",
      repository: "sigil-zero/sigil-zero",
    });
    expectFailedWith(run, "ERR_IMAGE_UNPINNED");
  });

  test("the main lane refuses an unknown repository with ERR_REGISTRY_MISMATCH", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("validate", sandbox, { lane: "main" });
    expectFailedWith(run, "ERR_REGISTRY_MISMATCH");
  });

  test("images outside the repository's namespace are ERR_REGISTRY_MISMATCH", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("validate", sandbox, { repository: "someone/else" });
    expectFailedWith(run, "ERR_REGISTRY_MISMATCH");
  });

  test("an unknown lane is ERR_ACTION_INPUT", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("validate", sandbox, { lane: "prod" });
    expectFailedWith(run, "ERR_ACTION_INPUT");
    expect(run.stdout).toContain("lane");
  });
});

describe("validate-mock and drift actions (dist/validate-mock.js, dist/drift.js)", () => {
  // The checks themselves run against an injected transport (modal-validate-mock and modal-drift
  // tests); here, the bundles' own boundary: tags stop both before any Modal lookup.
  test.each(["validate-mock", "drift"] as const)(
    "%s refuses a tagged registry with ERR_IMAGE_UNPINNED",
    async (name) => {
      await using sandbox = await makeSandbox();
      const run = await runBundledAction(name, sandbox, {
        environment: "main",
        ...(name === "validate-mock" ? { repository: "sigil-zero/sigil-zero" } : {}),
      });
      expectFailedWith(run, "ERR_IMAGE_UNPINNED");
    },
  );

  test("an environment outside staging and main is ERR_ACTION_INPUT", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("drift", sandbox, { environment: "dev" });
    expectFailedWith(run, "ERR_ACTION_INPUT");
  });
});

describe("umbrella action (dist/sigil.js)", () => {
  test("command selects the action", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("sigil", sandbox, { command: "validate" });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.outputs.refs ?? "")).toHaveLength(2);
  });

  test("an unknown command is ERR_ACTION_INPUT naming the known ones", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("sigil", sandbox, { command: "deploy-everything" });
    expectFailedWith(run, "ERR_ACTION_INPUT");
    expect(run.stdout).toContain(
      "assert-multiarch, build-pin, deploy-modal, drift, pr-lane, pr-lane-matrix, sync-secrets, validate, validate-mock",
    );
    await expectNothingOutside(sandbox);
  });
});
