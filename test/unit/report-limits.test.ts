import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { clip, createKeyedLock, fitMarkdown } from "../../src/governance/index.js";

describe("fitting reports under GitHub's limits", () => {
  test("text under the limit is returned as it is", () => {
    expect(fitMarkdown("# ok\n", 100)).toEqual({ text: "# ok\n", truncated: false, omittedLines: 0 });
  });

  test("text over the limit keeps whole lines, says how many were left out and links the full report", () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `| row ${i} | ${"x".repeat(80)} |`);
    const fitted = fitMarkdown(lines.join("\n"), 65_535 / 10, "https://example.test/full.md");
    expect(fitted.truncated).toBe(true);
    expect(fitted.text.length).toBeLessThanOrEqual(6553);
    expect(fitted.text).toContain(`${fitted.omittedLines} of 1000 lines not shown`);
    expect(fitted.text).toContain("[Full report](https://example.test/full.md)");
    const kept = fitted.text.split("\n").filter((l) => l.startsWith("| row"));
    expect(kept.length).toBe(1000 - fitted.omittedLines);
    expect(kept.every((l, i) => l === lines[i])).toBe(true);
  });

  test("a code fence cut open (a Mermaid diagram) is closed before the footer", () => {
    const markdown = [
      "# r",
      "```mermaid",
      ...Array.from({ length: 500 }, (_, i) => `  r${i} --> r${i + 1}`),
      "```",
    ].join("\n");
    const fitted = fitMarkdown(markdown, 2000);
    const fences = fitted.text.split("\n").filter((l) => l.startsWith("```")).length;
    expect(fences % 2).toBe(0);
    expect(fitted.text.length).toBeLessThanOrEqual(2000);
  });

  test("property: the result never exceeds the limit, and is the input itself when it fits", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 3000 }),
        fc.integer({ min: 400, max: 2500 }),
        (text, limit) => {
          const fitted = fitMarkdown(text, limit, "https://example.test/r");
          expect(fitted.text.length).toBeLessThanOrEqual(limit);
          if (text.length <= limit) expect(fitted.text).toBe(text);
          else expect(fitted.truncated).toBe(true);
          // No lone high surrogate at the cut.
          expect(/[\uD800-\uDBFF]$/.test(fitted.text)).toBe(false);
        },
      ),
    );
  });

  test("clip never splits a surrogate pair", () => {
    expect(clip("ab😀", 3)).toBe("ab");
    expect(clip("ab😀", 4)).toBe("ab😀");
  });

  test("the keyed lock runs one function at a time per key, others concurrently, and survives a failure", async () => {
    const lock = createKeyedLock();
    const events: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const a1 = lock.run("a", async () => {
      events.push("a1 start");
      await gate;
      events.push("a1 end");
      throw new Error("boom");
    });
    const a2 = lock.run("a", async () => {
      events.push("a2");
    });
    const b = lock.run("b", async () => {
      events.push("b");
    });
    await b;
    expect(events).toEqual(["a1 start", "b"]);
    release();
    await expect(a1).rejects.toThrow("boom");
    await a2;
    expect(events).toEqual(["a1 start", "b", "a1 end", "a2"]);
  });
});
