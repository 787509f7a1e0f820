import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import type { Envelope } from "../../src/core/index.js";
import { ndjson } from "../helpers/cli.js";
import { processAlive } from "../helpers/process.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

// bin/sigil.cjs pre-starts python3 for `sigil run`; the local adapter adopts it or kills it.
// Every process of one test carries a unique, harmless PATH entry: the test finds them by it.

const SOURCE = "test/fixtures/processors/introspect";

async function registryWith(
  dir: string,
  entrypoint: string[],
  source = SOURCE,
  timeout = 60,
): Promise<string> {
  const registry = join(dir, "registry");
  await mkdir(registry, { recursive: true });
  await writeFile(
    join(registry, "introspect.yaml"),
    `ref: test/introspect@1\nimage: ghcr.io/sigil-zero/sigil-zero/test-introspect:dev\nsource: ${source}\nentrypoint: ${JSON.stringify(entrypoint)}\ntimeout_s: ${timeout}\n`,
  );
  return registry;
}

function sigil(cwd: string, marker: string, args: string[], extraEnv: Record<string, string> = {}) {
  return execa(process.execPath, [join(REPO_ROOT, "bin/sigil.cjs"), ...args], {
    cwd,
    env: { PATH: `${process.env.PATH}:${marker}`, SIGIL_LOG_LEVEL: "debug", ...extraEnv },
    extendEnv: false,
    reject: false,
  });
}

function runArgs(registry: string, world: string, ref = "test/introspect@1"): string[] {
  return ["run", "--ref", ref, "--root", REPO_ROOT, "--registry", registry, "--world", world, "--json"];
}

/** Live processes whose environment holds `marker`. */
async function markedProcesses(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, "latin1").catch(() => "");
    if (environ.includes(marker) && (await processAlive(Number(name)))) found.push(Number(name));
  }
  return found;
}

/** Waits until no process carries `marker` (a killed process takes a moment to go). */
async function untilNoneLeft(marker: string): Promise<number[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const left = await markedProcesses(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function prewarmEvents(stderr: string): Record<string, unknown>[] {
  return ndjson(stderr).filter((record) => record.event === "adapter.prewarm");
}

/** What the fixture saw, without what differs between any two runs (ids, the inputs' temp dir). */
function reportOf(stderr: string, envelope: Envelope): Record<string, Record<string, unknown>> {
  const line = ndjson(stderr).find((record) => record.event === "introspect");
  expect(line, stderr).toBeDefined();
  const text = JSON.stringify(line?.report)
    .replaceAll(envelope.execution_id, "<id>")
    .replace(/sigil-inputs-[A-Za-z0-9]+/g, "sigil-inputs-<tmp>");
  return JSON.parse(text);
}

function tracebackOf(envelope: Envelope): string {
  if (envelope.status !== "error") throw new Error("expected the fixture's crash");
  const message = envelope.error.message;
  return message.slice(message.indexOf("Traceback"), message.lastIndexOf("\n[sha256"));
}

describe("a pre-started interpreter", () => {
  test.each([
    ["a script", ["python3", "introspect.py"]],
    ["a module", ["python3", "-m", "introspect"]],
  ])(
    "%s sees exactly what a direct spawn gives it: env, argv, cwd, sys.path, __main__, fds, traceback",
    async (_label, entrypoint) => {
      await using dir = await tempDir();
      const marker = `/nonexistent/sigil-prewarm-${randomUUID()}`;
      const registry = await registryWith(dir.path, entrypoint);
      const world = join(dir.path, "w");
      // A secret in the CLI's environment reaches neither (mock mode): the warm one starts without it.
      const secret = { OPENAI_API_KEY: "sk-test-PLANTED0123456789abcdef" };
      const warm = await sigil(dir.path, marker, runArgs(registry, world), secret);
      const direct = await sigil(dir.path, marker, runArgs(registry, world), {
        ...secret,
        SIGIL_NO_PREWARM: "1",
      });
      expect(prewarmEvents(warm.stderr)).toEqual([expect.objectContaining({ adopted: true })]);
      expect(prewarmEvents(direct.stderr)).toEqual([]);
      expect(warm.exitCode).toBe(direct.exitCode);
      const warmEnvelope = JSON.parse(warm.stdout) as Envelope;
      const directEnvelope = JSON.parse(direct.stdout) as Envelope;
      expect(warmEnvelope).toMatchObject({ status: "error", error: { code: "ERR_ADAPTER_INVOCATION" } });
      const seen = reportOf(warm.stderr, warmEnvelope);
      expect(seen).toEqual(reportOf(direct.stderr, directEnvelope));
      expect(seen.env?.PYTHONHASHSEED).toBe("0");
      expect(seen.env?.SIGIL_PROCESSOR_REF).toBe("test/introspect@1");
      expect(JSON.stringify(seen)).not.toContain("PLANTED");
      expect(tracebackOf(warmEnvelope)).toContain("RuntimeError: introspected");
      expect(tracebackOf(warmEnvelope)).toBe(tracebackOf(directEnvelope));
      expect(await untilNoneLeft(marker)).toEqual([]);
    },
    60_000,
  );

  test("an entrypoint it cannot stand for is spawned as always, and the warm interpreter is reaped", async () => {
    await using dir = await tempDir();
    const marker = `/nonexistent/sigil-prewarm-${randomUUID()}`;
    const registry = await registryWith(dir.path, ["python3", "-u", "introspect.py"]);
    const run = await sigil(dir.path, marker, runArgs(registry, join(dir.path, "w")));
    expect(prewarmEvents(run.stderr)).toEqual([
      expect.objectContaining({ adopted: false, reason: expect.stringContaining("neither") }),
    ]);
    expect(ndjson(run.stderr).some((record) => record.event === "introspect")).toBe(true);
    expect(await untilNoneLeft(marker)).toEqual([]);
  }, 60_000);

  test("a run that fails before its processor starts leaves no interpreter behind", async () => {
    await using dir = await tempDir();
    const marker = `/nonexistent/sigil-prewarm-${randomUUID()}`;
    const registry = await registryWith(dir.path, ["python3", "introspect.py"]);
    const run = await sigil(dir.path, marker, runArgs(registry, join(dir.path, "w"), "test/missing@1"));
    expect(run.exitCode).not.toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "error" });
    expect(await untilNoneLeft(marker)).toEqual([]);
  }, 60_000);

  test("SIGIL_NO_PREWARM=1 starts no interpreter before the processor", async () => {
    await using dir = await tempDir();
    const marker = `/nonexistent/sigil-prewarm-${randomUUID()}`;
    const registry = await registryWith(dir.path, ["python3", "introspect.py"]);
    const direct = await sigil(dir.path, marker, runArgs(registry, join(dir.path, "w")), {
      SIGIL_NO_PREWARM: "1",
    });
    expect(prewarmEvents(direct.stderr)).toEqual([]);
    expect(ndjson(direct.stderr).some((record) => record.event === "introspect")).toBe(true);
  }, 60_000);

  test("a hanging processor in the warm interpreter times out and its tree is killed", async () => {
    await using dir = await tempDir();
    const marker = `/nonexistent/sigil-prewarm-${randomUUID()}`;
    const registry = await registryWith(dir.path, ["python3", "main.py"], "test/fixtures/processors/hang", 3);
    const run = await sigil(dir.path, marker, runArgs(registry, join(dir.path, "w")));
    expect(prewarmEvents(run.stderr)).toEqual([expect.objectContaining({ adopted: true })]);
    const envelope = JSON.parse(run.stdout) as Envelope;
    expect(envelope).toMatchObject({ status: "error", error: { code: "ERR_TIMEOUT" } });
    if (envelope.status === "error") expect(envelope.error.message).toContain("last words before the hang");
    expect(await untilNoneLeft(marker)).toEqual([]);
  }, 60_000);

  test("SIGTERM during a warm run: ERR_INTERRUPTED, exit 143, nothing left running", async () => {
    await using dir = await tempDir();
    const marker = `/nonexistent/sigil-prewarm-${randomUUID()}`;
    const registry = await registryWith(
      dir.path,
      ["python3", "main.py"],
      "test/fixtures/processors/hang",
      600,
    );
    const child = sigil(dir.path, marker, runArgs(registry, join(dir.path, "w")));
    await new Promise<void>((resolve) => {
      let seen = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("last words before the hang")) resolve();
      });
    });
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect(prewarmEvents(result.stderr)).toEqual([expect.objectContaining({ adopted: true })]);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "error", error: { code: "ERR_INTERRUPTED" } });
    expect(await untilNoneLeft(marker)).toEqual([]);
  }, 60_000);

  test.each(["SIGTERM", "SIGKILL"] as const)(
    "%s as soon as the warm interpreter exists: it does not outlive the CLI",
    async (signal) => {
      await using dir = await tempDir();
      const marker = `/nonexistent/sigil-prewarm-${randomUUID()}`;
      const registry = await registryWith(dir.path, ["python3", "introspect.py"]);
      const child = sigil(dir.path, marker, runArgs(registry, join(dir.path, "w")));
      const cli = child.pid ?? 0;
      const deadline = Date.now() + 20_000;
      while ((await markedProcesses(marker)).every((pid) => pid === cli) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill(signal);
      await child;
      expect(await untilNoneLeft(marker)).toEqual([]);
    },
    60_000,
  );
});
