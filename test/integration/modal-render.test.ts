import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { RegistryEntry } from "../../src/core/index.js";
import {
  describeSpec,
  ModalAppDescription,
  modalAppNameFromRef,
  planApps,
  renderedSpec,
  renderModalApp,
} from "../../src/modal/index.js";
import { loadRegistry } from "../../src/supply/index.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const FIXTURES = join(REPO_ROOT, "test/fixtures/modal");
const GOLDEN = join(FIXTURES, "modal_app.main.py");
const HARNESS = join(FIXTURES, "harness.py");

async function entries(dir = join(FIXTURES, "registry")): Promise<RegistryEntry[]> {
  return [...(await loadRegistry(dir)).values()].map((e) => e.entry);
}

const mainNames = (ref: string) => modalAppNameFromRef(ref, "main").name;

describe("renderModalApp", () => {
  it("renders the golden modal_app.py for main (regenerate with UPDATE_GOLDEN=1)", async () => {
    const rendered = renderModalApp(await entries(), { env: "main", appName: mainNames });
    if (process.env.UPDATE_GOLDEN === "1") await writeFile(GOLDEN, rendered);
    expect(rendered).toBe(await readFile(GOLDEN, "utf8"));
  });

  it("is deterministic whatever the order of the registry", async () => {
    const list = await entries();
    const a = renderModalApp(list, { env: "main", appName: mainNames });
    const b = renderModalApp([...list].reverse(), { env: "main", appName: mainNames });
    expect(b).toBe(a);
  });

  it("compiles with python3 -m py_compile", async () => {
    await using dir = await tempDir();
    const path = join(dir.path, "modal_app.py");
    await writeFile(path, renderModalApp(await entries(), { env: "main", appName: mainNames }));
    await execa("python3", ["-m", "py_compile", path], { env: { PYTHONDONTWRITEBYTECODE: "1" } });
  });

  it("declares, per processor, one app with run, mock and describe of one signature, pinned image, secrets by name", async () => {
    await using dir = await tempDir();
    const path = join(dir.path, "modal_app.py");
    await writeFile(path, renderModalApp(await entries(), { env: "main", appName: mainNames }));
    const { stdout } = await execa("python3", [HARNESS, "describe", path]);
    const described = JSON.parse(stdout) as { apps: Array<Record<string, unknown>> };
    expect(described.apps.map((a) => [a.variable, a.name])).toEqual([
      ["app_llm_litellm_v1", "llm-litellm-v1"],
      ["app_test_echo_v1", "test-echo-v1"],
      ["app_vision_replicate_v1", "vision-replicate-v1"],
    ]);
    const litellm = described.apps[0]?.functions;
    const options = {
      image: { ref: `ghcr.io/sigil-zero/sigil-zero/llm-litellm@sha256:${"a".repeat(64)}`, entrypoint: [] },
      secrets: ["sigil-openai-api-key"],
      timeout: 150,
      cpu: 1,
      memory: 2048,
      serialized: true,
    };
    expect(litellm).toEqual({
      describe: { options, params: ["payload"] },
      mock: { options, params: ["payload"] },
      run: { options, params: ["payload"] },
    });
  });

  it("describe answers the constants drift compares: image, timeout, secrets, spec hash", async () => {
    await using dir = await tempDir();
    const path = join(dir.path, "modal_app.py");
    const list = await entries();
    await writeFile(path, renderModalApp(list, { env: "main", appName: mainNames }));
    const { stdout } = await execa("python3", [HARNESS, "call", path, "llm-litellm-v1", "describe"], {
      input: "{}",
    });
    const answer = ModalAppDescription.parse(JSON.parse(stdout));
    const [app] = planApps(list, { env: "main", appName: mainNames });
    const entry = list.find((e) => e.ref === "llm/litellm@1");
    if (!app || !entry) throw new Error("fixture registry changed");
    expect(answer).toEqual(describeSpec(renderedSpec(entry, app)));
    expect(answer).toMatchObject({
      ref: "llm/litellm@1",
      app: "llm-litellm-v1",
      image: `ghcr.io/sigil-zero/sigil-zero/llm-litellm@sha256:${"a".repeat(64)}`,
      timeout_s: 120,
      secrets: ["sigil-openai-api-key"],
    });
  });

  it("refuses unpinned images in staging and main, allows them in dev", async () => {
    const tagged = await entries(join(REPO_ROOT, "registry/processors"));
    for (const env of ["staging", "main"] as const) {
      expect(() => renderModalApp(tagged, { env, appName: mainNames })).toThrowError(
        expect.objectContaining({
          code: "ERR_IMAGE_UNPINNED",
          message: expect.stringContaining("image not pinned"),
        }),
      );
    }
    const dev = renderModalApp(tagged, {
      env: "dev",
      appName: (ref) => modalAppNameFromRef(ref, "dev", { branch: "feat/x", user: "ana" }).name,
    });
    expect(dev).toContain('"app": "feat-x-ana-llm-litellm-v1"');
  });

  it("accepts --image-override only in dev", async () => {
    const list = await entries();
    const override = "ghcr.io/sigil-zero/sigil-zero/debug:latest";
    expect(renderModalApp(list, { env: "dev", appName: mainNames, imageOverride: override })).toContain(
      override,
    );
    expect(() =>
      renderModalApp(list, { env: "main", appName: mainNames, imageOverride: override }),
    ).toThrowError(expect.objectContaining({ code: "ERR_USAGE" }));
  });
});
