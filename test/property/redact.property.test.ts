import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createRedactor, encodedForms } from "../../src/core/index.js";
import { captureLogger } from "../helpers/logs.js";

// Characters that JSON or URL encoding change, plus a few letters rare in a log line's own keys
// (so a short random secret cannot collide with a field name or a timestamp).
const unit = fc.constantFrom(
  '"',
  "\\",
  "%",
  "/",
  "é",
  "€",
  "😀",
  "\n",
  "\t",
  "'",
  " ",
  "+",
  "*",
  "x",
  "q",
  "z",
  "J",
);
const secret = fc.string({ unit, minLength: 6, maxLength: 24 });
const forms = (value: string) => ({
  raw: value,
  json: JSON.stringify(value).slice(1, -1),
  url: encodeURIComponent(value),
});

describe("redaction survives escaping", () => {
  test("a secret never appears raw, JSON-escaped or URL-encoded in a logged line holding any of those forms", () => {
    fc.assert(
      fc.property(
        secret,
        fc.constantFrom("raw", "json", "url") as fc.Arbitrary<"raw" | "json" | "url">,
        (value, form) => {
          const { logger, raw } = captureLogger({ redact: createRedactor([value]) });
          const shown = forms(value)[form];
          logger.warn({ event: "processor.stderr", line: `before ${shown} after` }, `said ${shown}`);
          const written = raw.join("");
          for (const leaked of Object.values(forms(value))) expect(written).not.toContain(leaked);
          expect(written).toContain("***");
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a Python-escaped line (\\uXXXX, ensure_ascii) is masked too", () => {
    const redact = createRedactor(['pa"ss\\wörd']);
    const pythonLine = String.raw`{"msg":"token pa\"ss\\w\u00f6rd here"}`;
    expect(redact(pythonLine)).toBe('{"msg":"token *** here"}');
  });

  test("the encoded forms include Python's quote() and quote_plus()", () => {
    const all = encodedForms("a b/c'd");
    expect(all).toContain("a%20b/c%27d"); // urllib.parse.quote
    expect(all).toContain("a+b%2Fc%27d"); // urllib.parse.quote_plus
    expect(all).toContain("a%20b%2Fc'd"); // encodeURIComponent
  });
});
