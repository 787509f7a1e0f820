import { isUtf8 } from "node:buffer";
import { type JsonValue, MAX_JSON_DEPTH } from "./canonical-json.js";
import { parseJsonStrict } from "./strict-json.js";

/**
 * Whether `bytes` are exactly the RFC 8785 (JCS) form of the JSON they hold: what a snapshot and
 * a manifest are on disk. One scan of the text, building nothing: parsing and re-serializing cost
 * three times as much over every snapshot of a large world (bench/verify-10k.js). Checked against
 * canonicalize() by a property test (test/property/canonical-check.property.test.ts).
 */
export function isCanonicalJson(bytes: Buffer): boolean {
  // UTF-8 that does not decode cleanly would turn into U+FFFD, which is valid text.
  return isUtf8(bytes) && isCanonicalJsonText(bytes.toString("utf8"));
}

/** The text form of isCanonicalJson (the text must come from well-formed UTF-8 or be well formed). */
export function isCanonicalJsonText(text: string): boolean {
  const scanner = new Scanner(text);
  return scanner.value(0) && scanner.pos === text.length;
}

/**
 * Parse bytes that are usually canonical JSON (a manifest, a snapshot) and say whether they are.
 * Canonical text has sorted, unique keys, well-formed strings and finite numbers, so JSON.parse
 * reads it exactly as parseJsonStrict would (V8's parser, several times faster than ours); any
 * other text goes through parseJsonStrict, which refuses what JSON.parse lets through. Throws
 * parseJsonStrict's ERR_INPUTS for text that is not JSON.
 */
export function parseJsonCanonicalFirst(bytes: Buffer): { value: JsonValue; canonical: boolean } {
  const text = bytes.toString("utf8");
  if (isUtf8(bytes) && isCanonicalJsonText(text)) return { value: JSON.parse(text), canonical: true };
  return { value: parseJsonStrict(text), canonical: false };
}

/** Exactly the number spellings ECMAScript's Number→string produces (which JCS adopts). */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-]\d+)?/y;
/** Characters a canonical string holds as they are (quote, backslash, controls, surrogates aside). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what ends a plain run
const PLAIN = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;
/** Control characters JSON.stringify writes with a short escape. */
const SHORT_ESCAPES: Readonly<Record<string, number>> = {
  b: 8,
  t: 9,
  n: 10,
  f: 12,
  r: 13,
  '"': 34,
  "\\": 92,
};

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  value(depth: number): boolean {
    if (depth > MAX_JSON_DEPTH) return false;
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string(false) !== undefined;
    const word = c === 0x74 ? "true" : c === 0x66 ? "false" : c === 0x6e ? "null" : undefined;
    if (word === undefined) return this.number();
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  private number(): boolean {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return false;
    const token = match[0];
    this.pos += token.length;
    const n = Number(token);
    return Number.isFinite(n) && String(n) === token;
  }

  private object(depth: number): boolean {
    this.pos++;
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return true;
    }
    let previous: string | undefined;
    for (;;) {
      const key = this.string(true);
      if (key === undefined || (previous !== undefined && previous >= key)) return false;
      previous = key;
      if (this.text.charCodeAt(this.pos++) !== 0x3a || !this.value(depth + 1)) return false;
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x7d) return true;
      if (next !== 0x2c) return false;
    }
  }

  private array(depth: number): boolean {
    this.pos++;
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return true;
    }
    for (;;) {
      if (!this.value(depth + 1)) return false;
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x5d) return true;
      if (next !== 0x2c) return false;
    }
  }

  /**
   * A string in JSON.stringify's spelling: its value when asked (keys, for their order), else "";
   * undefined when it is not canonical. Values are not copied out: a world's are most of its text.
   */
  private string(wantValue: boolean): string | undefined {
    const { text } = this;
    if (text.charCodeAt(this.pos) !== 0x22) return undefined;
    const start = ++this.pos;
    let escaped = false;
    for (;;) {
      // Runs of plain characters are skipped natively; only what ends a run is looked at here.
      PLAIN.lastIndex = this.pos;
      PLAIN.test(text);
      this.pos = PLAIN.lastIndex;
      const c = text.charCodeAt(this.pos);
      if (Number.isNaN(c) || c < 0x20) return undefined;
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        const e = text[this.pos + 1] ?? "";
        if (e in SHORT_ESCAPES) this.pos += 2;
        else if (e === "u") {
          // Only control characters without a short form are written as \u00xx (lowercase).
          const hex = text.slice(this.pos + 2, this.pos + 6);
          const code = /^00[01][0-9a-f]$/.test(hex) ? Number.parseInt(hex, 16) : -1;
          if (code < 0 || Object.values(SHORT_ESCAPES).includes(code)) return undefined;
          this.pos += 6;
        } else return undefined;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        // A surrogate must be the first half of a pair (well-formed text only has pairs).
        const low = text.charCodeAt(this.pos + 1);
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return undefined;
        this.pos += 2;
      } else this.pos++;
    }
    const end = this.pos++;
    if (!wantValue) return "";
    const raw = text.slice(start, end);
    return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
  }
}
