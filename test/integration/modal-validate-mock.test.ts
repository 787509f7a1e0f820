import { copyFile, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/index.js";
import { validateMock, validateMockFailure } from "../../src/lanes/index.js";
import { type ModalTransport, modalAppNameFromRef, renderModalApp } from "../../src/modal/index.js";
import { createAdapterFactory } from "../../src/run/index.js";
import { loadRegistry } from "../../src/supply/index.js";
import { renderedModuleTransport } from "../helpers/rendered-module-transport.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const FIXTURE_REGISTRY = join(REPO_ROOT, "test/fixtures/modal/registry");
const appName = (ref: string) => modalAppNameFromRef(ref, "main").name;

const CONFIG = (echoParams: string) => `registry: registry/processors
pr_lane:
  inputs:
    llm/litellm@1:
      schema: v1
      model: mock-model
      params:
        messages:
          - { role: user, content: "Say hello to the main lane." }
    test/echo@1:
      schema: v1
      params: ${echoParams}
`;

/** A repository with the fixture registry (pinned), its processors, and a deployed modal_app.py. */
async function project(root: string, echoParams: string) {
  await mkdir(join(root, "registry/processors"), { recursive: true });
  await mkdir(join(root, ".github"));
  for (const file of ["echo.yaml", "llm-litellm-v1.yaml", "vision-replicate-v1.yaml"])
    await copyFile(join(FIXTURE_REGISTRY, file), join(root, "registry/processors", file));
  await symlink(join(REPO_ROOT, "processors"), join(root, "processors"));
  await writeFile(join(root, ".github/sigil.yml"), CONFIG(echoParams));
  const entries = [...(await loadRegistry(join(root, "registry/processors"))).values()].map((e) => e.entry);
  const module = join(root, "modal_app.py");
  // The "image" holds the repository at the project root, as /app does in the Dockerfiles.
  await writeFile(module, renderModalApp(entries, { env: "main", appName, appRoot: root }));
  return module;
}

function run(root: string, transport: ModalTransport) {
  return validateMock(
    { root, world: "artifacts", env: "main", appName, repoScope: "sigil-zero/sigil-zero" },
    {
      env: {},
      logger: silentLogger,
      adapters: createAdapterFactory({ repoRoot: root, modal: { env: "main", transport } }),
    },
  );
}

describe("validateMock: every deployed mock function through the modal adapter", () => {
  it("passes when every function settles: envelope, outputs index, receipt in mode mock", async () => {
    await using dir = await tempDir();
    const module = await project(dir.path, '{ outputs: [["outputs/a.txt", "A"]] }');
    const report = await run(dir.path, renderedModuleTransport(module));
    expect(report.checks.map((c) => [c.ref, c.app, c.status, c.code])).toEqual([
      ["llm/litellm@1", "llm-litellm-v1", "pass", undefined],
      ["test/echo@1", "test-echo-v1", "pass", undefined],
      ["vision/replicate@1", "vision-replicate-v1", "pass", undefined],
    ]);
    expect(report.ok).toBe(true);
    expect(validateMockFailure(report)).toBeUndefined();
    const echo = report.checks.find((c) => c.ref === "test/echo@1");
    expect(echo?.outputs.map((o) => o.path)).toEqual(["outputs/a.txt"]);
    expect(echo?.outputs_index_sha256).toMatch(/^[0-9a-f]{64}$/);
    const written = JSON.parse(await readFile(join(dir.path, report.summary_path), "utf8"));
    expect(written).toMatchObject({ schema: "sigil.validate-mock.v1", ok: true, env: "main" });
  });

  it("fails with the failing function's own code, and still checks the others", async () => {
    await using dir = await tempDir();
    const module = await project(dir.path, '{ raise: "boom" }');
    const report = await run(dir.path, renderedModuleTransport(module));
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.status)).toEqual(["pass", "fail", "pass"]);
    const echo = report.checks[1];
    // The processor's own failure, carried back through the function's error answer.
    expect(echo?.code).toBe("ERR_ADAPTER_INVOCATION");
    expect(echo?.message).toContain("RuntimeError: boom");
    expect(validateMockFailure(report)).toEqual({ code: echo?.code, message: echo?.message });
  });

  it("a function that is not deployed fails its check with ERR_MODAL_LOOKUP", async () => {
    await using dir = await tempDir();
    const module = await project(dir.path, "{}");
    const transport = renderedModuleTransport(module, {
      deployed: new Set(["llm-litellm-v1", "test-echo-v1"]),
    });
    const report = await run(dir.path, transport);
    expect(report.checks.map((c) => [c.app, c.code])).toEqual([
      ["llm-litellm-v1", undefined],
      ["test-echo-v1", undefined],
      ["vision-replicate-v1", "ERR_MODAL_LOOKUP"],
    ]);
  });

  it("an answer without outputs.json fails the outputs index check", async () => {
    await using dir = await tempDir();
    const module = await project(dir.path, "{}");
    const honest = renderedModuleTransport(module);
    const transport: ModalTransport = {
      resolve: honest.resolve,
      invoke: async (handle, payload, signal) => {
        const answer = (await honest.invoke(handle, payload, signal)) as {
          files?: { path: string }[];
        };
        if (answer.files) answer.files = answer.files.filter((f) => !f.path.endsWith("/outputs.json"));
        return answer;
      },
    };
    const report = await run(dir.path, transport);
    expect(report.ok).toBe(false);
    expect(report.checks.every((c) => c.status === "fail")).toBe(true);
  });
});
