import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startRegistry, type TestRegistry } from "../helpers/oci-registry.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const SCOPE = "acme/widgets";
const FAKE_DOCKER = join(REPO_ROOT, "test/fixtures/fake-docker");
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
});

const entry = (ns: string, name: string) => `# ${ns}/${name}@1
ref: ${ns}/${name}@1
image: ghcr.io/${SCOPE}/${ns}-${name}:dev
source: processors/${ns}/${name}
entrypoint: [python3, main.py]
timeout_s: 60
`;

/** A git repository with two processors and the shared runtime, two commits: the second touches only llm/echo. */
async function project() {
  const dir = await tempDir();
  const write = async (rel: string, text: string) => {
    await mkdir(join(dir.path, rel, ".."), { recursive: true });
    await writeFile(join(dir.path, rel), text);
  };
  await write("registry/processors/llm-echo-v1.yaml", entry("llm", "echo"));
  await write("registry/processors/vision-blur-v1.yaml", entry("vision", "blur"));
  await write("processors/llm/echo/main.py", "print('echo')\n");
  await write("processors/vision/blur/main.py", "print('blur')\n");
  await write("processors/_runtime/sigil_runtime.py", "# runtime\n");
  const git = (...args: string[]) =>
    execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir.path });
  await git("init", "-q", "-b", "main");
  await git("add", ".");
  await git("commit", "-qm", "one", "--date", "2026-01-01T00:00:00Z");
  await write("processors/llm/echo/main.py", "print('echo 2')\n");
  await git("commit", "-qam", "two");
  return dir;
}

function env(dir: string) {
  return {
    PATH: `${FAKE_DOCKER}:${process.env.PATH}`,
    HOME: dir,
    DOCKER_FAKE_REGISTRY: registry.host,
    DOCKER_FAKE_LOG: join(dir, "docker.log"),
    GITHUB_REPOSITORY: SCOPE,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "42",
  };
}

describe("sigil build", () => {
  test("--push builds every processor with buildx, asserts the pushed index, writes pins.json", async () => {
    await using dir = await project();
    const args = ["build", "--push", "--mirror", `ghcr.io=${registry.host}`, "--json"];
    const run = await runCli(args, { cwd: dir.path, env: env(dir.path) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const pins = JSON.parse(await readFile(join(dir.path, "pins.json"), "utf8"));
    expect(Object.keys(pins)).toEqual(["llm/echo@1", "vision/blur@1"]);
    const echo = pins["llm/echo@1"];
    const head = (await execa("git", ["rev-parse", "HEAD"], { cwd: dir.path })).stdout;
    expect(echo).toMatchObject({
      image: `ghcr.io/${SCOPE}/llm-echo`,
      tag: `sha-${head.slice(0, 12)}`,
      platforms: ["linux/amd64", "linux/arm64"],
      source_commit: head,
      run_url: `https://github.com/${SCOPE}/actions/runs/42`,
    });
    expect(Object.keys(echo.platform_digests)).toEqual(["linux/amd64", "linux/arm64"]);

    const calls = (await readFile(join(dir.path, "docker.log"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(calls).toHaveLength(2);
    const commitTime = (await execa("git", ["log", "-1", "--format=%ct"], { cwd: dir.path })).stdout;
    expect(calls[0].SOURCE_DATE_EPOCH).toBe(commitTime);
    expect(calls[0].argv).toEqual(
      expect.arrayContaining(["--platform", "linux/amd64,linux/arm64", "--push", "--provenance=false"]),
    );
    // The Dockerfiles' `COPY --from=runtime`: the repository's own runtime when it has one.
    expect(calls[0].argv).toEqual(
      expect.arrayContaining(["--build-context", `runtime=${join(dir.path, "processors/_runtime")}`]),
    );

    // Same sources, same digests: a rebuild (provenance off) pins the same index.
    const again = await runCli(args, { cwd: dir.path, env: env(dir.path) });
    expect(JSON.parse(again.stdout).pins["llm/echo@1"].digest).toBe(echo.digest);

    // The pins apply to the registry, and the pinned registry checks out.
    expect((await runCli(["registry", "pin", "pins.json"], { cwd: dir.path, env: env(dir.path) })).code).toBe(
      0,
    );
    const check = await runCli(["registry", "check", "--mirror", `ghcr.io=${registry.host}`], {
      cwd: dir.path,
      env: env(dir.path),
    });
    expect(check.code, check.stdout).toBe(0);
  });

  test("--changed-since builds only the processors whose source changed", async () => {
    await using dir = await project();
    const run = await runCli(
      ["build", "--changed-since", "HEAD~1", "--push", "--mirror", `ghcr.io=${registry.host}`, "--json"],
      { cwd: dir.path, env: env(dir.path) },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(Object.keys(JSON.parse(run.stdout).pins)).toEqual(["llm/echo@1"]);
  });

  test("a builder that drops a platform fails the build with ERR_IMAGE_PLATFORMS and writes no pins", async () => {
    await using dir = await project();
    const run = await runCli(
      ["build", "llm/echo@1", "--push", "--mirror", `ghcr.io=${registry.host}`, "--json"],
      {
        cwd: dir.path,
        env: { ...env(dir.path), DOCKER_FAKE_DROP: "linux/arm64" },
      },
    );
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stdout).error;
    expect(error.code).toBe("ERR_IMAGE_PLATFORMS");
    expect(error.message).toContain("linux/arm64");
    await expect(readFile(join(dir.path, "pins.json"), "utf8")).rejects.toThrow();
  });

  test("a failing buildx is ERR_BUILD with the tail of its output", async () => {
    await using dir = await project();
    const failing = await runCli(["build", "llm/echo@1", "--push", "--json"], {
      cwd: dir.path,
      env: { ...env(dir.path), DOCKER_FAKE_FAIL: "1" },
    });
    expect(failing.code).toBe(1);
    const error = JSON.parse(failing.stdout).error;
    expect(error.code).toBe("ERR_BUILD");
    expect(error.message, error.message).toContain("failed to solve");
  });
});
