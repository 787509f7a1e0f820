import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/index.js";
import { type ModalTransport, modalAppNameFromRef, renderModalApp } from "../../src/modal/index.js";
import { createAdapterFactory, runProcessor } from "../../src/run/index.js";
import { loadRegistry } from "../../src/supply/index.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const FIXTURES = join(REPO_ROOT, "test/fixtures/modal");
const REGISTRY = join(FIXTURES, "registry");

/**
 * Modal's cloud cannot run here, so the "deployed" function is the rendered modal_app.py itself,
 * loaded against the stand-in `modal` package and called in a real Python process.
 */
function renderedModuleTransport(modulePath: string, env: NodeJS.ProcessEnv): ModalTransport {
  return {
    resolve: async (target) => target,
    invoke: async (target, payload, signal) => {
      const { app, fn } = target as { app: string; fn: string };
      const { stdout } = await execa("python3", [join(FIXTURES, "harness.py"), "call", modulePath, app, fn], {
        input: JSON.stringify(payload),
        env,
        extendEnv: false,
        cancelSignal: signal,
      });
      return JSON.parse(stdout);
    },
  };
}

describe("sigil run through the ModalAdapter and the rendered app", () => {
  it("runs the mock entrypoint, brings the outputs and receipts back and settles them", async () => {
    await using dir = await tempDir();
    const entries = [...(await loadRegistry(REGISTRY)).values()].map((e) => e.entry);
    const modulePath = join(dir.path, "modal_app.py");
    const appName = (ref: string) => modalAppNameFromRef(ref, "main").name;
    await writeFile(modulePath, renderModalApp(entries, { env: "main", appName, appRoot: REPO_ROOT }));
    const planted = "planted-secret-value-7f3a9c";
    const transport = renderedModuleTransport(modulePath, { PATH: process.env.PATH, ECHO_API_KEY: planted });
    const world = join(dir.path, "world");
    const outcome = await runProcessor(
      {
        ref: "test/echo@1",
        adapter: "modal",
        inputsJson: JSON.stringify({
          schema: "v1",
          mode: "mock",
          params: { outputs: [["outputs/a.txt", "A"]] },
        }),
        world,
        lane: "main",
      },
      {
        repoRoot: REPO_ROOT,
        registryDir: REGISTRY,
        // The main lane checks images against the repository's namespace; it must be known.
        repoScope: "sigil-zero/sigil-zero",
        cwd: dir.path,
        env: {},
        logger: silentLogger,
        adapters: createAdapterFactory({ repoRoot: REPO_ROOT, modal: { env: "main", transport } }),
      },
    );
    const { envelope } = outcome;
    expect(envelope).toMatchObject({ status: "success" });
    if (envelope.status !== "success") return;
    expect(envelope.outputs.map((o) => o.path.replace(/.*\/outputs\//, "outputs/"))).toEqual([
      "outputs/a.txt",
    ]);
    expect(envelope.meta.image_digest).toBe(`sha256:${"c".repeat(64)}`);
    const receipt = JSON.parse(await readFile(join(outcome.writePrefix ?? "", "receipt.json"), "utf8"));
    expect(receipt).toMatchObject({ processor_ref: "test/echo@1", mode: "mock" });
    expect(JSON.stringify(receipt)).not.toContain(planted);
  });

  it("the mock entrypoint forces mode=mock even when sent a real payload", async () => {
    await using dir = await tempDir();
    const entries = [...(await loadRegistry(REGISTRY)).values()].map((e) => e.entry);
    const modulePath = join(dir.path, "modal_app.py");
    await writeFile(
      modulePath,
      renderModalApp(entries, {
        env: "main",
        appName: (r) => modalAppNameFromRef(r, "main").name,
        appRoot: REPO_ROOT,
      }),
    );
    const transport = renderedModuleTransport(modulePath, { PATH: process.env.PATH });
    const result = (await transport.invoke(
      { app: "test-echo-v1", fn: "mock" },
      {
        schema: "sigil.modal.call/v1",
        execution_id: "0190a5b0-0000-7000-8000-00000000000a",
        processor_ref: "test/echo@1",
        inputs_json: JSON.stringify({ schema: "v1", mode: "real", params: {} }),
        mode: "real",
        world_prefix: "outputs/x/0190a5b0-0000-7000-8000-00000000000a",
        image_digest: "sha256:cc",
        env_fingerprint: "image=sha256:cc",
      },
      new AbortController().signal,
    )) as { status: string; files: Array<{ path: string; base64: string }> };
    expect(result.status).toBe("success");
    const receipt = result.files.find((f) => f.path.endsWith("/receipt.json"));
    expect(JSON.parse(Buffer.from(receipt?.base64 ?? "", "base64").toString())).toMatchObject({
      mode: "mock",
    });
  });
});
