import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createLogger, type Mode, type Spawn, spawnProcess } from "../../src/core/index.js";
import { createAdapterFactory, runProcessor } from "../../src/run/index.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const HI = '{"schema":"v1","params":{"messages":[{"role":"user","content":"hi"}]}}';

/** One real local run; our NDJSON and the processor's forwarded lines, parsed. */
async function run(options: { inputsJson?: string; level?: string; mode?: Mode; repoScope?: string | null }) {
  await using dir = await tempDir();
  const ours: string[] = [];
  const forwarded: string[] = [];
  const childLevels: (string | undefined)[] = [];
  const spawn: Spawn = (request) => {
    childLevels.push(request.env.SIGIL_LOG_LEVEL);
    return spawnProcess(request);
  };
  const outcome = await runProcessor(
    {
      ref: "llm/litellm@1",
      adapter: "local",
      ...(options.mode ? { mode: options.mode } : {}),
      inputsJson: options.inputsJson ?? HI,
      world: join(dir.path, "w"),
      lane: "dev",
    },
    {
      repoRoot: REPO_ROOT,
      registryDir: join(REPO_ROOT, "registry/processors"),
      ...(options.repoScope === null ? {} : { repoScope: options.repoScope ?? "sigil-zero/sigil-zero" }),
      cwd: dir.path,
      env: { PATH: process.env.PATH },
      logger: createLogger({
        level: options.level ?? "info",
        destination: { write: (l: string) => ours.push(...l.split("\n").filter(Boolean)) },
      }),
      adapters: createAdapterFactory({
        repoRoot: REPO_ROOT,
        spawn,
        onProcessorLog: (l) => forwarded.push(l),
      }),
    },
  );
  const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { outcome, ours: parse(ours), forwarded: parse(forwarded), childLevels };
}

describe("log events carry the fields the README promises", () => {
  test("the processor's own lines carry adapter and mode; every event has mode", async () => {
    const { outcome, ours, forwarded } = await run({ mode: "mock" });
    expect(outcome.envelope.status).toBe("success");
    expect(forwarded.map((r) => r.event)).toContain("processor.start");
    for (const record of [...ours, ...forwarded]) {
      expect(record).toMatchObject({ adapter: "local", mode: "mock", processor_ref: "llm/litellm@1" });
    }
  });

  test("execution.start is logged even when the payload is invalid, with what is known", async () => {
    const { outcome, ours } = await run({ inputsJson: '{"schema":"v1",', mode: "mock" });
    expect(outcome.envelope).toMatchObject({ status: "error", error: { code: "ERR_INPUTS" } });
    expect(ours.map((r) => r.event)).toEqual(["execution.start", "execution.settle"]);
    for (const record of ours) expect(record).toMatchObject({ adapter: "local", mode: "mock" });
    expect(ours[0]).not.toHaveProperty("inputs_hash");
  });

  test("without --mode, an invalid payload's events say mode null rather than guessing", async () => {
    const { ours } = await run({ inputsJson: "[]" });
    expect(ours.map((r) => r.event)).toEqual(["execution.start", "execution.settle"]);
    for (const record of ours) expect(record.mode).toBeNull();
  });
});

describe("SIGIL_LOG_LEVEL governs the processor's own lines too", () => {
  test("silent: neither side writes a line", async () => {
    const { outcome, ours, forwarded, childLevels } = await run({ level: "silent" });
    expect(outcome.envelope.status).toBe("success");
    // The processor is told, so it does not even write them (processors/_runtime/log.py).
    expect(childLevels).toEqual(["silent"]);
    expect(ours).toEqual([]);
    expect(forwarded).toEqual([]);
  });

  test("warn: no info line from either side", async () => {
    const { outcome, ours, forwarded } = await run({ level: "warn" });
    expect(outcome.envelope.status).toBe("success");
    expect([...ours, ...forwarded]).toEqual([]);
  });

  test("an unknown repository scope in the dev lane is a warning line, never silent", async () => {
    const { outcome, ours } = await run({ level: "warn", repoScope: null });
    expect(outcome.envelope.status).toBe("success");
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ level: "warn", event: "registry.scope_unknown", mode: "mock" });
    expect(String(ours[0]?.msg)).toContain("pass --repo <owner/name> or set GITHUB_REPOSITORY");
  });
});
