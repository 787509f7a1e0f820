import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  canonicalize,
  isCanonicalJson,
  isCanonicalJsonText,
  parseJsonCanonicalFirst,
  parseJsonStrict,
} from "../../src/core/index.js";

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

describe("parseJsonCanonicalFirst reads what parseJsonStrict reads", () => {
  /** The strict parser's outcome: its value as plain JSON, or the error code and message. */
  const strict = (text: string) => {
    try {
      return { value: JSON.stringify(parseJsonStrict(text)) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  test("same value or same refusal, and canonical exactly when the bytes are", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          json.map((value) => canonicalize(value)),
          fc.json({ maxDepth: 4 }),
          anyText,
          anyText.map((s) => `{"k":${JSON.stringify(s)}}`),
        ),
        (text) => {
          const bytes = Buffer.from(text, "utf8");
          let got: { value?: string; error?: string; canonical?: boolean };
          try {
            const parsed = parseJsonCanonicalFirst(bytes);
            got = { value: JSON.stringify(parsed.value), canonical: parsed.canonical };
          } catch (error) {
            got = { error: (error as Error).message };
          }
          const { canonical, ...outcome } = got;
          expect(outcome).toEqual(strict(bytes.toString("utf8")));
          if (canonical !== undefined) expect(canonical).toBe(isCanonicalJson(bytes));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test.each([
    ['{"a":1,"a":2}', "ERR_INPUTS"],
    ['"\\ud800"', "ERR_INPUTS"],
    ["1e999", "ERR_INPUTS"],
  ])("%s is refused as the strict parser refuses it", (text, code) => {
    expect(() => parseJsonCanonicalFirst(Buffer.from(text))).toThrow(expect.objectContaining({ code }));
  });

  test("a __proto__ key is data, not a prototype", () => {
    const { value, canonical } = parseJsonCanonicalFirst(Buffer.from('{"__proto__":{"x":1}}'));
    expect(canonical).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value as object, "__proto__")).toBe(true);
  });
});
