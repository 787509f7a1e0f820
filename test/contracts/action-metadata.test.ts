// Every action.yml we ship: GitHub's parser, our strict shape, and agreement with the code that
// reads the inputs (names and defaults), the bundle it runs, and the umbrella action.
import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, test } from "vitest";
import { ACTIONS, inputNames } from "../../src/actions/index.js";
import { UMBRELLA_COMMANDS } from "../../src/actions/umbrella.js";
import { ACTION_FILES, actionErrors, actionMetadata, read } from "../fixtures/pr-lane/workflow-lint.js";
import { REPO_ROOT } from "../helpers/temp.js";

const SUB_ACTIONS = Object.keys(ACTIONS) as (keyof typeof ACTIONS)[];

describe.each(ACTION_FILES)("%s", (path) => {
  test("parses and converts without errors (GitHub's parser), runs on node24", () => {
    const { errors, template } = actionErrors(path, read(path));
    expect(errors).toEqual([]);
    expect(template?.runs).toMatchObject({ using: "node24" });
  });

  test("has our strict shape (no unknown keys inside inputs)", () => {
    expect(() => actionMetadata(path)).not.toThrow();
  });

  test("runs a bundle that exists in dist/", () => {
    const main = normalize(join(dirname(path), actionMetadata(path).runs.main));
    expect(main).toMatch(/^dist\/[a-z-]+\.js$/);
    expect(existsSync(join(REPO_ROOT, main))).toBe(true);
  });
});

describe.each(SUB_ACTIONS)("actions/%s", (name) => {
  const path = `actions/${name}/action.yml`;
  const definition = ACTIONS[name];

  test("exists, runs dist/<name>.js, and declares exactly the inputs the code reads", () => {
    expect(ACTION_FILES).toContain(path);
    const meta = actionMetadata(path);
    expect(meta.runs.main).toBe(`../../dist/${name}.js`);
    expect(Object.keys(meta.inputs).sort()).toEqual(inputNames(definition));
  });

  test("documents the defaults the code applies when an input is empty", () => {
    const empty = Object.fromEntries(inputNames(definition).map((n) => [n, ""]));
    const defaults = definition.inputs.parse(empty);
    for (const [key, input] of Object.entries(actionMetadata(path).inputs)) {
      if (input.default === undefined || input.default.includes("${{")) continue;
      expect([key, definition.inputs.parse({ ...empty, [key]: input.default })]).toEqual([key, defaults]);
    }
  });
});

test("the check can fail: a typo inside an input, or an unknown runtime", () => {
  const meta = read("actions/pr-lane/action.yml");
  expect(() => actionMetadata("x", meta.replace("required: false", "requird: false"))).toThrow(/requird/);
  expect(actionErrors("x", meta.replace('"node24"', '"node99"')).errors.join("\n")).toContain("node99");
});

test("the umbrella action offers every action as a command, with the same inputs and defaults", () => {
  const umbrella = actionMetadata("action.yml");
  expect(umbrella.runs.main).toBe("dist/sigil.js");
  expect(umbrella.inputs.command).toMatchObject({ required: true });
  expect(UMBRELLA_COMMANDS).toEqual(SUB_ACTIONS);
  // An input two actions share with different defaults (`lane`) has none in the umbrella: each
  // action's code applies its own when the value is empty (checked per action above).
  const defaultsOf = (key: string) =>
    new Set(
      SUB_ACTIONS.map((n) => actionMetadata(`actions/${n}/action.yml`).inputs[key]?.default).filter(
        (d) => d !== undefined,
      ),
    );
  for (const name of SUB_ACTIONS) {
    expect(umbrella.inputs.command?.description).toContain(`\`${name}\``);
    const sub = actionMetadata(`actions/${name}/action.yml`);
    for (const [key, input] of Object.entries(sub.inputs)) {
      const expected = defaultsOf(key).size > 1 ? undefined : input.default;
      expect([name, key, umbrella.inputs[key]?.default]).toEqual([name, key, expected]);
      if (expected === undefined) expect(umbrella.inputs[key]?.description).toContain(name);
    }
    for (const key of Object.keys(sub.outputs)) expect(Object.keys(umbrella.outputs)).toContain(key);
  }
  const all = new Set(
    SUB_ACTIONS.flatMap((n) => Object.keys(actionMetadata(`actions/${n}/action.yml`).inputs)),
  );
  expect(Object.keys(umbrella.inputs).sort()).toEqual(["command", ...all].sort());
});
