import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { gitTree } from "../helpers/git-repo.js";
import { orchWorld } from "../helpers/orchestrator.js";

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("sigil orchestrate: a full local document-cut run", () => {
  test("start → SG1 → approve → resume → SG2 → approve → resume → complete", async () => {
    await using w = await orchWorld();
    const cli = async (argv: string[]) => {
      const r = await runCli([...argv, "--root", w.root, "--kb", w.kb, "--json"], { cwd: w.root });
      return r;
    };
    const started = await cli([
      "orchestrate",
      "start",
      "--pipeline",
      "document-cut",
      "--subject",
      "icx-const",
      "--source",
      "examples/orchestrator/icx-const.md",
      "--actor",
      "bob",
    ]);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    const s1 = json(started.stdout);
    expect(s1).toMatchObject({ state: "waiting_gate", gate: "SG1", phase: "SG1" });
    const runId = String(s1.run_id);
    const status = json((await cli(["orchestrate", "status", runId])).stdout);
    expect(Object.keys(status)).toEqual(
      expect.arrayContaining(["run_id", "state", "phase", "gate", "request_path", "request_sha256"]),
    );

    const early = await cli(["orchestrate", "resume", runId]);
    expect(early.code).toBe(1);
    expect(json(early.stdout).error).toMatchObject({ code: "ERR_APPROVAL_MISSING" });

    const a1 = await cli(["orchestrate", "approve", String(s1.request_path), "--key", w.keys.alice]);
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    const r1 = await cli(["orchestrate", "resume", runId]);
    expect(r1.code, r1.stdout).toBe(0);
    const s2 = json(r1.stdout);
    expect(s2).toMatchObject({ state: "waiting_gate", gate: "SG2" });
    await cli(["orchestrate", "approve", String(s2.request_path), "--key", w.keys.alice]);
    const r2 = await cli(["orchestrate", "resume", runId]);
    expect(r2.code, r2.stdout).toBe(0);
    expect(json(r2.stdout)).toMatchObject({ state: "complete" });

    const tree = [...(await gitTree(w.kb, "main")).keys()];
    const folder = String(s1.kb_folder);
    const docs = tree.filter((p) => p.startsWith(`${folder}/`) && p.endsWith(".md"));
    expect(docs).toHaveLength(10 + 2 + 1);
    expect(tree).toContain("knowledge/dev/_orchestrator-runs-index/runs.md");
    const again = await cli(["orchestrate", "resume", runId]);
    expect(json(again.stdout)).toMatchObject({ state: "complete" });
  }, 240_000);
});
