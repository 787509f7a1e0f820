// The supply-chain actions as the runner runs them (dist/build-pin.js, dist/assert-multiarch.js),
// against a real loopback registry reached through `mirror`, and buildx faked on PATH only.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ERROR_TABLE } from "../../src/core/index.js";
import { git, makeSandbox, runBundledAction, type Sandbox } from "../fixtures/pr-lane/runner.js";
import { startRegistry, type TestRegistry } from "../helpers/oci-registry.js";
import { REPO_ROOT, snapshotTree } from "../helpers/temp.js";

const SCOPE = "sigil-zero/sigil-zero";
const FAKE_DOCKER = join(REPO_ROOT, "test/fixtures/fake-docker");
const ENTRIES = { "llm/litellm@1": "llm-litellm-v1.yaml", "vision/replicate@1": "vision-replicate-v1.yaml" };

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
});

/** Points a sandbox registry entry at `digest` (the tag `:dev` becomes `@<digest>`). */
async function pinEntry(sandbox: Sandbox, ref: keyof typeof ENTRIES, digest: string): Promise<void> {
  const path = join(sandbox.workspace, "registry/processors", ENTRIES[ref]);
  const text = await readFile(path, "utf8");
  await writeFile(path, text.replace(/(ghcr\.io\/\S+):dev/, `$1@${digest}`));
}

function expectFailedWith(run: { exitCode: number; stdout: string }, code: keyof typeof ERROR_TABLE): string {
  expect(run.exitCode).toBe(1);
  const annotation = run.stdout.split("\n").find((l) => l.startsWith("::error::")) ?? "";
  expect(annotation).toContain(`${code}: ${ERROR_TABLE[code]}`);
  return annotation;
}

describe("assert-multiarch action (dist/assert-multiarch.js)", () => {
  const inputs = () => ({ repository: SCOPE, mirror: `ghcr.io=${registry.host}` });

  test("every pinned entry exists with both platforms: passes, with the summary table", async () => {
    await using sandbox = await makeSandbox();
    const llm = await registry.push(`${SCOPE}/llm-litellm`, "ok-1");
    const vision = await registry.push(`${SCOPE}/vision-replicate`, "ok-1", { attestations: true });
    await pinEntry(sandbox, "llm/litellm@1", llm.digest);
    await pinEntry(sandbox, "vision/replicate@1", vision.digest);
    const run = await runBundledAction("assert-multiarch", sandbox, inputs());
    expect(run.stdout.split("\n").filter((l) => l.startsWith("::error"))).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.passed).toBe("true");
    expect(JSON.parse(run.outputs.failed ?? "")).toEqual([]);
    expect(JSON.parse(run.outputs.digests ?? "")).toEqual({
      "llm/litellm@1": llm.digest,
      "vision/replicate@1": vision.digest,
    });
    expect(run.summary).toContain(
      "<th>ref</th><th>digest</th><th>platforms present</th><th>missing</th><th>verdict</th>",
    );
    expect(run.summary).toContain(`<code>${llm.digest}</code>`);
    expect(run.summary).toContain("linux/amd64, linux/arm64");
    expect(run.summary).not.toContain("unknown/unknown");
    expect(run.summary).toContain("✅ pass");
  });

  test("an index without arm64 fails with ERR_IMAGE_PLATFORMS naming the platform; the summary lists it", async () => {
    await using sandbox = await makeSandbox();
    const llm = await registry.push(`${SCOPE}/llm-litellm`, "ok-2", { seed: "two" });
    const amdOnly = await registry.push(`${SCOPE}/vision-replicate`, "amd-only", {
      platforms: ["linux/amd64"],
    });
    await pinEntry(sandbox, "llm/litellm@1", llm.digest);
    await pinEntry(sandbox, "vision/replicate@1", amdOnly.digest);
    const run = await runBundledAction("assert-multiarch", sandbox, inputs());
    const annotation = expectFailedWith(run, "ERR_IMAGE_PLATFORMS");
    expect(annotation).toContain("linux/arm64");
    expect(run.outputs.passed).toBe("false");
    expect(JSON.parse(run.outputs.failed ?? "")).toEqual(["vision/replicate@1"]);
    const row = run.summary.split("<tr>").find((r) => r.includes("vision/replicate@1")) ?? "";
    expect(row).toContain("<td>linux/amd64</td><td>linux/arm64</td>");
    expect(row).toContain("ERR_IMAGE_PLATFORMS");
  });

  test("every failing entry is named; the step fails with the first code", async () => {
    await using sandbox = await makeSandbox();
    await pinEntry(sandbox, "llm/litellm@1", `sha256:${"0".repeat(64)}`);
    const run = await runBundledAction("assert-multiarch", sandbox, inputs());
    // llm is pinned to a digest that does not exist; vision is still a tag in the main lane.
    const annotation = expectFailedWith(run, "ERR_IMAGE_UNAVAILABLE");
    expect(annotation).toContain("llm/litellm@1");
    expect(annotation).toContain("vision/replicate@1");
    expect(JSON.parse(run.outputs.failed ?? "")).toEqual(["llm/litellm@1", "vision/replicate@1"]);
    expect(run.summary).toContain("ERR_IMAGE_UNPINNED");
  });

  test("the dev lane accepts tags without asking the registry", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("assert-multiarch", sandbox, { ...inputs(), lane: "dev" });
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain("tag, not pinned");
  });

  test("a malformed mirror is ERR_ACTION_INPUT", async () => {
    await using sandbox = await makeSandbox();
    const run = await runBundledAction("assert-multiarch", sandbox, { mirror: "ghcr.io" });
    expectFailedWith(run, "ERR_ACTION_INPUT");
  });
});

describe("build-pin action (dist/build-pin.js)", () => {
  const env = (sandbox: Sandbox) => ({
    PATH: `${FAKE_DOCKER}:${process.env.PATH ?? ""}`,
    DOCKER_FAKE_REGISTRY: registry.host,
    DOCKER_FAKE_LOG: join(sandbox.runnerFiles, "docker.log"),
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "7",
    GITHUB_TOKEN: "ghs_secret-token-value-000",
  });

  test("builds, pushes and asserts every processor, writes pins.json and the outputs", async () => {
    await using sandbox = await makeSandbox({ git: true });
    const head = await git(sandbox.workspace, "rev-parse", "HEAD");
    const run = await runBundledAction(
      "build-pin",
      sandbox,
      { repository: SCOPE, mirror: `ghcr.io=${registry.host}` },
      env(sandbox),
    );
    expect(run.stdout.split("\n").filter((l) => l.startsWith("::error"))).toEqual([]);
    expect(run.exitCode).toBe(0);
    const pinsPath = run.outputs["pins-path"] ?? "";
    expect(pinsPath).toBe(join(sandbox.workspace, "pins.json"));
    const pins = JSON.parse(await readFile(pinsPath, "utf8"));
    expect(Object.keys(pins)).toEqual(["llm/litellm@1", "vision/replicate@1"]);
    expect(pins["llm/litellm@1"]).toMatchObject({
      image: `ghcr.io/${SCOPE}/llm-litellm`,
      tag: `sha-${head.slice(0, 12)}`,
      platforms: ["linux/amd64", "linux/arm64"],
      source_commit: head,
      run_url: `https://github.com/${SCOPE}/actions/runs/7`,
    });
    const digests = JSON.parse(run.outputs.digests ?? "");
    expect(digests).toEqual({
      "llm/litellm@1": pins["llm/litellm@1"].digest,
      "vision/replicate@1": pins["vision/replicate@1"].digest,
    });
    expect(run.summary).toContain("<th>ref</th><th>image</th><th>digest</th><th>platforms</th>");
    expect(run.summary).toContain(`<code>${digests["llm/litellm@1"]}</code>`);
    expect(run.summary).toContain("linux/amd64, linux/arm64");
    expect(run.stdout + run.summary).not.toContain("ghs_secret-token-value-000");
    const calls = (await readFile(join(sandbox.runnerFiles, "docker.log"), "utf8")).trim().split("\n");
    expect(calls).toHaveLength(2);
    expect(JSON.parse(calls[0] ?? "").argv).toEqual(expect.arrayContaining(["--push", "--provenance=false"]));
  });

  test("refs and changed-since narrow the build", async () => {
    await using sandbox = await makeSandbox({ git: true });
    const base = await git(sandbox.workspace, "rev-parse", "HEAD");
    const main = join(sandbox.workspace, "processors/vision/replicate/main.py");
    await writeFile(main, `${await readFile(main, "utf8")}\n# touched\n`);
    await git(sandbox.workspace, "commit", "-qam", "touch vision");
    const common = { repository: SCOPE, mirror: `ghcr.io=${registry.host}` };
    const changed = await runBundledAction(
      "build-pin",
      sandbox,
      { ...common, "changed-since": base },
      env(sandbox),
    );
    expect(changed.exitCode, changed.stdout).toBe(0);
    expect(JSON.parse(changed.outputs.built ?? "")).toEqual(["vision/replicate@1"]);
    expect(changed.summary).toContain("Unchanged, not built: <code>llm/litellm@1</code>");
    const one = await runBundledAction(
      "build-pin",
      sandbox,
      { ...common, refs: "llm/litellm@1" },
      env(sandbox),
    );
    expect(JSON.parse(one.outputs.built ?? "")).toEqual(["llm/litellm@1"]);
  });

  test("a builder that drops arm64 fails with ERR_IMAGE_PLATFORMS and writes no pins.json", async () => {
    await using sandbox = await makeSandbox({ git: true });
    const before = await snapshotTree(sandbox.workspace);
    const run = await runBundledAction(
      "build-pin",
      sandbox,
      { repository: SCOPE, mirror: `ghcr.io=${registry.host}`, refs: "llm/litellm@1" },
      { ...env(sandbox), DOCKER_FAKE_DROP: "linux/arm64" },
    );
    expect(expectFailedWith(run, "ERR_IMAGE_PLATFORMS")).toContain("linux/arm64");
    expect(await snapshotTree(sandbox.workspace)).toEqual(before);
  });

  test("without a repository it refuses to build", async () => {
    await using sandbox = await makeSandbox({ git: true });
    const run = await runBundledAction("build-pin", sandbox, {}, env(sandbox));
    expectFailedWith(run, "ERR_ACTION_INPUT");
  });
});

describe("umbrella action (dist/sigil.js) with the supply-chain commands", () => {
  test("an empty lane is each action's own default: main for assert-multiarch, pr for validate", async () => {
    await using sandbox = await makeSandbox();
    const assert = await runBundledAction("sigil", sandbox, {
      command: "assert-multiarch",
      repository: SCOPE,
    });
    expectFailedWith(assert, "ERR_IMAGE_UNPINNED");
    const validate = await runBundledAction("sigil", sandbox, { command: "validate", repository: SCOPE });
    expect(validate.exitCode).toBe(0);
  });
});
