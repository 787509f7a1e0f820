import { describe, expect, test } from "vitest";
import { parseYamlStrict, SigilError } from "../../src/core/index.js";

function refusal(text: string): SigilError {
  try {
    parseYamlStrict(text, "ERR_BRIEF", "brief.yaml");
  } catch (error) {
    if (error instanceof SigilError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("parseYamlStrict: the one YAML reader", () => {
  test("reads plain YAML", () => {
    expect(parseYamlStrict("a: 1\nb: [x, y]\n", "ERR_BRIEF", "f")).toEqual({ a: 1, b: ["x", "y"] });
  });

  test.each([
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a syntax error", "a: [1, 2\n"],
    ["a tab-indented mapping", "a:\n\tb: 1\n"],
    [
      "an alias bomb",
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    ],
  ])("refuses %s with the caller's code, naming the file", (_name, text) => {
    const error = refusal(text);
    expect(error.code).toBe("ERR_BRIEF");
    expect(error.message).toContain("invalid brief: brief.yaml: ");
  });
});
