import { rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  approveLocalRequest,
  listRunIds,
  readRunContext,
  validateKeyChain,
} from "../../src/orchestrator/index.js";
import { git, gitTree } from "../helpers/git-repo.js";
import { orchWorld } from "../helpers/orchestrator.js";
import { REPO_ROOT } from "../helpers/temp.js";

// Inside the repository (lib/ is ignored) so the bundle resolves PGlite from node_modules.
const harness = join(REPO_ROOT, "lib", `.orchestrate-harness-${process.pid}.mjs`);
beforeAll(async () => {
  await build({
    entryPoints: [join(REPO_ROOT, "test/helpers/orchestrate-harness.ts")],
    outfile: harness,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
});
afterAll(async () => {
  await rm(harness, { force: true });
});

const PHASES = [
  "source-pin",
  "mark",
  "cut-plan",
  "backup",
  "grant-probe",
  "cut-leg-a",
  "structural-verify",
  "leg-b-record",
  "write-verify",
  "lifecycle-enact",
];
const STAGES = ["applied", "uploaded", "recorded"];

describe("SIGKILL in every phase, then resume", () => {
  test("the run finishes with the same keys and docs: no duplicate doc, no rewritten file", async () => {
    await using w = await orchWorld();
    const child = (mode: string, runId: string, crashAt: string) =>
      execa(process.execPath, [harness, w.root, w.kb, mode, runId, crashAt], {
        env: { PATH: process.env.PATH },
        extendEnv: false,
        reject: false,
      });
    let runId = "-";
    const keysSeen = new Map<string, string>();
    const blobsSeen = new Map<string, string>();
    const remember = async () => {
      if (runId === "-") return;
      for (const s of (await readRunContext(w.root, runId)).steps) if (s.key) keysSeen.set(s.name, s.key);
      for (const [path, blob] of await gitTree(w.kb, "main")) blobsSeen.set(path, blob);
    };
    for (const [i, phase] of PHASES.entries()) {
      const crashAt = `${phase}:${STAGES[i % STAGES.length]}`;
      const killed = await child(runId === "-" ? "start" : "resume", runId, crashAt);
      expect(killed.signal, `${crashAt}: ${killed.stderr}`).toBe("SIGKILL");
      if (runId === "-") runId = (await listRunIds(w.root))[0] ?? "-";
      await remember();
      // After the kill, resume until the next gate or the next phase's crash point.
      if (phase === "grant-probe" || phase === "write-verify") {
        const waiting = await child("resume", runId, "none");
        expect(waiting.exitCode, waiting.stderr).toBe(0);
        const status = JSON.parse(waiting.stdout) as { state: string; request_path: string };
        expect(status.state).toBe("waiting_gate");
        await approveLocalRequest({
          root: w.root,
          kb: w.kb,
          requestPath: status.request_path,
          keyPath: w.keys.alice,
        });
      }
    }
    const done = await child("resume", runId, "none");
    expect(done.exitCode, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ state: "complete" });

    const run = await readRunContext(w.root, runId);
    const phaseSteps = run.steps.filter((s) => s.kind === "phase");
    validateKeyChain(
      run.subject_id,
      run.source_version_id,
      phaseSteps.map((s) => ({ name: s.name, key: String(s.key), payload_sha: String(s.payload_sha) })),
    );
    for (const [name, key] of keysSeen) expect(phaseSteps.find((s) => s.name === name)?.key, name).toBe(key);
    const tree = await gitTree(w.kb, "main");
    for (const [path, blob] of blobsSeen)
      if (!path.endsWith("runs.md")) expect(tree.get(path), path).toBe(blob);
    const docs = [...tree.keys()].filter((p) => p.startsWith(`${run.kb_folder}/`) && p.endsWith(".md"));
    expect(docs).toHaveLength(PHASES.length + 2 + 1);
    // Every doc was added exactly once and never modified.
    const log = await git(w.kb, ["log", "--name-status", "--format=", "main"]);
    const changes = log.split("\n").filter((l) => l.includes(run.kb_folder) && l.endsWith(".md"));
    expect(changes.every((l) => l.startsWith("A\t"))).toBe(true);
    expect(changes).toHaveLength(docs.length);
    expect(await listRunIds(w.root)).toEqual([runId]);
  }, 900_000);
});
