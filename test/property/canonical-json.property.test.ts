import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  canonicalize,
  canonicalString,
  parseJsonStrict,
  SigilError,
  sha256Hex,
} from "../../src/core/index.js";
import { resolveInputs } from "../../src/run/index.js";

const json = fc.jsonValue({ maxDepth: 6 });

/** Rebuilds every object with its keys in reverse insertion order. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value && typeof value === "object") {
    const entries = Object.entries(value).reverse();
    return Object.fromEntries(entries.map(([k, v]) => [k, reorder(v)]));
  }
  return value;
}

describe("canonical JSON properties", () => {
  test("canonical text is a fixed point: parse then canonicalize gives the same bytes", () => {
    fc.assert(
      fc.property(json, (value) => {
        const once = canonicalize(value);
        expect(canonicalize(parseJsonStrict(once))).toBe(once);
      }),
    );
  });

  test("key order never changes the bytes or the hash", () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(sha256Hex(canonicalize(reorder(value)))).toBe(sha256Hex(canonicalize(value)));
      }),
    );
  });

  test("the strict parser agrees with JSON.parse on valid JSON without duplicates", () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = JSON.stringify(value, null, 1);
        expect(canonicalize(parseJsonStrict(text))).toBe(canonicalize(JSON.parse(text)));
      }),
    );
  });

  test("canonical output is valid JSON that round-trips to an equal value", () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(JSON.parse(canonicalize(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  test("a well-formed string is written exactly as JSON.stringify writes it, escapes included", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.string({
        unit: fc.constantFrom('"', "\\", "\n", "\u0000", "\u001f", "\u007f", "a", "é", "😀"),
        maxLength: 12,
      }),
    );
    fc.assert(
      fc.property(
        text.filter((s) => s.isWellFormed()),
        (s) => {
          expect(canonicalString(s)).toBe(JSON.stringify(s));
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("any string with a lone surrogate is refused with ERR_INPUTS", () => {
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string(), lone, fc.string(), (a, s, b) => {
        expect(() => canonicalize({ k: a + s + b.replace(/[\ud800-\udfff]/g, "") })).toThrow(
          /invalid inputs payload/,
        );
      }),
    );
  });

  test("a duplicated key anywhere is refused", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), json, json, (key, a, b) => {
        const text = `{"x":{${JSON.stringify(key)}:${JSON.stringify(a)},${JSON.stringify(key)}:${JSON.stringify(b)}}}`;
        expect(() => parseJsonStrict(text)).toThrow(SigilError);
      }),
    );
  });
});

describe("inputs payload property", () => {
  test("random JSON is either a valid v1 payload or ERR_INPUTS, never another failure", () => {
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          schema: fc.oneof(fc.constant("v1"), fc.string()),
          model: fc.oneof(fc.string(), fc.integer()),
          params: fc.oneof(fc.object(), fc.jsonValue()),
          files: fc.oneof(fc.object(), fc.jsonValue()),
          mode: fc.oneof(fc.constantFrom("mock", "real"), fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(payload, fc.constantFrom(undefined, "mock" as const), (value, flag) => {
        const text = JSON.stringify(value) ?? "null";
        try {
          const resolved = resolveInputs(text, flag);
          expect(resolved.normalized.schema).toBe("v1");
          expect(resolved.inputsHash.value).toMatch(/^[0-9a-f]{64}$/);
        } catch (error) {
          expect(error).toBeInstanceOf(SigilError);
          expect((error as SigilError).code).toBe("ERR_INPUTS");
          expect((error as SigilError).message).toContain("invalid inputs payload");
        }
      }),
      { numRuns: 300 },
    );
  });

  test("arbitrary text never crashes the parser: it parses or is ERR_INPUTS", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        try {
          parseJsonStrict(text);
        } catch (error) {
          expect((error as SigilError).code).toBe("ERR_INPUTS");
        }
      }),
      { numRuns: 500 },
    );
  });
});
