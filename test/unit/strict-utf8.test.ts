import { describe, expect, test } from "vitest";
import { decodeUtf8Strict, SigilError } from "../../src/core/index.js";
import { resolveInputs } from "../../src/run/index.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof SigilError ? `${error.code}: ${error.message}` : String(error);
  }
  return undefined;
}

describe("strict UTF-8 for inputs", () => {
  test("valid UTF-8 decodes unchanged, multi-byte characters included", () => {
    const text = '{"a":"é€😀"}';
    expect(decodeUtf8Strict(Buffer.from(text, "utf8"), "x")).toBe(text);
  });

  test.each([
    ["a lone continuation byte", [0x7b, 0x80, 0x7d], 1],
    ["0xff", [0x22, 0x61, 0xff, 0x22], 2],
    ["a truncated sequence", [0x22, 0xe2, 0x82], 1],
    ["an overlong encoding", [0xc0, 0xaf], 0],
    ["an encoded surrogate", [0x20, 0xed, 0xa0, 0x80], 1],
  ])("%s is refused with ERR_INPUTS naming the offset", (_name, bytes, offset) => {
    expect(codeOf(() => decodeUtf8Strict(Uint8Array.from(bytes), "inputs.json"))).toBe(
      `ERR_INPUTS: invalid inputs payload: inputs.json is not valid UTF-8 (first bad byte at offset ${offset})`,
    );
  });

  test("a BOM is kept, so the strict JSON parser refuses it as Python's json does", () => {
    const text = decodeUtf8Strict(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), "x");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(codeOf(() => resolveInputs(text, undefined))).toMatch(/^ERR_INPUTS/);
  });

  test("a lone surrogate in an argv payload is refused with ERR_INPUTS", () => {
    expect(codeOf(() => resolveInputs('{"schema":"v1","params":{"x":"\ud800"}}', undefined))).toMatch(
      /^ERR_INPUTS: invalid inputs payload: .*lone surrogate/,
    );
  });
});
