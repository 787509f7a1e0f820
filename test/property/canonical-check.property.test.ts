import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalize, isCanonicalJson, isCanonicalJsonText } from "../../src/core/index.js";

/** The slow, obviously right definition: the text is what canonicalize makes of its value. */
function reference(text: string): boolean {
  try {
    return canonicalize(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

const json = fc.jsonValue({ maxDepth: 5 });
/** Full Unicode strings, lone surrogates included. */
const anyText = fc.string({ unit: "binary", maxLength: 40 });

describe("isCanonicalJson agrees with canonicalize()", () => {
  test("canonical text of any value is canonical; reformatted text only when identical", () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalize(value);
        expect(isCanonicalJsonText(text)).toBe(true);
        expect(isCanonicalJson(Buffer.from(text, "utf8"))).toBe(true);
        for (const other of [JSON.stringify(value, null, 1), JSON.stringify(value), ` ${text}`]) {
          expect(isCanonicalJsonText(other)).toBe(reference(other));
        }
      }),
      { numRuns: 300 },
    );
  });

  test("any JSON text, any string and any text are judged as the reference judges them", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json({ maxDepth: 4 }),
          anyText,
          anyText.map((s) => JSON.stringify(s)),
        ),
        (text) => {
          expect(isCanonicalJsonText(text)).toBe(reference(text));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test.each([
    ['{"a":1,"b":2}', true],
    ['{"b":1,"a":2}', false],
    ['{"a":1,"a":1}', false],
    ['{"a": 1}', false],
    ["-0", false],
    ["1E5", false],
    ["100000", true],
    ["1e+21", true],
    ["1.50", false],
    ['"\\u00e9"', false],
    ['"é"', true],
    ['"\\u001f"', true],
    ['"\\u001F"', false],
    ['"\\u000a"', false],
    ['"\\n"', true],
    ['"\\/"', false],
    ['"\\ud800"', false],
    ["[1,2]", true],
    ["[1,2,]", false],
    ["{}", true],
    ["", false],
  ])("%s → %s", (text, expected) => {
    expect(isCanonicalJsonText(text)).toBe(expected);
    expect(reference(text)).toBe(expected);
  });

  test("bytes that are not UTF-8 are not canonical", () => {
    expect(isCanonicalJson(Buffer.from([0x22, 0xff, 0x22]))).toBe(false);
  });
});
