import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE, SigilConfig } from "../../src/core/index.js";
import { loadSigilConfig, parseSigilConfig } from "../../src/governance/index.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const DEFAULTS = {
  registry: "registry/processors",
  governance: { branch: "main", kb_space: "dev" },
  sovereigns: { users: [], teams: [], ssh_keys: [] },
  workflows: { build_pin: "main-lane.yml", world_artifact: "sigil-world" },
  pin_pr: { base: "main", labels: ["sigil", "pins"] },
  pr_lane: { inputs: {} },
};

function expectConfigError(text: string, mentions: string): void {
  let caught: unknown;
  try {
    parseSigilConfig(text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toMatchObject({ code: "ERR_CONFIG" });
  expect((caught as Error).message).toContain(ERROR_TABLE.ERR_CONFIG);
  expect((caught as Error).message).toContain(mentions);
}

describe("parseSigilConfig", () => {
  test("an empty file is every default", () => {
    expect(parseSigilConfig("")).toEqual(DEFAULTS);
    expect(parseSigilConfig("# nothing\n")).toEqual(DEFAULTS);
  });

  test("the full example of docs/contracts/sigil-config.md, without pr_lane, parses as written", () => {
    const example = `
registry: registry/processors
governance:
  repo: acme/governance
  branch: main
  kb_space: dev
sovereigns:
  users: [octocat]
  teams: [acme/sovereigns]
workflows:
  build_pin: main-lane.yml
  world_artifact: sigil-world
pin_pr:
  base: main
  labels: [sigil, pins]
`;
    expect(parseSigilConfig(example)).toEqual({
      ...DEFAULTS,
      governance: { repo: "acme/governance", branch: "main", kb_space: "dev" },
      sovereigns: { users: ["octocat"], teams: ["acme/sovereigns"], ssh_keys: [] },
    });
  });

  test("partial sections keep the other defaults; users may be numeric ids", () => {
    expect(parseSigilConfig("sovereigns:\n  users: [583231, octocat]\npin_pr:\n  base: release\n")).toEqual({
      ...DEFAULTS,
      sovereigns: { users: [583231, "octocat"], teams: [], ssh_keys: [] },
      pin_pr: { base: "release", labels: ["sigil", "pins"] },
    });
  });

  test("unknown keys are errors at every level", () => {
    expectConfigError("registyr: x\n", "registyr");
    expectConfigError("governance:\n  branhc: main\n", "branhc");
    expectConfigError("pr_lane:\n  inputs:\n    llm/litellm@1: {schema: v1, extra: 1}\n", "extra");
  });

  test("bad values, duplicate keys and YAML errors are ERR_CONFIG", () => {
    expectConfigError("registry: ../outside\n", "registry");
    expectConfigError("sovereigns:\n  teams: [no-slash]\n", "sovereigns.teams");
    expectConfigError('sovereigns:\n  ssh_keys: ["alice not-a-key-line"]\n', "sovereigns.ssh_keys");
    const line = "alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGfIPE918uQv9/k9CJKLM2y0tGwvMvpwPZl52ixDhky4";
    expect(parseSigilConfig(`sovereigns:\n  ssh_keys: ["${line}"]\n`).sovereigns.ssh_keys).toEqual([line]);
    expectConfigError("workflows:\n  build_pin: main-lane\n", "build_pin");
    expectConfigError("registry: a\nregistry: b\n", "sigil.yml");
    expectConfigError("registry: [unclosed\n", "sigil.yml");
    expectConfigError("- a list\n", "(root)");
  });

  test("the PR lane's inputs are schema v1 payloads keyed by ref, never mode: real", () => {
    const ok = parseSigilConfig("pr_lane:\n  inputs:\n    llm/litellm@1: {schema: v1, params: {a: 1}}\n");
    expect(ok.pr_lane.inputs).toEqual({ "llm/litellm@1": { schema: "v1", params: { a: 1 } } });
    expectConfigError("pr_lane:\n  inputs:\n    llm/litellm@1: {schema: v1, mode: real}\n", "mode=mock only");
    expectConfigError("pr_lane:\n  inputs:\n    not-a-ref: {schema: v1}\n", "pr_lane.inputs");
    expectConfigError("pr_lane:\n  inputs:\n    llm/litellm@1: {schema: v2}\n", "schema");
  });

  test("any unknown top-level key is refused (property)", () => {
    const known = new Set(Object.keys(SigilConfig.shape));
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 20 })
          .filter((k) => !known.has(k) && /^[a-z_][a-z0-9_]*$/.test(k)),
        fc.oneof(fc.string(), fc.integer(), fc.boolean()),
        (key, value) => {
          expect(() => parseSigilConfig(`${key}: ${JSON.stringify(value)}\n`)).toThrow(
            ERROR_TABLE.ERR_CONFIG,
          );
        },
      ),
    );
  });
});

describe("loadSigilConfig", () => {
  test("this repository's example .github/sigil.yml is valid", async () => {
    const loaded = await loadSigilConfig(REPO_ROOT);
    expect(loaded).toMatchObject({ path: ".github/sigil.yml", found: true });
    expect(Object.keys(loaded.config.pr_lane.inputs).sort()).toEqual(["llm/litellm@1", "vision/replicate@1"]);
  });

  test("a repository without the file gets the defaults and says so", async () => {
    await using dir = await tempDir();
    expect(await loadSigilConfig(dir.path)).toEqual({
      config: DEFAULTS,
      path: ".github/sigil.yml",
      found: false,
    });
  });

  test("reads another path when asked, and reports it in errors", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "conf"));
    await writeFile(join(dir.path, "conf/sigil.yml"), "pin_pr: {labels: 3}\n");
    await expect(loadSigilConfig(dir.path, "conf/sigil.yml")).rejects.toMatchObject({
      code: "ERR_CONFIG",
      message: expect.stringContaining("conf/sigil.yml"),
    });
  });
});
