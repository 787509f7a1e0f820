import { type JsonValue, MAX_JSON_DEPTH } from "./canonical-json.js";
import { SigilError } from "./errors.js";

/**
 * A strict RFC 8259 parser for input we will hash. JSON.parse silently keeps the last of two
 * duplicate keys and accepts lone surrogate escapes; RFC 8785 cannot canonicalize either, so
 * both are refused here, together with numbers that overflow to Infinity.
 */
export function parseJsonStrict(text: string): JsonValue {
  return new Parser(text).parseDocument();
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    const value = this.value(0);
    this.skipWs();
    if (this.pos !== this.text.length) this.fail("unexpected trailing characters");
    return value;
  }

  private fail(reason: string): never {
    throw new SigilError("ERR_INPUTS", `${reason} at offset ${this.pos}`);
  }

  private skipWs(): void {
    while (this.pos < this.text.length && WS.has(this.text.charCodeAt(this.pos))) this.pos++;
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
    this.skipWs();
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "t") return this.literal("true", true);
    if (c === "f") return this.literal("false", false);
    if (c === "n") return this.literal("null", null);
    return this.number();
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail("unexpected token");
    this.pos += word.length;
    return value;
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail(this.pos >= this.text.length ? "unexpected end of input" : "unexpected token");
    this.pos += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) this.fail("number out of range");
    return value;
  }

  private string(): string {
    this.pos++; // opening quote
    let out = "";
    let start = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string");
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) break;
      if (code < 0x20) this.fail("control character in string");
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.text.slice(start, this.pos);
      const esc = this.text[this.pos + 1];
      if (esc === "u") {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad unicode escape");
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.pos += 6;
      } else {
        const decoded = esc === undefined ? undefined : ESCAPES[esc];
        if (decoded === undefined) this.fail("bad escape");
        out += decoded;
        this.pos += 2;
      }
      start = this.pos;
    }
    out += this.text.slice(start, this.pos);
    this.pos++; // closing quote
    if (!out.isWellFormed()) this.fail("lone surrogate in string");
    return out;
  }

  private array(depth: number): JsonValue[] {
    this.pos++;
    const items: JsonValue[] = [];
    this.skipWs();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === "]") return items;
      if (c !== ",") this.fail("expected , or ]");
    }
  }

  private object(depth: number): { [key: string]: JsonValue } {
    this.pos++;
    // A null-prototype record: "__proto__" is an ordinary key, never a prototype change.
    const record: { [key: string]: JsonValue } = Object.create(null);
    this.skipWs();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return record;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail("expected string key");
      const key = this.string();
      if (Object.hasOwn(record, key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      this.skipWs();
      if (this.text[this.pos++] !== ":") this.fail("expected :");
      record[key] = this.value(depth + 1);
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === "}") return record;
      if (c !== ",") this.fail("expected , or }");
    }
  }
}
