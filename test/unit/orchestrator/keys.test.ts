import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { sha256Hex } from "../../../src/core/index.js";
import { closeoutKey, firstKey, nextKey, validateKeyChain } from "../../../src/orchestrator/index.js";

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

describe("idempotency keys", () => {
  test("exactly the formulas: sha256 of concatenations", () => {
    expect(firstKey("icx-const", "ab".repeat(32))).toBe(sha256Hex(`icx-const${"ab".repeat(32)}`));
    expect(nextKey("1".repeat(64), "2".repeat(64))).toBe(sha256Hex(`${"1".repeat(64)}${"2".repeat(64)}`));
    expect(closeoutKey(["a", "b"], "c")).toBe(sha256Hex("abc"));
  });
  test("a chain validates; any edited key or payload digest is ERR_ORCH_CONTEXT", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        hex64,
        fc.array(hex64, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (subject, version, shas, pick) => {
          const links: { name: string; key: string; payload_sha: string }[] = [];
          shas.forEach((sha, i) => {
            const prev = links[i - 1];
            links.push({
              name: `p${i}`,
              payload_sha: sha,
              key: prev ? nextKey(prev.key, sha) : firstKey(subject, version),
            });
          });
          validateKeyChain(subject, version, links);
          const at = pick % links.length;
          const broken = links.map((l, i) => (i === at ? { ...l, key: sha256Hex(l.key) } : l));
          expect(() => validateKeyChain(subject, version, broken)).toThrow(/run context is invalid/);
        },
      ),
      { numRuns: 50 },
    );
  });
});
