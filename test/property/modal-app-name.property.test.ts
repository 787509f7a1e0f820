import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MODAL_NAME, MODAL_NAME_MAX, modalAppNameFromRef } from "../../src/modal/index.js";

const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,40}$/);
const ref = fc
  .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,40}$/), segment, fc.integer({ min: 0, max: 99999 }))
  .map(([ns, name, version]) => `${ns}/${name}@${version}`);
const env = fc.constantFrom("dev", "staging", "main" as const);
const part = fc.option(fc.string({ unit: "grapheme", maxLength: 120 }), { nil: undefined });

describe("modal app names (property)", () => {
  it("are always valid for Modal and stable for the same input", () => {
    fc.assert(
      fc.property(ref, env, part, part, (r, e, branch, user) => {
        const first = modalAppNameFromRef(r, e, { branch, user });
        expect(first.name.length).toBeLessThanOrEqual(MODAL_NAME_MAX);
        expect(first.name).toMatch(MODAL_NAME);
        expect(modalAppNameFromRef(r, e, { branch, user })).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });
});
