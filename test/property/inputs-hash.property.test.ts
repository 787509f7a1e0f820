import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalize, sha256Hex } from "../../src/core/index.js";
import { computeInputsHash } from "../../src/world/snapshots.js";

/** The definition (docs/contracts/world.md): sha256 of JCS of `[{path, sha256}]` sorted by path. */
function reference(entries: readonly { path: string; sha256: string }[]): string {
  const listing = entries
    .map(({ path, sha256 }) => ({ path, sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sha256Hex(canonicalize(listing));
}

const outcome = (f: () => string) => {
  try {
    return { hash: f() };
  } catch (error) {
    return { error: (error as { code?: string }).code };
  }
};

describe("computeInputsHash is the JCS listing's sha256", () => {
  test("for any paths and digests, in any order, with extra fields ignored", () => {
    const text = fc.string({ unit: "binary", maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            path: text,
            sha256: fc.oneof(text, fc.stringMatching(/^[0-9a-f]{64}$/)),
            bytes: fc.nat(),
          }),
          {
            maxLength: 6,
          },
        ),
        (entries) => {
          expect(outcome(() => computeInputsHash(entries))).toEqual(outcome(() => reference(entries)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("a lone surrogate in a path is refused as canonicalize refuses it", () => {
    expect(outcome(() => computeInputsHash([{ path: "inputs/\ud800", sha256: "0".repeat(64) }]))).toEqual({
      error: "ERR_INPUTS",
    });
  });

  test("a known listing keeps its digest", () => {
    const entries = [
      { path: "inputs/b.json", sha256: "b".repeat(64) },
      { path: "inputs/a.json", sha256: "a".repeat(64) },
    ];
    expect(computeInputsHash(entries)).toBe(
      sha256Hex(
        `[{"path":"inputs/a.json","sha256":"${"a".repeat(64)}"},{"path":"inputs/b.json","sha256":"${"b".repeat(64)}"}]`,
      ),
    );
  });
});
