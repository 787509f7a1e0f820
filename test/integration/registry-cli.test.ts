import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startRegistry, type TestRegistry } from "../helpers/oci-registry.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const SCOPE = "sigil-zero/sigil-zero";
const D1 = `sha256:${"1".repeat(64)}`;
const ENTRY = `# llm/litellm@1: chat completions through LiteLLM.
# The pin PR rewrites the image below; keep this comment.
ref: llm/litellm@1
image: "ghcr.io/sigil-zero/sigil-zero/llm-litellm:dev"   # tag until the first pin
platforms: [linux/amd64, linux/arm64]
source: processors/llm/litellm
entrypoint: [python3, main.py]   # argv
secrets: [OPENAI_API_KEY]
timeout_s: 120

resources:
  cpu: 1      # cores
  memory: 2Gi
`;

function pin(image: string, digest: string, tag = "sha-abc123") {
  return {
    image,
    digest,
    tag,
    platforms: ["linux/amd64", "linux/arm64"],
    platform_digests: {},
    source_commit: "abc123",
    run_url: null,
  };
}

async function world() {
  const dir = await tempDir();
  await cp(join(REPO_ROOT, "registry/processors"), join(dir.path, "registry/processors"), {
    recursive: true,
  });
  await writeFile(join(dir.path, "registry/processors/llm-litellm-v1.yaml"), ENTRY);
  return dir;
}

describe("sigil registry pin", () => {
  test("rewrites image and image_tag only, keeps every comment and blank line, and is idempotent", async () => {
    await using dir = await world();
    const pins = { "llm/litellm@1": pin("ghcr.io/sigil-zero/sigil-zero/llm-litellm", D1) };
    await writeFile(join(dir.path, "pins.json"), JSON.stringify(pins));
    const first = await runCli(["registry", "pin", "pins.json", "--repo", SCOPE, "--json"], {
      cwd: dir.path,
    });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const after = await readFile(join(dir.path, "registry/processors/llm-litellm-v1.yaml"), "utf8");
    // Byte for byte: only the image value changes and one image_tag line appears.
    expect(after).toBe(
      ENTRY.replace(
        '"ghcr.io/sigil-zero/sigil-zero/llm-litellm:dev"   # tag until the first pin\n',
        `"ghcr.io/sigil-zero/sigil-zero/llm-litellm@${D1}"   # tag until the first pin\nimage_tag: sha-abc123\n`,
      ),
    );
    expect(JSON.parse(first.stdout).changes).toMatchObject([{ ref: "llm/litellm@1", changed: true }]);

    const second = await runCli(["registry", "pin", "pins.json", "--repo", SCOPE, "--json"], {
      cwd: dir.path,
    });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).changes).toMatchObject([{ ref: "llm/litellm@1", changed: false }]);
    expect(await readFile(join(dir.path, "registry/processors/llm-litellm-v1.yaml"), "utf8")).toBe(after);

    // A later pin replaces digest and tag in place.
    const D2 = `sha256:${"2".repeat(64)}`;
    await writeFile(
      join(dir.path, "pins.json"),
      JSON.stringify({ "llm/litellm@1": pin("ghcr.io/sigil-zero/sigil-zero/llm-litellm", D2, "sha-def") }),
    );
    expect((await runCli(["registry", "pin", "pins.json", "--repo", SCOPE], { cwd: dir.path })).code).toBe(0);
    const third = await readFile(join(dir.path, "registry/processors/llm-litellm-v1.yaml"), "utf8");
    expect(third).toBe(after.replace(D1, D2).replace("image_tag: sha-abc123", "image_tag: sha-def"));
  });

  test("refuses an image outside the repository's ghcr.io scope with ERR_REGISTRY_MISMATCH, writing nothing", async () => {
    await using dir = await world();
    for (const image of ["ghcr.io/evil/fork/llm-litellm", "docker.io/sigil-zero/sigil-zero/llm-litellm"]) {
      await writeFile(join(dir.path, "pins.json"), JSON.stringify({ "llm/litellm@1": pin(image, D1) }));
      const run = await runCli(["registry", "pin", "pins.json", "--repo", SCOPE, "--json"], {
        cwd: dir.path,
      });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).error).toMatchObject({ code: "ERR_REGISTRY_MISMATCH" });
      expect(JSON.parse(run.stdout).error.message).toContain("registry mismatch");
      expect(await readFile(join(dir.path, "registry/processors/llm-litellm-v1.yaml"), "utf8")).toBe(ENTRY);
    }
  });
});

describe("sigil registry check", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.[Symbol.asyncDispose]();
  });

  test("an unpinned entry in the main lane fails with ERR_IMAGE_UNPINNED; the dev lane accepts it", async () => {
    await using dir = await world();
    const main = await runCli(["registry", "check", "--lane", "main", "--repo", SCOPE, "--json"], {
      cwd: dir.path,
    });
    expect(main.code).toBe(1);
    const report = JSON.parse(main.stdout);
    expect(report.status).toBe("fail");
    expect(report.entries[0]).toMatchObject({
      ref: "llm/litellm@1",
      ok: false,
      error: { code: "ERR_IMAGE_UNPINNED" },
    });
    expect(report.entries[0].error.message).toContain("image not pinned");
    const dev = await runCli(["registry", "check", "--lane", "dev", "--repo", SCOPE, "--json"], {
      cwd: dir.path,
    });
    expect(dev.code).toBe(0);
  });

  test("pinned entries: digest exists with every platform passes; a missing platform or digest fails", async () => {
    await using dir = await world();
    const good = await registry.push(`${SCOPE}/llm-litellm`, "sha-1");
    const amdOnly = await registry.push(`${SCOPE}/vision-replicate`, "sha-1", { platforms: ["linux/amd64"] });
    const pins = {
      "llm/litellm@1": pin(`ghcr.io/${SCOPE}/llm-litellm`, good.digest),
      "vision/replicate@1": pin(`ghcr.io/${SCOPE}/vision-replicate`, amdOnly.digest),
    };
    await writeFile(join(dir.path, "pins.json"), JSON.stringify(pins));
    expect((await runCli(["registry", "pin", "pins.json", "--repo", SCOPE], { cwd: dir.path })).code).toBe(0);
    const args = ["registry", "check", "--repo", SCOPE, "--mirror", `ghcr.io=${registry.host}`, "--json"];
    const run = await runCli(args, { cwd: dir.path });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.entries[0]).toMatchObject({ ref: "llm/litellm@1", ok: true, digest: good.digest });
    expect(report.entries[0].platform_digests).toEqual(good.image.platformDigests);
    expect(report.entries[1]).toMatchObject({
      ref: "vision/replicate@1",
      ok: false,
      error: { code: "ERR_IMAGE_PLATFORMS" },
    });
    expect(report.entries[1].error.message).toContain("linux/arm64");

    const absent = { "vision/replicate@1": pin(`ghcr.io/${SCOPE}/vision-replicate`, D1) };
    await writeFile(join(dir.path, "pins.json"), JSON.stringify(absent));
    await runCli(["registry", "pin", "pins.json", "--repo", SCOPE], { cwd: dir.path });
    const missing = JSON.parse((await runCli(args, { cwd: dir.path })).stdout);
    expect(missing.entries[1].error.code).toBe("ERR_IMAGE_UNAVAILABLE");
  });
});
