import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  buildLineage,
  esc,
  html,
  layoutGraph,
  NODE_HEIGHT,
  NODE_WIDTH,
  runKey,
} from "../../src/report/index.js";

/** Full Unicode strings, lone surrogates and control characters included. */
const anyText = fc.string({ unit: "binary", maxLength: 60 });

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};
const decode = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);

describe("esc: World text never becomes markup", () => {
  test("no markup character survives, and decoding gives back the text (controls shown as U+FFFD)", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = esc(text);
        expect(out).not.toMatch(/[<>"']/);
        expect(out.replace(/&(?:amp|lt|gt|quot|#39);/g, "")).not.toContain("&");
        const isControl = (n: number) => (n < 32 && n !== 9 && n !== 10 && n !== 13) || n === 127;
        const expected = [...text.toWellFormed()]
          .map((c) => (isControl(c.codePointAt(0) ?? 0) ? "\uFFFD" : c))
          .join("");
        expect(decode(out)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  test("the html template escapes every interpolated value, arrays included", () => {
    fc.assert(
      fc.property(anyText, fc.array(anyText, { maxLength: 3 }), (a, list) => {
        const out = html`<p title="${a}">${list}</p>`.text;
        expect(out).toBe(`<p title="${esc(a)}">${list.map(esc).join("")}</p>`);
      }),
    );
  });
});

describe("runKey: one key per run path, safe everywhere", () => {
  const segment = fc.string({ unit: "binary", minLength: 1, maxLength: 40 }).filter((s) => !s.includes("/"));
  const path = fc.tuple(segment, segment).map(([job, run]) => `${job}/${run}`);

  test("keys are plain ASCII names, short enough for a file name", () => {
    fc.assert(
      fc.property(path, (p) => {
        const key = runKey(p);
        expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(key.length).toBeLessThanOrEqual(120);
      }),
    );
  });

  test("different paths give different keys", () => {
    fc.assert(
      fc.property(path, path, (a, b) => {
        expect(runKey(a) === runKey(b)).toBe(a.toWellFormed() === b.toWellFormed());
      }),
      { numRuns: 500 },
    );
  });
});

describe("layoutGraph: the lineage laid out at generation time", () => {
  // Random forests of runs: each run may consume one earlier run (chains and fan-out).
  const forest = fc
    .array(fc.option(fc.nat(), { nil: undefined }), { minLength: 1, maxLength: 25 })
    .map((ups) =>
      ups.map((up, i) => ({
        path: `job-${i}/r${i}`,
        ...(up !== undefined && i > 0 ? { upstream: { job_id: `job-${up % i}`, run_id: `r${up % i}` } } : {}),
      })),
    );

  test("deterministic, every node placed apart, every edge from its upstream's box to its consumer's", () => {
    fc.assert(
      fc.property(forest, (runs) => {
        const lineage = buildLineage(runs);
        const first = layoutGraph(lineage.nodes, lineage.edges);
        expect(layoutGraph(lineage.nodes, lineage.edges)).toEqual(first);
        expect(first.nodes.map((n) => n.id)).toEqual(lineage.nodes);
        const at = new Map(first.nodes.map((n) => [n.id, n]));
        for (const [i, a] of first.nodes.entries()) {
          for (const b of first.nodes.slice(i + 1)) {
            const apart = Math.abs(a.x - b.x) >= NODE_WIDTH - 0.5 || Math.abs(a.y - b.y) >= NODE_HEIGHT - 0.5;
            expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
          }
        }
        for (const e of first.edges) {
          const [from, to] = [at.get(e.from), at.get(e.to)];
          expect(from && to).toBeTruthy();
          // Top to bottom: an upstream sits above what consumes it.
          expect((from?.y ?? 0) < (to?.y ?? 0)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
