import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalize, type RegistryEntry, sha256Hex, silentLogger } from "../../../src/core/index.js";
import type { ModalFunctionTarget, ModalTransport } from "../../../src/modal/index.js";
import { createAdapterFactory, type InvokeRequest } from "../../../src/run/index.js";
import { tempDir } from "../../helpers/temp.js";

const EXECUTION_ID = "0190a5b0-0000-7000-8000-000000000001";
const FINGERPRINT = "cpu=1;image=sha256:aa;memory=2Gi";
const entry: RegistryEntry = {
  ref: "llm/litellm@1",
  image: `ghcr.io/o/r/llm-litellm@sha256:${"a".repeat(64)}`,
  platforms: ["linux/amd64"],
  source: "processors/llm/litellm",
  entrypoint: ["python3", "main.py"],
  secrets: ["OPENAI_API_KEY"],
  timeout_s: 30,
  resources: { cpu: 1, memory: "2Gi" },
};

function request(world: string, mode: "mock" | "real" = "mock"): InvokeRequest {
  const worldPrefix = `outputs/demo/${EXECUTION_ID}`;
  return {
    plan_id: EXECUTION_ID,
    processor_ref: entry.ref,
    entry,
    write_prefix: join(world, worldPrefix),
    world_prefix: worldPrefix,
    world_root: world,
    inputs_json: canonicalize({ schema: "v1", params: {}, files: {}, mode }),
    mode,
    execution_id: EXECUTION_ID,
    image_digest: `sha256:${"a".repeat(64)}`,
    env_fingerprint: FINGERPRINT,
    secrets: {},
    logger: silentLogger,
  };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** What a well-behaved deployed function returns for one output file. */
function successResult(prefix: string, body = "hello") {
  const index = JSON.stringify([
    { path: "outputs/reply.txt", sha256: sha256Hex(body), bytes: Buffer.byteLength(body) },
  ]);
  return {
    status: "success",
    execution_id: EXECUTION_ID,
    files: [
      { path: `${prefix}/outputs/reply.txt`, base64: b64(body) },
      { path: `${prefix}/outputs.json`, base64: b64(index) },
      { path: `${prefix}/receipt.json`, base64: b64("{}") },
      { path: `execution/${EXECUTION_ID}/determinism.json`, base64: b64("{}") },
    ],
  };
}

interface Recorder {
  targets: ModalFunctionTarget[];
  payloads: unknown[];
  aborted: boolean;
}

function transport(
  behave: { resolve?: () => Promise<unknown>; invoke?: (signal: AbortSignal) => Promise<unknown> },
  seen: Recorder = { targets: [], payloads: [], aborted: false },
): ModalTransport {
  return {
    resolve: async (target) => {
      seen.targets.push(target);
      return behave.resolve ? behave.resolve() : { fn: target.fn };
    },
    invoke: async (_fn, payload, signal) => {
      seen.payloads.push(payload);
      signal.addEventListener("abort", () => {
        seen.aborted = true;
      });
      return behave.invoke ? behave.invoke(signal) : undefined;
    },
  };
}

function adapterWith(t: ModalTransport, clientTimeoutMs?: number) {
  return createAdapterFactory({
    repoRoot: "/nonexistent",
    modal: {
      env: "dev",
      branch: "feat/x",
      user: "ana",
      environment: "sigil-dev",
      transport: t,
      ...(clientTimeoutMs ? { clientTimeoutMs } : {}),
    },
  })("modal");
}

describe("ModalAdapter", () => {
  it("resolves the mode's entrypoint of the named app, writes the returned files and settles", async () => {
    await using world = await tempDir();
    const req = request(world.path);
    const seen: Recorder = { targets: [], payloads: [], aborted: false };
    const adapter = adapterWith(transport({ invoke: async () => successResult(req.world_prefix) }, seen));
    const envelope = await adapter.invoke(req);
    expect(envelope).toEqual({
      status: "success",
      execution_id: EXECUTION_ID,
      outputs: [{ path: `world://${req.world_prefix}/outputs/reply.txt` }],
      index_path: `world://${req.world_prefix}/outputs.json`,
      meta: { env_fingerprint: FINGERPRINT, image_digest: req.image_digest },
    });
    expect(seen.targets).toEqual([
      { app: "feat-x-ana-llm-litellm-v1", fn: "mock", environment: "sigil-dev" },
    ]);
    expect(seen.payloads[0]).toMatchObject({
      schema: "sigil.modal.call/v1",
      mode: "mock",
      world_prefix: req.world_prefix,
    });
    expect(await readFile(join(req.write_prefix, "outputs/reply.txt"), "utf8")).toBe("hello");
    expect(await readFile(join(world.path, "execution", EXECUTION_ID, "determinism.json"), "utf8")).toBe(
      "{}",
    );
  });

  it("calls `run` in real mode", async () => {
    await using world = await tempDir();
    const req = request(world.path, "real");
    const seen: Recorder = { targets: [], payloads: [], aborted: false };
    await adapterWith(transport({ invoke: async () => successResult(req.world_prefix) }, seen)).invoke(req);
    expect(seen.targets[0]?.fn).toBe("run");
  });

  const cases: Array<[string, Parameters<typeof transport>[0], string, string]> = [
    [
      "lookup failure",
      { resolve: async () => Promise.reject(new Error("NotFoundError: app not found")) },
      "ERR_MODAL_LOOKUP",
      "modal function not found",
    ],
    [
      "invocation failure",
      { invoke: async () => Promise.reject(new Error("RemoteError: boom")) },
      "ERR_MODAL_INVOCATION",
      "modal invocation failed",
    ],
    [
      "invalid payload",
      { invoke: async () => ({ status: "success", execution_id: EXECUTION_ID }) },
      "ERR_MODAL_PAYLOAD",
      "invalid payload",
    ],
    [
      "answer for another execution",
      {
        invoke: async () => ({
          status: "error",
          execution_id: "other",
          error: { code: "ERR_TIMEOUT", message: "x" },
        }),
      },
      "ERR_MODAL_PAYLOAD",
      "invalid payload",
    ],
  ];
  it.each(cases)(
    "%s → its code and fragment, as an error envelope",
    async (_label, behave, code, fragment) => {
      await using world = await tempDir();
      const envelope = await adapterWith(transport(behave)).invoke(request(world.path));
      expect(envelope.status).toBe("error");
      if (envelope.status !== "error") return;
      expect(envelope.error.code).toBe(code);
      expect(envelope.error.message).toContain(fragment);
      expect(envelope.meta.env_fingerprint).toBe(FINGERPRINT);
    },
  );

  it("a hang ends at the client timeout with ERR_MODAL_TIMEOUT and aborts the call", async () => {
    await using world = await tempDir();
    const seen: Recorder = { targets: [], payloads: [], aborted: false };
    const never = () => new Promise<never>(() => undefined);
    const envelope = await adapterWith(transport({ invoke: never }, seen), 50).invoke(request(world.path));
    expect(envelope).toMatchObject({ status: "error", error: { code: "ERR_MODAL_TIMEOUT" } });
    if (envelope.status === "error") expect(envelope.error.message).toContain("modal invocation timed out");
    expect(seen.aborted).toBe(true);
  });

  it("a hang in lookup is also the client timeout", async () => {
    await using world = await tempDir();
    const envelope = await adapterWith(transport({ resolve: () => new Promise(() => undefined) }), 50).invoke(
      request(world.path),
    );
    expect(envelope).toMatchObject({ status: "error", error: { code: "ERR_MODAL_TIMEOUT" } });
  });

  it("refuses returned files outside the write prefix, and writes nothing", async () => {
    await using world = await tempDir();
    const req = request(world.path);
    for (const path of [
      "../escape.txt",
      `${req.world_prefix}/../../x`,
      "outputs/other/a.txt",
      `/${req.world_prefix}/a`,
    ]) {
      const bad = { status: "success", execution_id: EXECUTION_ID, files: [{ path, base64: "" }] };
      const envelope = await adapterWith(transport({ invoke: async () => bad })).invoke(req);
      expect(envelope).toMatchObject({ status: "error", error: { code: "ERR_MODAL_PAYLOAD" } });
    }
  });

  it("a processor error reported by the function keeps its code", async () => {
    await using world = await tempDir();
    const failed = {
      status: "error",
      execution_id: EXECUTION_ID,
      error: { code: "ERR_TIMEOUT", message: "timed out: after 30 s" },
    };
    const envelope = await adapterWith(transport({ invoke: async () => failed })).invoke(request(world.path));
    expect(envelope).toMatchObject({
      status: "error",
      error: { code: "ERR_TIMEOUT", message: "timed out: after 30 s" },
    });
  });

  it("an index that does not match the returned outputs is ERR_ADAPTER_INVOCATION", async () => {
    await using world = await tempDir();
    const req = request(world.path);
    const result = successResult(req.world_prefix);
    result.files[0] = { path: `${req.world_prefix}/outputs/reply.txt`, base64: b64("tampered") };
    const envelope = await adapterWith(transport({ invoke: async () => result })).invoke(req);
    expect(envelope).toMatchObject({ status: "error", error: { code: "ERR_ADAPTER_INVOCATION" } });
  });

  it("without lane settings the factory refuses the modal adapter with ERR_USAGE", () => {
    expect(() => createAdapterFactory({ repoRoot: "/x" })("modal")).toThrowError(
      expect.objectContaining({ code: "ERR_USAGE" }),
    );
  });
});
