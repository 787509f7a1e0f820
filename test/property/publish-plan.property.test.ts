import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ERROR_TABLE, type SigilError } from "../../src/core/index.js";
import {
  assertPublishPath,
  gitBlobSha,
  type HeadEntry,
  type PublishFile,
  planUnit,
} from "../../src/governance/index.js";

const segment = fc.stringMatching(/^[a-z0-9_-][a-z0-9._-]{0,7}$/).filter((s) => s !== "." && s !== "..");
const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
const bytes = fc.uint8Array({ maxLength: 24 });
const files = fc.uniqueArray(fc.record({ path, bytes, append: fc.boolean() }), {
  selector: (f) => f.path,
  maxLength: 6,
});

/** A head holding `blobs` (path → bytes) with every ancestor folder, as a backend reports it. */
function headOf(blobs: Map<string, Uint8Array>) {
  const entries = new Map<string, HeadEntry>();
  const store = new Map<string, Uint8Array>();
  for (const [p, b] of blobs) {
    const sha = gitBlobSha(b);
    store.set(sha, b);
    entries.set(p, { type: "blob", mode: "100644", sha });
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++)
      entries.set(parts.slice(0, i).join("/"), { type: "tree", mode: "040000", sha: "0".repeat(40) });
  }
  return { entries, readBlob: async (sha: string) => store.get(sha) ?? new Uint8Array() };
}

const unitOf = (list: { path: string; bytes: Uint8Array; append: boolean }[]) => ({
  message: "m",
  files: list.map(
    (f): PublishFile => ({ path: f.path, bytes: f.bytes, ...(f.append ? { mode: "append" as const } : {}) }),
  ),
});

describe("the publish planner", () => {
  it("accepts plain relative paths and refuses traversal, absolute and .git paths", () => {
    fc.assert(
      fc.property(
        path,
        fc.constantFrom("..", ".", "", ".git", ".GIT", "a\\b", "x\u0001"),
        fc.nat(3),
        (p, bad, at) => {
          expect(() => assertPublishPath(p)).not.toThrow();
          const parts = p.split("/");
          parts.splice(Math.min(at, parts.length), 0, bad);
          const error = (() => {
            try {
              assertPublishPath(parts.join("/"));
            } catch (e) {
              return e as SigilError;
            }
          })();
          expect(error?.code).toBe("ERR_PATH_TRAVERSAL");
          expect(error?.message).toContain(ERROR_TABLE.ERR_PATH_TRAVERSAL);
        },
      ),
    );
  });

  it("never rewrites: every planned write is new or an append, and replaying the result plans nothing", async () => {
    await fc.assert(
      fc.asyncProperty(files, files, async (existing, incoming) => {
        const blobs = new Map<string, Uint8Array>(existing.map((f) => [f.path, f.bytes]));
        const head = headOf(blobs);
        let plan: Awaited<ReturnType<typeof planUnit>>;
        try {
          plan = await planUnit(unitOf(incoming), head);
        } catch (e) {
          expect((e as SigilError).code).toBe("ERR_PUBLISH_CONFLICT");
          return;
        }
        for (const write of plan.writes) {
          const wanted = incoming.find((f) => f.path === write.path);
          if (!wanted?.append) expect(blobs.has(write.path)).toBe(false);
          expect(write.sha).toBe(gitBlobSha(write.bytes));
        }
        for (const w of plan.writes) blobs.set(w.path, w.bytes);
        const again = await planUnit(unitOf(incoming), headOf(blobs));
        expect(again.writes).toEqual([]);
        expect(again.unchanged).toEqual(incoming.map((f) => f.path).sort());
      }),
      { numRuns: 300 },
    );
  });
});
