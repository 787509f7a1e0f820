import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const FIXTURES = join(REPO_ROOT, "test/fixtures/modal");
const PINNED = join(FIXTURES, "registry");
const TAGGED = join(REPO_ROOT, "registry/processors");
const OPENAI = "sk-planted-openai-value-0123456789";
const REPLICATE = "r8_planted_replicate_value_987654";
const ECHO = "echo-planted-value-abcdef123456";
const TOKEN_SECRET = "as-planted-token-secret-55555";

interface Call {
  argv: string[];
  env: Record<string, string>;
  fromJson?: string;
  fileMode?: string;
}

async function fakeModal(dir: string, extra: NodeJS.ProcessEnv = {}) {
  const log = join(dir, "calls.ndjson");
  const state = join(dir, "secrets.json");
  await writeFile(log, "");
  const env: NodeJS.ProcessEnv = {
    PATH: `${join(FIXTURES, "fake-bin")}:${process.env.PATH}`,
    FAKE_MODAL_LOG: log,
    FAKE_MODAL_STATE: state,
    MODAL_TOKEN_ID: "ak-planted-token-id",
    MODAL_TOKEN_SECRET: TOKEN_SECRET,
    MODAL_ENVIRONMENT: "sigil-main",
    ...extra,
  };
  const calls = async (): Promise<Call[]> =>
    (await readFile(log, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  return { env, state, calls };
}

describe("sigil modal name", () => {
  it("prints the name alone, or {name, fallback} with --json", async () => {
    await using dir = await tempDir();
    const plain = await runCli(
      ["modal", "name", "--ref", "llm/litellm@1", "--env", "dev", "--branch", "feat/x", "--user", "ana"],
      { cwd: dir.path },
    );
    expect(plain).toMatchObject({ code: 0, stdout: "feat-x-ana-llm-litellm-v1\n" });
    const json = await runCli(["modal", "name", "--ref", "llm/litellm@1", "--env", "dev", "--json"], {
      cwd: dir.path,
    });
    expect(JSON.parse(json.stdout)).toEqual({ name: "llm-litellm-v1", fallback: true });
    expect(json.stderr).toContain("falling back to the canonical name");
  });
});

describe("sigil modal render", () => {
  it("writes the golden module for main to --out", async () => {
    await using dir = await tempDir();
    const result = await runCli(
      ["modal", "render", "--env", "main", "--registry", PINNED, "--out", "modal_app.py"],
      { cwd: dir.path },
    );
    expect(result.code).toBe(0);
    expect(await readFile(join(dir.path, "modal_app.py"), "utf8")).toBe(
      await readFile(join(FIXTURES, "modal_app.main.py"), "utf8"),
    );
  });

  it("refuses unpinned images in main with ERR_IMAGE_UNPINNED", async () => {
    await using dir = await tempDir();
    const result = await runCli(["modal", "render", "--env", "main", "--registry", TAGGED, "--json"], {
      cwd: dir.path,
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: "ERR_IMAGE_UNPINNED",
      message: expect.stringContaining("image not pinned"),
    });
  });
});

describe("sigil modal deploy", () => {
  it("deploys each app through the modal CLI, token only in its environment", async () => {
    await using dir = await tempDir();
    const fake = await fakeModal(dir.path, { OPENAI_API_KEY: OPENAI });
    const result = await runCli(["modal", "deploy", "--env", "main", "--registry", PINNED, "--json"], {
      cwd: dir.path,
      env: fake.env,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).apps.map((a: { app: string }) => a.app)).toEqual([
      "llm-litellm-v1",
      "test-echo-v1",
      "vision-replicate-v1",
    ]);
    const calls = await fake.calls();
    expect(calls.map((c) => [c.argv[0], c.argv[1]?.split("::")[1], ...c.argv.slice(2)])).toEqual([
      ["deploy", "app_llm_litellm_v1", "--env", "sigil-main"],
      ["deploy", "app_test_echo_v1", "--env", "sigil-main"],
      ["deploy", "app_vision_replicate_v1", "--env", "sigil-main"],
    ]);
    for (const call of calls) {
      expect(call.env.MODAL_TOKEN_SECRET).toBe(TOKEN_SECRET);
      expect(call.env.OPENAI_API_KEY).toBeUndefined();
      expect(JSON.stringify(call.argv)).not.toContain(TOKEN_SECRET);
    }
    expect(result.stdout + result.stderr).not.toContain(TOKEN_SECRET);
  });

  it("unpinned image in main: ERR_IMAGE_UNPINNED before any modal command runs", async () => {
    await using dir = await tempDir();
    const fake = await fakeModal(dir.path);
    const result = await runCli(["modal", "deploy", "--env", "main", "--registry", TAGGED, "--json"], {
      cwd: dir.path,
      env: fake.env,
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe("ERR_IMAGE_UNPINNED");
    expect(await fake.calls()).toEqual([]);
  });

  it("a failing modal deploy is ERR_MODAL_CLI with a redacted tail", async () => {
    await using dir = await tempDir();
    const fake = await fakeModal(dir.path, { FAKE_MODAL_FAIL: "deploy" });
    const result = await runCli(["modal", "deploy", "--env", "main", "--registry", PINNED, "--json"], {
      cwd: dir.path,
      env: fake.env,
    });
    expect(result.code).toBe(1);
    const error = JSON.parse(result.stdout).error;
    expect(error).toMatchObject({
      code: "ERR_MODAL_CLI",
      message: expect.stringContaining("modal CLI command failed"),
    });
    expect(result.stdout + result.stderr).not.toContain(TOKEN_SECRET);
    expect(await fake.calls()).toHaveLength(1);
  });
});

describe("sigil modal secrets sync", () => {
  it("creates only the missing secrets, values through a private file, never argv, env, stdout or stderr", async () => {
    await using dir = await tempDir();
    const fake = await fakeModal(dir.path, {
      OPENAI_API_KEY: OPENAI,
      REPLICATE_API_TOKEN: REPLICATE,
      ECHO_API_KEY: ECHO,
    });
    await writeFile(fake.state, JSON.stringify(["sigil-echo-api-key"]));
    const result = await runCli(
      ["modal", "secrets", "sync", "--env", "main", "--registry", PINNED, "--json"],
      { cwd: dir.path, env: fake.env },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      status: "success",
      env: "main",
      present: ["ECHO_API_KEY"],
      created: ["OPENAI_API_KEY", "REPLICATE_API_TOKEN"],
    });
    const calls = await fake.calls();
    expect(calls.map((c) => c.argv.slice(0, 3))).toEqual([
      ["secret", "list", "--json"],
      ["secret", "create", "sigil-openai-api-key"],
      ["secret", "create", "sigil-replicate-api-token"],
    ]);
    expect(calls[1]?.fromJson && JSON.parse(calls[1].fromJson)).toEqual({ OPENAI_API_KEY: OPENAI });
    expect(calls[1]?.fileMode).toBe("600");
    // The token reaches the modal CLI only through its environment; secret values not even there.
    const visible = JSON.stringify(calls.map((c) => c.argv)) + result.stdout + result.stderr;
    for (const value of [OPENAI, REPLICATE, ECHO, TOKEN_SECRET]) expect(visible).not.toContain(value);
    const childEnv = JSON.stringify(calls.map((c) => c.env));
    for (const value of [OPENAI, REPLICATE, ECHO]) expect(childEnv).not.toContain(value);
    // Second run: everything is present, nothing is created.
    const again = await runCli(
      ["modal", "secrets", "sync", "--env", "main", "--registry", PINNED, "--json"],
      { cwd: dir.path, env: fake.env },
    );
    expect(JSON.parse(again.stdout).created).toEqual([]);
  });

  it("a value GitHub does not provide is ERR_MISSING_SECRET, by name, and nothing is created", async () => {
    await using dir = await tempDir();
    const fake = await fakeModal(dir.path, { OPENAI_API_KEY: OPENAI });
    const result = await runCli(
      ["modal", "secrets", "sync", "--env", "main", "--registry", PINNED, "--json"],
      { cwd: dir.path, env: fake.env },
    );
    expect(result.code).toBe(1);
    const error = JSON.parse(result.stdout).error;
    expect(error.code).toBe("ERR_MISSING_SECRET");
    expect(error.message).toContain("missing required secret");
    expect(error.message).toContain("ECHO_API_KEY, REPLICATE_API_TOKEN");
    expect(result.stdout + result.stderr).not.toContain(OPENAI);
    expect((await fake.calls()).map((c) => c.argv[1])).toEqual(["list"]);
  });
});
