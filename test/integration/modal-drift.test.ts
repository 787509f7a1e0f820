import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type RegistryEntry, SigilError, silentLogger } from "../../src/core/index.js";
import {
  checkDrift,
  driftError,
  type ModalTransport,
  modalAppNameFromRef,
  renderModalApp,
} from "../../src/modal/index.js";
import { loadRegistry } from "../../src/supply/index.js";
import { renderedModuleTransport } from "../helpers/rendered-module-transport.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const REGISTRY = join(REPO_ROOT, "test/fixtures/modal/registry");
const appName = (ref: string) => modalAppNameFromRef(ref, "main").name;

async function registry(): Promise<RegistryEntry[]> {
  return [...(await loadRegistry(REGISTRY)).values()].map((e) => e.entry);
}

/** "Deploys" a registry: renders its modal_app.py into `dir`, as `sigil modal deploy` would. */
async function deploy(dir: string, entries: readonly RegistryEntry[]): Promise<string> {
  const path = join(dir, "modal_app.py");
  await writeFile(path, renderModalApp(entries, { env: "main", appName }));
  return path;
}

const drift = (entries: readonly RegistryEntry[], transport: ModalTransport) =>
  checkDrift({ entries, env: "main", appName, transport, logger: silentLogger });

describe("checkDrift against the rendered app's describe entrypoint", () => {
  it("finds no drift when what is deployed is what the registry renders", async () => {
    await using dir = await tempDir();
    const entries = await registry();
    const report = await drift(entries, renderedModuleTransport(await deploy(dir.path, entries)));
    expect(report.ok).toBe(true);
    expect(report.apps.map((a) => [a.app, a.status])).toEqual([
      ["llm-litellm-v1", "same"],
      ["test-echo-v1", "same"],
      ["vision-replicate-v1", "same"],
    ]);
    expect(report.apps[0]?.deployed_image).toBe(report.apps[0]?.image);
  });

  it("reports a changed digest (a pin merged but not deployed) with both images", async () => {
    await using dir = await tempDir();
    const deployed = await registry();
    const module = await deploy(dir.path, deployed);
    const newPin = `ghcr.io/sigil-zero/sigil-zero/llm-litellm@sha256:${"d".repeat(64)}`;
    const now = deployed.map((e) => (e.ref === "llm/litellm@1" ? { ...e, image: newPin } : e));
    const report = await drift(now, renderedModuleTransport(module));
    expect(report.ok).toBe(false);
    const litellm = report.apps.find((a) => a.ref === "llm/litellm@1");
    expect(litellm?.status).toBe("drift");
    expect(litellm?.differences.map((d) => d.field)).toEqual(["image", "spec_sha256"]);
    expect(litellm?.differences[0]).toEqual({
      field: "image",
      registry: newPin,
      deployed: `ghcr.io/sigil-zero/sigil-zero/llm-litellm@sha256:${"a".repeat(64)}`,
    });
    expect(report.apps.filter((a) => a.status === "same")).toHaveLength(2);
    const error = driftError(report);
    expect(error.code).toBe("ERR_MODAL_DRIFT");
    expect(error.message).toContain("deployed apps differ from the registry");
    expect(error.message).toContain("llm-litellm-v1: image, spec_sha256 differ");
  });

  it("reports a changed timeout and changed secret names", async () => {
    await using dir = await tempDir();
    const deployed = await registry();
    const module = await deploy(dir.path, deployed);
    const now = deployed.map((e) =>
      e.ref === "test/echo@1" ? { ...e, timeout_s: 60, secrets: ["ECHO_API_KEY", "OTHER_KEY"] } : e,
    );
    const echo = (await drift(now, renderedModuleTransport(module))).apps.find(
      (a) => a.app === "test-echo-v1",
    );
    expect(echo?.differences.map((d) => [d.field, d.registry, d.deployed])).toEqual([
      ["timeout_s", "60", "30"],
      ["secrets", '["sigil-echo-api-key","sigil-other-key"]', '["sigil-echo-api-key"]'],
      ["spec_sha256", expect.any(String), expect.any(String)],
    ]);
  });

  it("a missing app is drift, not a lookup failure", async () => {
    await using dir = await tempDir();
    const entries = await registry();
    const transport = renderedModuleTransport(await deploy(dir.path, entries), {
      deployed: new Set(["llm-litellm-v1", "test-echo-v1"]),
    });
    const report = await drift(entries, transport);
    expect(report.ok).toBe(false);
    expect(report.apps.map((a) => a.status)).toEqual(["same", "same", "missing"]);
    expect(driftError(report).message).toContain("vision-replicate-v1 is not deployed");
  });

  it("an answer that is not a description is drift (an app deployed by something else)", async () => {
    await using dir = await tempDir();
    const entries = await registry();
    const transport = renderedModuleTransport(await deploy(dir.path, entries), {
      answer: (target) => (target.app === "test-echo-v1" ? { hello: "world" } : undefined),
    });
    const echo = (await drift(entries, transport)).apps.find((a) => a.app === "test-echo-v1");
    expect(echo).toMatchObject({ status: "drift", differences: [{ field: "describe" }] });
  });

  it("a lookup that cannot be made is ERR_MODAL_LOOKUP, and stops the check", async () => {
    const transport: ModalTransport = {
      resolve: async () => {
        throw new SigilError("ERR_MODAL_LOOKUP", "UNAVAILABLE: no connection");
      },
      invoke: async () => {
        throw new Error("not reached");
      },
    };
    await expect(drift(await registry(), transport)).rejects.toMatchObject({
      code: "ERR_MODAL_LOOKUP",
      message: expect.stringContaining("modal function not found"),
    });
  });

  it("refuses an unpinned registry before any lookup (ERR_IMAGE_UNPINNED)", async () => {
    const tagged = (await registry()).map((e) => ({ ...e, image: "ghcr.io/o/r/x:latest" }));
    const transport: ModalTransport = {
      resolve: async () => {
        throw new Error("no lookup expected");
      },
      invoke: async () => undefined,
    };
    await expect(drift(tagged, transport)).rejects.toMatchObject({ code: "ERR_IMAGE_UNPINNED" });
  });
});
