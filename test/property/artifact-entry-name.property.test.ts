import { resolve, sep } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SigilError } from "../../src/core/index.js";
import { checkEntryName } from "../../src/governance/index.js";

const ROOT = resolve("/tmp/sigil-artifact-root");
const segment = fc.oneof(
  fc.constantFrom("..", ".", "", "a", "b.txt", "C:", "\\", "..\\x", "\0"),
  fc.string({ minLength: 1, maxLength: 6 }),
);

describe("artifact entry names", () => {
  test("property: a name accepted always resolves strictly inside the extraction root", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), (parts, leadingSlash) => {
        const name = `${leadingSlash ? "/" : ""}${parts.join("/")}`;
        let accepted: string | undefined;
        try {
          accepted = checkEntryName(name);
        } catch (error) {
          expect(error).toBeInstanceOf(SigilError);
          expect((error as SigilError).code).toBe("ERR_ARTIFACT_UNSAFE");
          expect((error as SigilError).message).toContain("artifact archive is unsafe");
          return;
        }
        expect(resolve(ROOT, accepted).startsWith(`${ROOT}${sep}`)).toBe(true);
      }),
    );
  });

  test("the hostile classics are refused", () => {
    for (const name of ["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\..\\x", "a//b", "./a", "", "/"])
      expect(() => checkEntryName(name), name).toThrow("artifact archive is unsafe");
    expect(checkEntryName("job/run/outputs/")).toBe("job/run/outputs");
  });
});
