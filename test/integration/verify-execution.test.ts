import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { verifyLaneRuns } from "../../src/lanes/index.js";
import { verifyExecutionPrefix } from "../../src/world/verify/index.js";
import { runCli } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

/** One real `sigil run` (mock) into a fresh world; returns the world and its write prefix. */
async function oneRun(world: string): Promise<{ prefix: string; executionId: string }> {
  const run = await runCli(
    [
      "run",
      "--ref",
      "llm/litellm@1",
      "--root",
      REPO_ROOT,
      "--world",
      world,
      "--write-prefix",
      join(world, "outputs/x/{execution_id}"),
      "--inputs-json",
      '{"schema":"v1"}',
      "--json",
    ],
    { cwd: world },
  );
  expect(run.code).toBe(0);
  const { execution_id: executionId } = JSON.parse(run.stdout);
  return { prefix: join(world, "outputs/x", executionId), executionId };
}

describe("verifying a sigil run write prefix (the PR lane's verifier)", () => {
  test("a fresh run has no findings", async () => {
    await using dir = await tempDir();
    const { prefix } = await oneRun(dir.path);
    expect(await verifyExecutionPrefix(dir.path, prefix)).toEqual([]);
    expect(await verifyLaneRuns({ ref: "llm/litellm@1", worldRoot: dir.path, prefixes: [prefix] })).toEqual(
      [],
    );
  });

  test.each([
    [
      "the receipt twin removed",
      async (w: string, _p: string, id: string) => rm(join(w, "execution", id, "determinism.json")),
      "ERR_VERIFY_RECEIPT",
    ],
    [
      "the receipt rewritten",
      async (_w: string, p: string) => writeFile(join(p, "receipt.json"), "{}"),
      "ERR_VERIFY_RECEIPT",
    ],
    [
      "an output changed",
      async (_w: string, p: string) => writeFile(join(p, "outputs/response.txt"), "changed"),
      "ERR_VERIFY_OUTPUT_HASH",
    ],
    [
      "an output added",
      async (_w: string, p: string) => writeFile(join(p, "outputs/extra.txt"), "x"),
      "ERR_VERIFY_OUTPUT_UNDECLARED",
    ],
    [
      "an output removed",
      async (_w: string, p: string) => rm(join(p, "outputs/response.json")),
      "ERR_VERIFY_OUTPUT_MISSING",
    ],
  ])("%s → %s", async (_name, tamper, code) => {
    await using dir = await tempDir();
    const { prefix, executionId } = await oneRun(dir.path);
    await tamper(dir.path, prefix, executionId);
    const findings = await verifyLaneRuns({ ref: "llm/litellm@1", worldRoot: dir.path, prefixes: [prefix] });
    expect(findings.map((f) => f.code)).toContain(code);
    expect((await readFile(join(prefix, "outputs.json"), "utf8")).length).toBeGreaterThan(0);
  });
});
