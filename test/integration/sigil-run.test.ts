import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import {
  createLogger,
  type Envelope,
  parseJsonStrict,
  Receipt,
  type Spawn,
  stableReceiptFields,
} from "../../src/core/index.js";
import { createAdapterFactory, runProcessor } from "../../src/run/index.js";
import { ndjson, runCli, runSigilProcess } from "../helpers/cli.js";
import { processAlive } from "../helpers/process.js";
import { exists, REPO_ROOT, snapshotTree, tempDir } from "../helpers/temp.js";

const HI = '{"schema":"v1","params":{"messages":[{"role":"user","content":"hi"}]}}';
const FIXTURES = join(REPO_ROOT, "test/fixtures/registry");
const PLANTED = "sk-test-PLANTED0123456789abcdef";

function runArgs(world: string, extra: string[] = []): string[] {
  return ["run", "--ref", "llm/litellm@1", "--root", REPO_ROOT, "--world", world, "--json", ...extra];
}

function envelopeOf(stdout: string): Envelope {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? "") as Envelope;
}

async function receiptAt(world: string, envelope: Envelope): Promise<Receipt> {
  const index = envelope.status === "success" ? envelope.index_path : "";
  const prefix = join(world, index.replace(/^world:\/\//, "").replace(/\/outputs\.json$/, ""));
  return Receipt.parse(parseJsonStrict(await readFile(join(prefix, "receipt.json"), "utf8")));
}

describe("sigil run --adapter local --mode mock", () => {
  test("prints one success envelope, writes outputs, index and dual receipts, logs each lifecycle event once", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "artifacts");
    const run = await runCli(
      runArgs(world, [
        "--mode",
        "mock",
        "--inputs-json",
        HI,
        "--write-prefix",
        `${world}/outputs/demo/{execution_id}/`,
      ]),
      { cwd: dir.path },
    );
    expect(run.code).toBe(0);
    const envelope = envelopeOf(run.stdout);
    if (envelope.status !== "success") throw new Error(run.stdout);
    const id = envelope.execution_id;
    expect(envelope.outputs.map((o) => o.path)).toEqual([
      `world://outputs/demo/${id}/outputs/response.json`,
      `world://outputs/demo/${id}/outputs/response.txt`,
    ]);
    expect(envelope.index_path).toBe(`world://outputs/demo/${id}/outputs.json`);
    expect(envelope.meta.image_digest).toMatch(/^source:sha256:[0-9a-f]{64}$/);
    expect(envelope.meta.env_fingerprint).toBe(`cpu=1;image=${envelope.meta.image_digest};memory=2Gi`);

    const prefix = join(world, "outputs/demo", id);
    expect(await readFile(join(prefix, "outputs/response.txt"), "utf8")).toBe("[mock] hi");
    const receipt = await readFile(join(prefix, "receipt.json"));
    expect(receipt.equals(await readFile(join(world, "execution", id, "determinism.json")))).toBe(true);
    const parsed = Receipt.parse(JSON.parse(receipt.toString()));
    expect(parsed).toMatchObject({
      execution_id: id,
      processor_ref: "llm/litellm@1",
      mode: "mock",
      usage: {},
    });
    expect(typeof parsed.processor_info).toBe("string");
    const index = JSON.parse(await readFile(join(prefix, "outputs.json"), "utf8"));
    expect(index).toEqual(parsed.outputs_index);
    expect(index.map((e: { path: string }) => e.path)).toEqual([
      "outputs/response.json",
      "outputs/response.txt",
    ]);

    const events = ndjson(run.stderr).map((r) => r.event);
    const lifecycle = [
      "execution.start",
      "adapter.invoke.start",
      "processor.start",
      "provider.call",
      "provider.response",
      "processor.outputs",
      "processor.receipt",
      "adapter.invoke.complete",
      "execution.settle",
    ];
    expect(events.filter((e) => lifecycle.includes(String(e)))).toEqual(lifecycle);
    for (const record of ndjson(run.stderr)) {
      expect(record.trace_id).toBe(id);
      expect(record.processor_ref).toBe("llm/litellm@1");
      expect(record.mode).toBe("mock");
      expect(record.adapter).toBe("local");
    }
  });

  test("two mock runs: identical outputs, index and stable receipt fields; different execution ids", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "artifacts");
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const run = await runCli(runArgs(world, ["--mode", "mock", "--inputs-json", HI]), { cwd: dir.path });
      expect(run.code).toBe(0);
      runs.push(envelopeOf(run.stdout));
    }
    const [a, b] = runs as [Envelope, Envelope];
    expect(a.execution_id).not.toBe(b.execution_id);
    const prefixOf = (e: Envelope) => join(world, "outputs/llm-litellm-v1", e.execution_id);
    const [ta, tb] = [
      await snapshotTree(join(prefixOf(a), "outputs")),
      await snapshotTree(join(prefixOf(b), "outputs")),
    ];
    expect([...ta.keys()]).toEqual([...tb.keys()]);
    for (const [path, bytes] of ta) expect(bytes.equals(tb.get(path) ?? Buffer.alloc(0))).toBe(true);
    const [ia, ib] = [
      await readFile(join(prefixOf(a), "outputs.json")),
      await readFile(join(prefixOf(b), "outputs.json")),
    ];
    expect(ia.equals(ib)).toBe(true);
    expect(stableReceiptFields(await receiptAt(world, a))).toEqual(
      stableReceiptFields(await receiptAt(world, b)),
    );
  });

  test("the replicate processor runs too, byte-stable", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "artifacts");
    const args = [
      "run",
      "--ref",
      "vision/replicate@1",
      "--root",
      REPO_ROOT,
      "--world",
      world,
      "--json",
      "--inputs-json",
      '{"schema":"v1","params":{"prompt":"a red fox"}}',
    ];
    const [a, b] = [await runCli(args, { cwd: dir.path }), await runCli(args, { cwd: dir.path })];
    expect([a.code, b.code]).toEqual([0, 0]);
    const [ra, rb] = [
      await receiptAt(world, envelopeOf(a.stdout)),
      await receiptAt(world, envelopeOf(b.stdout)),
    ];
    expect(ra.outputs_index.map((o) => o.path)).toEqual(["outputs/image.png", "outputs/prediction.json"]);
    expect(ra.outputs_index).toEqual(rb.outputs_index);
  });
});

describe("refusals", () => {
  test("CI=true with --mode real: ERR_CI_SAFETY, non-zero exit, no process spawned, nothing written", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "artifacts");
    const spawned: string[] = [];
    const spy: Spawn = async (request) => {
      spawned.push(request.file);
      throw new Error("must not spawn");
    };
    const lines: string[] = [];
    const outcome = await runProcessor(
      { ref: "llm/litellm@1", adapter: "local", mode: "real", inputsJson: HI, world, lane: "dev" },
      {
        repoRoot: REPO_ROOT,
        registryDir: join(REPO_ROOT, "registry/processors"),
        cwd: dir.path,
        env: { CI: "true", OPENAI_API_KEY: PLANTED },
        logger: createLogger({ destination: { write: (l: string) => lines.push(l) } }),
        adapters: createAdapterFactory({ repoRoot: REPO_ROOT, spawn: spy }),
      },
    );
    expect(outcome.envelope.status).toBe("error");
    if (outcome.envelope.status !== "error") return;
    expect(outcome.envelope.error.code).toBe("ERR_CI_SAFETY");
    expect(outcome.envelope.error.message).toContain("Refusing to run mode=real in CI");
    expect(spawned).toEqual([]);
    expect(await exists(world)).toBe(false);

    const cli = await runCli(runArgs(world, ["--mode", "real", "--inputs-json", HI]), {
      cwd: dir.path,
      env: { PATH: process.env.PATH, CI: "true" },
    });
    expect(cli.code).toBe(1);
    expect(envelopeOf(cli.stdout)).toMatchObject({ status: "error", error: { code: "ERR_CI_SAFETY" } });
    expect(await exists(world)).toBe(false);
    expect(lines.join("")).not.toContain(PLANTED);
  });

  test.each([
    ["bad JSON", '{"schema":"v1",'],
    ["wrong schema", '{"schema":"v2"}'],
    ["unknown mode", '{"schema":"v1","mode":"smoke"}'],
    ["non-object params", '{"schema":"v1","params":[1]}'],
    ["duplicate keys", '{"schema":"v1","params":{},"params":{}}'],
    ["oversized payload", `{"schema":"v1","params":{"x":"${"a".repeat(1_100_000)}"}}`],
    ["mode contradicting --mode", '{"schema":"v1","mode":"real"}'],
  ])("%s: ERR_INPUTS, exit 1, nothing written", async (_name, inputs) => {
    await using dir = await tempDir();
    const world = join(dir.path, "artifacts");
    const run = await runCli(runArgs(world, ["--mode", "mock", "--inputs-json", inputs]), { cwd: dir.path });
    expect(run.code).toBe(1);
    const envelope = envelopeOf(run.stdout);
    expect(envelope).toMatchObject({ status: "error", error: { code: "ERR_INPUTS" } });
    if (envelope.status === "error") expect(envelope.error.message).toContain("invalid inputs payload");
    expect(await exists(world)).toBe(false);
  });

  test.each([
    [
      "a parent escape",
      [["outputs/../x.txt", "x"]],
      "ERR_OUTPUT_PATH",
      "output path escapes the write prefix",
    ],
    [
      "an absolute path",
      [["/tmp/sigil-escape.txt", "x"]],
      "ERR_OUTPUT_PATH",
      "output path escapes the write prefix",
    ],
    [
      "a path outside outputs/",
      [["receipt.json", "x"]],
      "ERR_OUTPUT_PATH",
      "output path escapes the write prefix",
    ],
    [
      "paths equal after case folding",
      [
        ["outputs/A.txt", "1"],
        ["outputs/a.txt", "2"],
      ],
      "ERR_OUTPUT_DUPLICATE",
      "duplicate output after canonicalization",
    ],
    [
      "paths equal after normalization",
      [
        ["outputs/x/../b.txt", "1"],
        ["outputs/b.txt", "2"],
      ],
      "ERR_OUTPUT_PATH",
      "output path escapes the write prefix",
    ],
  ])(
    "a provider returning %s is refused, and nothing lands outside the prefix",
    async (_name, outputs, code, fragment) => {
      await using dir = await tempDir();
      const world = join(dir.path, "artifacts");
      const inputs = JSON.stringify({ schema: "v1", params: { outputs } });
      const run = await runCli(
        [
          "run",
          "--ref",
          "test/echo@1",
          "--root",
          REPO_ROOT,
          "--registry",
          FIXTURES,
          "--world",
          world,
          "--json",
          "--inputs-json",
          inputs,
        ],
        { cwd: dir.path },
      );
      expect(run.code).toBe(1);
      const envelope = envelopeOf(run.stdout);
      expect(envelope).toMatchObject({ status: "error", error: { code } });
      if (envelope.status === "error") expect(envelope.error.message).toContain(fragment);
      const files = [...(await snapshotTree(dir.path)).keys()];
      expect(files).toEqual([]);
      expect(await exists("/tmp/sigil-escape.txt")).toBe(false);
    },
  );

  test("a hanging processor: ERR_TIMEOUT near its limit, killed, with a bounded tail carrying a sha256", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "w");
    const started = Date.now();
    const run = await runCli(
      [
        "run",
        "--ref",
        "test/hang@1",
        "--root",
        REPO_ROOT,
        "--registry",
        FIXTURES,
        "--world",
        world,
        "--json",
      ],
      { cwd: dir.path },
    );
    const elapsed = Date.now() - started;
    expect(run.code).toBe(1);
    const envelope = envelopeOf(run.stdout);
    if (envelope.status !== "error") throw new Error("expected an error");
    expect(envelope.error.code).toBe("ERR_TIMEOUT");
    expect(envelope.error.message).toContain("timed out");
    // The fixture marks that its stderr was flushed before the deadline; without the mark the
    // machine was too busy to start Python in 3 s, which is not what this test is about.
    const marks = [...(await snapshotTree(world)).keys()].filter((p) => p.endsWith("stderr-flushed"));
    expect(marks, "the fixture flushed its stderr before the deadline").toHaveLength(1);
    expect(envelope.error.message).toMatch(/sha256 [0-9a-f]{64}, 2000\d\d bytes, truncated/);
    expect(envelope.error.message).toContain("last words before the hang");
    expect(envelope.error.message.length).toBeLessThan(12_000);
    expect(elapsed).toBeLessThan(3000 + 15_000);
    // Killed, not abandoned: no process still runs with this test's write prefix.
    const { stdout: ps } = await execa("ps", ["-eo", "args"]);
    expect(ps).not.toContain(world);
  }, 60_000);

  test("a timeout ends the whole process tree: ERR_TIMEOUT near the limit, the grandchild gone", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "w");
    const started = Date.now();
    const run = await runCli(
      [
        "run",
        "--ref",
        "test/hang-tree@1",
        "--root",
        REPO_ROOT,
        "--registry",
        FIXTURES,
        "--world",
        world,
        "--json",
      ],
      { cwd: dir.path },
    );
    // The grandchild sleeps 37 s holding the pipes; the limit is 2 s.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(envelopeOf(run.stdout)).toMatchObject({ status: "error", error: { code: "ERR_TIMEOUT" } });
    const pidFiles = [...(await snapshotTree(world)).entries()].filter(([p]) => p.endsWith("grandchild.pid"));
    expect(pidFiles).toHaveLength(1);
    const pid = Number(pidFiles[0]?.[1].toString());
    expect(pid).toBeGreaterThan(0);
    expect(await processAlive(pid)).toBe(false);
  }, 60_000);

  test("real mode without its secret: ERR_MISSING_SECRET naming the variable", async () => {
    await using dir = await tempDir();
    const run = await runCli(runArgs(join(dir.path, "w"), ["--mode", "real", "--inputs-json", HI]), {
      cwd: dir.path,
    });
    expect(run.code).toBe(1);
    const envelope = envelopeOf(run.stdout);
    expect(envelope).toMatchObject({ status: "error", error: { code: "ERR_MISSING_SECRET" } });
    if (envelope.status === "error")
      expect(envelope.error.message).toMatch(/missing required secret.*OPENAI_API_KEY/);
  });

  test.each([
    ["an unknown ref", ["--ref", "llm/nope@1"], "ERR_UNKNOWN_PROCESSOR"],
    ["a tag in the main lane", ["--lane", "main", "--repo", "sigil-zero/sigil-zero"], "ERR_IMAGE_UNPINNED"],
    ["an unknown repository in the staging lane", ["--lane", "staging"], "ERR_REGISTRY_MISMATCH"],
    ["an image outside the repo scope", ["--repo", "someone/else"], "ERR_REGISTRY_MISMATCH"],
    ["--image-override outside dev", ["--lane", "pr", "--image-override", "ghcr.io/x/y/z:1"], "ERR_USAGE"],
    [
      "the modal adapter in the PR lane (it runs locally)",
      ["--adapter", "modal", "--lane", "pr"],
      "ERR_USAGE",
    ],
  ])("%s is refused before anything runs", async (_name, extra, code) => {
    await using dir = await tempDir();
    const world = join(dir.path, "w");
    const run = await runCli([...runArgs(world), ...extra], { cwd: dir.path });
    // A command-line mistake exits 2, every other refusal 1; both print an envelope.
    expect(run.code).toBe(code === "ERR_USAGE" ? 2 : 1);
    expect(envelopeOf(run.stdout)).toMatchObject({ status: "error", error: { code } });
    expect(await exists(world)).toBe(false);
  });
});

describe("secrets never leak", () => {
  test.each([
    ["a mock run", ["--mode", "mock"], 0],
    ["a real run that fails in the provider", ["--mode", "real"], 1],
    ["a CI refusal", ["--mode", "real"], 1],
  ])("%s: the planted key appears in no byte of stdout, stderr or the world", async (name, extra, code) => {
    await using dir = await tempDir();
    const world = join(dir.path, "artifacts");
    const env = {
      PATH: process.env.PATH,
      OPENAI_API_KEY: PLANTED,
      ...(name === "a CI refusal" ? { CI: "true" } : {}),
    };
    const run = await runCli(runArgs(world, [...extra, "--inputs-json", HI]), {
      cwd: dir.path,
      env,
    });
    expect(run.code).toBe(code);
    expect(run.stdout).not.toContain(PLANTED);
    expect(run.stderr).not.toContain(PLANTED);
    expect(run.stdout).not.toContain("PLANTED0123");
    for (const [path, bytes] of await snapshotTree(world)) {
      expect(bytes.includes(PLANTED), path).toBe(false);
    }
  });
});

describe("the sigil executable", () => {
  test.each([
    ["success", ["--inputs-json", HI], 0],
    ["an inputs error", ["--inputs-json", "nope"], 1],
    ["an unknown flag", ["--bogus"], 2],
    ["a bad --mode value", ["--mode", "smoke"], 2],
  ])("--json stdout is exactly one JSON value on %s", async (_name, extra, code) => {
    await using dir = await tempDir();
    const run = await runSigilProcess(runArgs(join(dir.path, "w"), extra), { cwd: dir.path });
    expect(run.code).toBe(code);
    const value = JSON.parse(run.stdout);
    expect(["success", "error"]).toContain(value.status);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    for (const line of run.stderr.split("\n").filter(Boolean)) {
      if (line.startsWith("{")) expect(() => JSON.parse(line)).not.toThrow();
    }
  });

  test("--help documents every flag of sigil run", async () => {
    await using dir = await tempDir();
    const run = await runSigilProcess(["run", "--help"], { cwd: dir.path });
    expect(run.code).toBe(0);
    for (const flag of [
      "--ref",
      "--adapter",
      "--mode",
      "--inputs-json",
      "--inputs-file",
      "--world",
      "--write-prefix",
      "--json",
      "--lane",
      "--build",
      "--image-override",
      "--registry",
      "--root",
      "--repo",
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  test("human output names the envelope's folder and receipt", async () => {
    await using dir = await tempDir();
    const run = await runCli(["run", "--ref", "llm/litellm@1", "--root", REPO_ROOT, "--inputs-json", HI], {
      cwd: dir.path,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✔ success/);
    expect(run.stdout).toMatch(/receipt\s+artifacts\/outputs\/llm-litellm-v1\/[0-9a-f-]+\/receipt\.json/);
  });

  test("two concurrent runs on one fixed --write-prefix: exactly one runs, the other is refused and writes nothing", async () => {
    await using dir = await tempDir();
    const world = join(dir.path, "w");
    const args = runArgs(world, [
      "--mode",
      "mock",
      "--inputs-json",
      HI,
      "--write-prefix",
      `${world}/outputs/fixed`,
    ]);
    const runs = await Promise.all([
      runSigilProcess(args, { cwd: dir.path }),
      runSigilProcess(args, { cwd: dir.path }),
    ]);
    const envelopes = runs.map((r) => envelopeOf(r.stdout));
    const winners = envelopes.filter((e) => e.status === "success");
    const losers = envelopes.filter((e) => e.status === "error");
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const [winner, loser] = [winners[0] as Envelope, losers[0] as Envelope];
    if (loser.status !== "error") throw new Error("unreachable");
    expect(loser.error.code).toBe("ERR_WRITE_PREFIX_TAKEN");
    expect(loser.error.message).toContain("write prefix already in use");
    // The winner's files are all there and are the winner's; the loser left no receipt twin.
    const receipt = await receiptAt(world, winner);
    expect(receipt.execution_id).toBe(winner.execution_id);
    const index = JSON.parse(await readFile(join(world, "outputs/fixed/outputs.json"), "utf8"));
    expect(index).toEqual(receipt.outputs_index);
    expect([...(await snapshotTree(join(world, "execution"))).keys()]).toEqual([
      `${winner.execution_id}/determinism.json`,
    ]);
  }, 60_000);

  test("invalid UTF-8 in --inputs-file is ERR_INPUTS, not a silent U+FFFD", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "inputs.json");
    await writeFile(
      file,
      Buffer.concat([Buffer.from('{"schema":"v1","params":{"x":"'), Buffer.from([0xff]), Buffer.from('"}}')]),
    );
    const world = join(dir.path, "w");
    const run = await runCli(runArgs(world, ["--inputs-file", file]), { cwd: dir.path });
    expect(run.code).toBe(1);
    const envelope = envelopeOf(run.stdout);
    expect(envelope).toMatchObject({ status: "error", error: { code: "ERR_INPUTS" } });
    if (envelope.status === "error") expect(envelope.error.message).toContain("not valid UTF-8");
    expect(await exists(world)).toBe(false);
  });

  test("--inputs-file - reads the payload from stdin", async () => {
    await using dir = await tempDir();
    const run = await runCli(runArgs(join(dir.path, "w"), ["--inputs-file", "-"]), {
      cwd: dir.path,
      stdin: HI,
    });
    expect(run.code).toBe(0);
  });
});
