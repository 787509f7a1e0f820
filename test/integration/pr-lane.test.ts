// The PR-lane check: the non-deterministic fixture is caught and named; changed-only selection
// follows git; the verifier seam; domain-level runs against real processes in temp repositories.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE, silentLogger } from "../../src/core/index.js";
import { type PrLaneRequest, runPrLane } from "../../src/lanes/index.js";
import {
  addClockProcessor,
  git,
  gitCommitAll,
  makeSandbox,
  runBundledAction,
} from "../fixtures/pr-lane/runner.js";

const request = (root: string, extra: Partial<PrLaneRequest> = {}): PrLaneRequest => ({
  root,
  world: "artifacts",
  mode: "mock",
  changedOnly: false,
  ...extra,
});
const deps = { env: { PATH: process.env.PATH ?? "", CI: "true" }, logger: silentLogger };

describe("the non-deterministic processor fixture", () => {
  test("fails the action with ERR_NONDETERMINISTIC and is named in the summary", async () => {
    await using sandbox = await makeSandbox({ clock: true });
    const run = await runBundledAction("pr-lane", sandbox, {});
    expect(run.exitCode).toBe(1);
    const annotation = run.stdout.split("\n").find((l) => l.startsWith("::error::")) ?? "";
    expect(annotation).toContain("ERR_NONDETERMINISTIC: ");
    expect(annotation).toContain(ERROR_TABLE.ERR_NONDETERMINISTIC);
    expect(annotation).toContain("test/clock@1");
    expect(run.outputs.passed).toBe("false");
    expect(JSON.parse(run.outputs.verdicts ?? "")).toEqual({
      "llm/litellm@1": "pass",
      "test/clock@1": "fail",
      "vision/replicate@1": "pass",
    });
    expect(run.summary).toContain("❌ failed");
    expect(run.summary).toMatch(
      /<td><code>test\/clock@1<\/code><\/td>.*❌ fail <code>ERR_NONDETERMINISTIC<\/code>/,
    );
    expect(run.summary).toContain("test/clock@1: why it failed");
    expect(run.summary).toContain("outputs/stamp.txt: sha256");
    expect(run.summary).not.toContain("outputs/stable.txt: sha256");
  });

  test("the report lists exactly what differed", async () => {
    await using sandbox = await makeSandbox({ clock: true });
    const report = await runPrLane(request(sandbox.workspace), deps);
    expect(report.ok).toBe(false);
    const clock = report.processors.find((p) => p.ref === "test/clock@1");
    expect(clock).toMatchObject({ verdict: "fail", code: "ERR_NONDETERMINISTIC" });
    expect(clock?.differences).toEqual([
      expect.stringMatching(/^outputs\/stamp\.txt: sha256 /),
      expect.stringMatching(/^outputs\.json: sha256 /),
      "receipt.outputs_index differs",
    ]);
    expect(report.processors.filter((p) => p.verdict === "pass").map((p) => p.ref)).toEqual([
      "llm/litellm@1",
      "vision/replicate@1",
    ]);
  });
});

describe("changed-only", () => {
  test("runs only the processors a commit touches", async () => {
    await using sandbox = await makeSandbox({ git: true });
    const first = await git(sandbox.workspace, "rev-parse", "HEAD");
    const provider = join(sandbox.workspace, "processors/vision/replicate/provider.py");
    await writeFile(provider, `${await readFile(provider, "utf8")}\n# a change\n`);
    await gitCommitAll(sandbox.workspace, "touch replicate");
    const report = await runPrLane(request(sandbox.workspace, { changedOnly: true, base: first }), deps);
    expect(report.selection).toMatchObject({ selected: ["vision/replicate@1"], skipped: ["llm/litellm@1"] });
    expect(report.processors.map((p) => p.ref)).toEqual(["vision/replicate@1"]);
    expect(report.ok).toBe(true);
  });

  test("works when the checked root is a subfolder of the git repository", async () => {
    await using sandbox = await makeSandbox();
    const repo = join(sandbox.workspace, "..");
    const base = await gitCommitAll(repo, "monorepo");
    const provider = join(sandbox.workspace, "processors/llm/litellm/provider.py");
    await writeFile(provider, `${await readFile(provider, "utf8")}\n# a change\n`);
    await gitCommitAll(repo, "touch litellm");
    const report = await runPrLane(request(sandbox.workspace, { changedOnly: true, base }), deps);
    expect(report.selection).toMatchObject({ selected: ["llm/litellm@1"], skipped: ["vision/replicate@1"] });
  });

  test("a change to the config selects every processor", async () => {
    await using sandbox = await makeSandbox({ git: true });
    const base = await git(sandbox.workspace, "rev-parse", "HEAD");
    const config = join(sandbox.workspace, ".github/sigil.yml");
    await writeFile(config, `${await readFile(config, "utf8")}\n# edited\n`);
    await gitCommitAll(sandbox.workspace, "edit config");
    const report = await runPrLane(request(sandbox.workspace, { changedOnly: true, base }), deps);
    expect(report.selection.selected).toEqual(["llm/litellm@1", "vision/replicate@1"]);
    expect(report.selection.reason).toContain("every processor");
  });

  test("a new processor's registry entry selects it", async () => {
    await using sandbox = await makeSandbox({ git: true });
    const base = await git(sandbox.workspace, "rev-parse", "HEAD");
    await addClockProcessor(sandbox.workspace);
    await gitCommitAll(sandbox.workspace, "add clock");
    const report = await runPrLane(request(sandbox.workspace, { changedOnly: true, base }), deps);
    expect(report.selection.selected).toEqual(["test/clock@1"]);
    expect(report.ok).toBe(false);
  });

  test("when git cannot tell (no base, unknown base), every processor runs and the summary says why", async () => {
    await using sandbox = await makeSandbox({ git: true });
    const none = await runPrLane(
      request(sandbox.workspace, { changedOnly: true, base: "0".repeat(40) }),
      deps,
    );
    expect(none.selection.selected).toHaveLength(2);
    expect(none.selection.reason).toContain("no base commit");
    const unknown = await runPrLane(
      request(sandbox.workspace, { changedOnly: true, base: "f".repeat(40) }),
      deps,
    );
    expect(unknown.selection.selected).toHaveLength(2);
    expect(unknown.selection.reason).toContain("git diff");
  });
});

describe("the verifier seam", () => {
  test("without a verifier the report says not-available; a verifier's findings fail the processor", async () => {
    await using sandbox = await makeSandbox();
    const plain = await runPrLane(request(sandbox.workspace), deps);
    expect(plain.processors.map((p) => p.verifier)).toEqual(["not-available", "not-available"]);

    const seen: { ref: string; prefixes: number }[] = [];
    const verified = await runPrLane(request(sandbox.workspace), {
      ...deps,
      verifier: async ({ ref, prefixes }) => {
        seen.push({ ref, prefixes: prefixes.length });
        return ref === "llm/litellm@1"
          ? [{ code: "OUTPUT_HASH_MISMATCH", message: "outputs/response.txt" }]
          : [];
      },
    });
    expect(seen).toEqual([
      { ref: "llm/litellm@1", prefixes: 2 },
      { ref: "vision/replicate@1", prefixes: 2 },
    ]);
    expect(verified.processors.map((p) => [p.ref, p.verdict, p.verifier])).toEqual([
      ["llm/litellm@1", "fail", "fail"],
      ["vision/replicate@1", "pass", "pass"],
    ]);
    expect(verified.processors[0]?.message).toContain("OUTPUT_HASH_MISMATCH");
  });
});

describe("runs and report", () => {
  test("uses the config's PR-lane inputs and writes the report inside the world", async () => {
    await using sandbox = await makeSandbox();
    const report = await runPrLane(request(sandbox.workspace), deps);
    expect(report.summary_path).toBe("artifacts/pr-lane/summary.json");
    const onDisk = JSON.parse(await readFile(join(sandbox.workspace, report.summary_path), "utf8"));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(report)));
    const llm = report.processors[0];
    const prefix = llm?.runs[0]?.write_prefix ?? "";
    expect(prefix).toMatch(/^artifacts\/pr-lane\/llm-litellm-1\/[0-9a-f-]{36}$/);
    const text = await readFile(join(sandbox.workspace, prefix, "outputs/response.txt"), "utf8");
    expect(text).toBe("[mock] Say hello to the PR lane.");
    expect(report.timing.total_ms).toBeGreaterThanOrEqual(report.timing.processors_ms);
  });

  test("a processor that fails to run is a failed verdict with its own code", async () => {
    await using sandbox = await makeSandbox();
    await writeFile(join(sandbox.workspace, "processors/llm/litellm/main.py"), "raise SystemExit(3)\n");
    const report = await runPrLane(request(sandbox.workspace), deps);
    expect(report.ok).toBe(false);
    expect(report.processors[0]).toMatchObject({
      ref: "llm/litellm@1",
      verdict: "fail",
      code: "ERR_ADAPTER_INVOCATION",
    });
    expect(report.processors[0]?.message).toContain(ERROR_TABLE.ERR_ADAPTER_INVOCATION);
    expect(report.processors[1]?.verdict).toBe("pass");
  });

  test("pr_lane.inputs naming a ref the registry lacks is ERR_CONFIG", async () => {
    await using sandbox = await makeSandbox();
    const config = join(sandbox.workspace, ".github/sigil.yml");
    const text = (await readFile(config, "utf8")).replace("vision/replicate@1:", "vision/replicat@1:");
    await writeFile(config, text);
    await expect(runPrLane(request(sandbox.workspace), deps)).rejects.toMatchObject({
      code: "ERR_CONFIG",
      message: expect.stringContaining("vision/replicat@1"),
    });
  });
});
