import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { canonicalize, parseJsonStrict, SigilError } from "../../src/core/index.js";
import { resolveInputs } from "../../src/run/index.js";
import { REPO_ROOT } from "../helpers/temp.js";

const JCS_DIR = join(REPO_ROOT, "test/vectors/jcs");

describe("RFC 8785 vectors (cyberphone testdata)", () => {
  const names = readdirSync(join(JCS_DIR, "input")).filter((n) => n.endsWith(".json"));
  test("all six vector files are present", () => {
    expect(names.sort()).toEqual(["arrays.json", "french.json", "structures.json", "unicode.json", "values.json", "weird.json"]);
  });
  test.each(names)("%s canonicalizes byte for byte", (name) => {
    const input = readFileSync(join(JCS_DIR, "input", name), "utf8");
    const expected = readFileSync(join(JCS_DIR, "output", name));
    expect(Buffer.from(canonicalize(parseJsonStrict(input)), "utf8").equals(expected)).toBe(true);
  });
});

interface CanonicalCase {
  name: string;
  input: string;
  canonical?: string;
  error?: string;
}
interface HashCase {
  name: string;
  input: string;
  mode: "mock" | "real";
  inputs_hash?: string;
  error?: string;
}
const cross = JSON.parse(readFileSync(join(REPO_ROOT, "test/vectors/cross-language.json"), "utf8")) as {
  canonical: CanonicalCase[];
  inputs_hash: HashCase[];
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof SigilError) return error.code;
    throw error;
  }
}

describe("cross-language vectors (the Python runtime checks the same file)", () => {
  test("the file covers acceptance and refusal", () => {
    expect(cross.canonical.filter((c) => c.error).length).toBeGreaterThan(5);
    expect(cross.canonical.filter((c) => c.canonical !== undefined).length).toBeGreaterThan(10);
    expect(cross.inputs_hash.filter((c) => c.error).length).toBeGreaterThan(5);
  });
  test.each(cross.canonical)("canonical: $name", (c) => {
    if (c.error) {
      expect(codeOf(() => canonicalize(parseJsonStrict(c.input)))).toBe(c.error);
    } else {
      expect(canonicalize(parseJsonStrict(c.input))).toBe(c.canonical);
    }
  });
  test.each(cross.inputs_hash)("inputs_hash: $name", (c) => {
    if (c.error) {
      expect(codeOf(() => resolveInputs(c.input, c.mode))).toBe(c.error);
    } else {
      expect(resolveInputs(c.input, c.mode).inputsHash).toEqual({ value: c.inputs_hash, hash_schema: "jcs-sha256-v1" });
    }
  });
});
