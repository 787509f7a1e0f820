import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { SigilError } from "../../src/core/index.js";
import { parseSigilConfig } from "../../src/governance/config.js";
import { loadBrief } from "../../src/jobs/index.js";
import { parseRegistryEntry } from "../../src/supply/index.js";
import { tempDir } from "../helpers/temp.js";

/** Documents that look like the real thing often enough to reach deep into each schema. */
const yamlish = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    fc.string({ unit: "binary" }),
    fc.jsonValue().map((v) => stringify(v)),
    fc.record(shape, { requiredKeys: [] }).map((v) => stringify(v)),
    fc
      .tuple(
        fc.record(shape, { requiredKeys: [] }),
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })),
      )
      .map(([a, b]) => stringify({ ...b, ...a })),
  );

function expectOnly(code: string, run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SigilError);
    expect((error as SigilError).code).toBe(code);
  }
}

describe("parsers never fail with anything but their own code", () => {
  test("registry entries: a valid entry or ERR_REGISTRY_ENTRY", () => {
    const doc = yamlish({
      ref: fc.constantFrom("llm/litellm@1", "x", "a/b@c"),
      image: fc.constantFrom("ghcr.io/o/r/x:1", `ghcr.io/o/r/x@sha256:${"a".repeat(64)}`, "nope"),
      source: fc.constantFrom("processors/x", "../x", "/abs"),
      entrypoint: fc.array(fc.string(), { maxLength: 3 }),
      timeout_s: fc.oneof(fc.integer(), fc.string()),
      secrets: fc.array(fc.constantFrom("OPENAI_API_KEY", "lower", ""), { maxLength: 2 }),
      resources: fc.jsonValue({ maxDepth: 1 }),
    });
    fc.assert(
      fc.property(doc, (text) => expectOnly("ERR_REGISTRY_ENTRY", () => parseRegistryEntry(text, "x.yaml"))),
      { numRuns: 300 },
    );
  });

  test(".github/sigil.yml: a valid config or ERR_CONFIG", () => {
    const doc = yamlish({
      registry: fc.constantFrom("registry/processors", "../etc", 5),
      governance: fc.jsonValue({ maxDepth: 2 }),
      sovereigns: fc.record(
        { users: fc.array(fc.oneof(fc.string(), fc.nat())), teams: fc.array(fc.string()) },
        { requiredKeys: [] },
      ),
      workflows: fc.jsonValue({ maxDepth: 1 }),
      pin_pr: fc.jsonValue({ maxDepth: 2 }),
    });
    fc.assert(
      fc.property(doc, (text) => expectOnly("ERR_CONFIG", () => parseSigilConfig(text))),
      { numRuns: 300 },
    );
  });

  test("briefs: a valid brief, or ERR_BRIEF / ERR_PATH_TRAVERSAL", async () => {
    await using dir = await tempDir();
    const doc = yamlish({
      schema: fc.constantFrom("sigil.brief/v1", "v2"),
      job_id: fc.constantFrom("acme-copy", "../x", "outputs", ""),
      job_type: fc.constantFrom("brand.instagram_copy", "nope"),
      context: fc.jsonValue({ maxDepth: 2 }),
      context_file: fc.constantFrom("ctx.yaml", "../../etc/passwd", "/abs"),
      model: fc.jsonValue({ maxDepth: 1 }),
      doctrine: fc.record({ id: fc.string(), version: fc.string() }),
      runtime: fc.jsonValue({ maxDepth: 1 }),
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(doc, async (text) => {
        const path = join(dir.path, `b${n++}.yaml`);
        await writeFile(path, text);
        try {
          await loadBrief(path);
        } catch (error) {
          expect(error).toBeInstanceOf(SigilError);
          expect(["ERR_BRIEF", "ERR_PATH_TRAVERSAL"]).toContain((error as SigilError).code);
        }
      }),
      { numRuns: 200 },
    );
  });
});
