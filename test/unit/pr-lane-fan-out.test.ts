import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE } from "../../src/core/index.js";
import {
  aggregateFailure,
  aggregateReports,
  type ChunkReport,
  chunkRefs,
  MAX_MATRIX_JOBS,
  planChunks,
} from "../../src/lanes/index.js";

const refs = (n: number) => Array.from({ length: n }, (_, i) => `ns/p${String(i).padStart(4, "0")}@1`);

function report(verdicts: Record<string, "pass" | "fail">): ChunkReport {
  return {
    schema: "sigil.pr-lane.v1",
    ok: Object.values(verdicts).every((v) => v === "pass"),
    processors: Object.entries(verdicts).map(([ref, verdict]) => ({
      ref,
      verdict,
      outputs: [{ path: "outputs/x.json" }],
      outputs_index_sha256: "ab".repeat(32),
      ...(verdict === "fail"
        ? { code: "ERR_NONDETERMINISTIC", message: `${ERROR_TABLE.ERR_NONDETERMINISTIC}: ${ref} differs` }
        : {}),
    })),
    timing: { total_ms: 10, processors_ms: 7 },
  };
}

describe("chunking", () => {
  test("property: every selected processor lands in exactly one chunk, in order, none too big", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 100 }), (n, size) => {
        const selected = refs(n);
        const chunks = chunkRefs(selected, size);
        expect(chunks.flatMap((c) => c.refs)).toEqual(selected);
        expect(chunks.length).toBeLessThanOrEqual(MAX_MATRIX_JOBS);
        expect(chunks.map((c) => c.chunk)).toEqual(chunks.map((_, i) => i + 1));
        const effective = Math.max(size, Math.ceil(n / MAX_MATRIX_JOBS));
        for (const c of chunks) {
          expect(c.refs.length).toBeGreaterThan(0);
          expect(c.refs.length).toBeLessThanOrEqual(effective);
        }
      }),
    );
  });

  test("the matrix: one entry per chunk, refs comma-separated; nothing selected is an empty matrix", () => {
    const plan = planChunks({ selected: refs(5), skipped: [], reason: "all" }, 2);
    expect(plan.matrix.include).toEqual([
      { chunk: 1, refs: "ns/p0000@1,ns/p0001@1" },
      { chunk: 2, refs: "ns/p0002@1,ns/p0003@1" },
      { chunk: 3, refs: "ns/p0004@1" },
    ]);
    expect(planChunks({ selected: [], skipped: ["a/b@1"], reason: "none" }, 2).matrix).toEqual({
      include: [],
    });
    expect(chunkRefs(refs(1000), 1)).toHaveLength(250);
    expect(chunkRefs(refs(1000), 1)[0]?.refs).toHaveLength(4); // 1,000 / 256 rounded up
  });

  test("a chunk size that is not a positive integer is ERR_INPUTS", () => {
    for (const size of [0, -1, 1.5]) {
      expect(() => chunkRefs(refs(3), size)).toThrow(ERROR_TABLE.ERR_INPUTS);
    }
  });
});

describe("aggregation", () => {
  const selected = ["a/x@1", "b/y@1", "c/z@1"];

  test("every selected ref passed once: one passing outcome, in the selection's order", () => {
    const agg = aggregateReports(selected, [
      report({ "c/z@1": "pass" }),
      report({ "a/x@1": "pass", "b/y@1": "pass" }),
    ]);
    expect(agg.ok).toBe(true);
    expect(agg.processors.map((p) => [p.ref, p.verdict])).toEqual([
      ["a/x@1", "pass"],
      ["b/y@1", "pass"],
      ["c/z@1", "pass"],
    ]);
    expect(agg.processors_ms).toBe(14);
    expect(aggregateFailure(agg)).toBeUndefined();
  });

  test("a failed processor fails the outcome with its own code and fragment", () => {
    const agg = aggregateReports(selected, [report({ "a/x@1": "pass", "b/y@1": "fail", "c/z@1": "pass" })]);
    expect(agg.ok).toBe(false);
    const failure = aggregateFailure(agg);
    expect(failure?.code).toBe("ERR_NONDETERMINISTIC");
    expect(failure?.message).toContain(ERROR_TABLE.ERR_NONDETERMINISTIC);
    expect(failure?.message).toContain("b/y@1");
  });

  test("a chunk that reported nothing fails its refs with ERR_LANE_INCOMPLETE", () => {
    const agg = aggregateReports(selected, [report({ "a/x@1": "pass" })]);
    expect(agg.missing).toEqual(["b/y@1", "c/z@1"]);
    const failure = aggregateFailure(agg);
    expect(failure?.code).toBe("ERR_LANE_INCOMPLETE");
    expect(failure?.message).toContain(ERROR_TABLE.ERR_LANE_INCOMPLETE);
    expect(failure?.message).toContain("b/y@1");
    expect(failure?.message).toContain("1 more failed");
  });

  test("a ref reported twice or outside the selection is never trusted", () => {
    const twice = aggregateReports(["a/x@1"], [report({ "a/x@1": "pass" }), report({ "a/x@1": "pass" })]);
    expect(twice.ok).toBe(false);
    expect(twice.unexpected).toEqual(["a/x@1"]);
    const outside = aggregateReports(["a/x@1"], [report({ "a/x@1": "pass", "evil/x@1": "pass" })]);
    expect(outside.ok).toBe(false);
    expect(aggregateFailure(outside)?.code).toBe("ERR_LANE_INCOMPLETE");
  });

  test("nothing selected and nothing reported passes", () => {
    expect(aggregateReports([], []).ok).toBe(true);
  });

  test("property: the outcome passes exactly when each selected ref is reported once as a pass", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean()), { maxLength: 30 }),
        (picked, reported) => {
          const sel = picked.map((i) => `n/p${i}@1`);
          const reports = reported.map(([i, pass]) => report({ [`n/p${i}@1`]: pass ? "pass" : "fail" }));
          const counts = new Map<string, { n: number; pass: boolean }>();
          for (const [i, pass] of reported) {
            const c = counts.get(`n/p${i}@1`) ?? { n: 0, pass: true };
            counts.set(`n/p${i}@1`, { n: c.n + 1, pass: c.pass && pass });
          }
          const expected =
            [...counts.keys()].every((r) => sel.includes(r)) &&
            sel.every((r) => counts.get(r)?.n === 1 && counts.get(r)?.pass === true);
          expect(aggregateReports(sel, reports).ok).toBe(expected);
        },
      ),
    );
  });
});
