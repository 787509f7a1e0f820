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

const credentialChar = fc.constantFrom(
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~+/=-",
);
/** A credential: token characters with at least one digit (what separates it from a word). */
const credential = fc
  .tuple(fc.string({ unit: credentialChar, minLength: 5, maxLength: 40 }), fc.nat(9), fc.nat())
  .map(([body, digit, at]) => {
    const i = at % (body.length + 1);
    return `${body.slice(0, i)}${digit}${body.slice(i)}`;
  });
const headerForms = [
  (c: string) => `Authorization: Bearer ${c}`,
  (c: string) => `authorization: token ${c}`,
  (c: string) => `Authorization: Basic ${c}`,
  (c: string) => `Proxy-Authorization: Bearer ${c}`,
  (c: string) => `{"authorization":"${c}"}`,
  (c: string) => `{"Authorization":"Bearer ${c}"}`,
  (c: string) => `x-api-key=${c}`,
  (c: string) => `api-key: ${c}`,
  (c: string) => `curl -H 'Bearer ${c}'`,
  (c: string) => `token ${c}`,
];

describe("Authorization values and prose", () => {
  test("a credential is masked in every header form, wherever it sits in a line", () => {
    const redact = createRedactor([]);
    fc.assert(
      fc.property(
        credential,
        fc.constantFrom(...headerForms),
        fc.lorem({ maxCount: 4 }),
        (c, form, words) => {
          const out = redact(`${words} ${form(c)} ${words}`);
          expect(out).not.toContain(c);
          expect(out).toContain("***");
        },
      ),
      { numRuns: 500 },
    );
  });

  test("GitHub tokens are masked inside any prose", () => {
    const redact = createRedactor([]);
    const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    const token = fc
      .tuple(
        fc.constantFrom("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        fc.string({ unit: alnum, minLength: 36, maxLength: 82 }),
      )
      .map(([prefix, body]) => prefix + body);
    fc.assert(
      fc.property(token, fc.lorem({ maxCount: 6 }), (t, words) => {
        expect(redact(`${words} ${t} ${words}`)).not.toContain(t);
      }),
    );
  });

  test("prose that names a header, a scheme or a token is left as written", () => {
    const redact = createRedactor([]);
    const word = fc.oneof(
      fc.lorem({ maxCount: 1 }),
      fc.lorem({ maxCount: 1 }).map((w) => w.toUpperCase()),
      fc.lorem({ maxCount: 1 }).map((w) => w.charAt(0).toUpperCase() + w.slice(1)),
      fc.constantFrom("SG1", "G2", "run-1", "·", "#", "-"),
    );
    const named = fc
      .tuple(
        fc.constantFrom("authorization", "Authorization", "AUTHORIZATION", "api-key", "cut-authorization"),
        fc.constantFrom(": ", " ", "="),
        fc.constantFrom("APPROVED", "approved.", "Pending", "request", "co-signed"),
      )
      .map((parts) => parts.join(""));
    const scheme = fc
      .tuple(fc.constantFrom("token", "Token", "Basic", "bearer"), fc.lorem({ maxCount: 1 }))
      .map(([s, w]) => `${s} ${w}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(word, named, scheme), { minLength: 1, maxLength: 12 }), (parts) => {
        const text = parts.join(" ");
        expect(redact(text)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
