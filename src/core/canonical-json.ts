import { SigilError } from "./errors.js";

/**
 * RFC 8785 (JCS) canonical JSON. We write our own because the maintained packages either
 * declare Node >= 22 (`canonicalize@5`) or accept lone surrogates (`json-canonicalize@3`).
 * ECMAScript's own Number→string and JSON string escaping are exactly what RFC 8785 specifies,
 * so the work left is key order (UTF-16 code units, Array#sort's default) and refusing what
 * JCS cannot represent.
 */

/** Deeper nesting is refused on both sides of the language boundary (Python's recursion). */
export const MAX_JSON_DEPTH = 256;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function refuse(reason: string): never {
  throw new SigilError("ERR_INPUTS", reason);
}

/** What JSON.stringify escapes in a well-formed string. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
const ESCAPED = /["\\\u0000-\u001f]/;

/** A string as RFC 8785 writes it (JSON.stringify's escaping); a lone surrogate is ERR_INPUTS. */
export function canonicalString(value: string): string {
  if (!value.isWellFormed()) refuse("lone surrogate in string");
  // Most strings (paths, digests, names) need no escape: quoting them spares JSON.stringify's
  // ~1 KB of scratch per call, which the verifier pays for every run of a World.
  return ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
}

function serializeNumber(value: number): string {
  if (!Number.isFinite(value)) refuse(`non-finite number ${value}`);
  return Object.is(value, -0) ? "0" : String(value);
}

function serialize(value: unknown, depth: number, out: string[]): void {
  if (depth > MAX_JSON_DEPTH) refuse(`nesting deeper than ${MAX_JSON_DEPTH}`);
  if (value === null) {
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "number":
      out.push(serializeNumber(value));
      return;
    case "string":
      out.push(canonicalString(value));
      return;
    case "object":
      break;
    default:
      refuse(`${typeof value} is not JSON`);
  }
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, i) => {
      if (i > 0) out.push(",");
      serialize(item === undefined ? null : item, depth + 1, out);
    });
    out.push("]");
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) refuse("only plain objects are JSON");
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  out.push("{");
  keys.forEach((key, i) => {
    if (i > 0) out.push(",");
    out.push(canonicalString(key), ":");
    serialize(record[key], depth + 1, out);
  });
  out.push("}");
}

/** Canonical JSON text of `value` (RFC 8785). Throws ERR_INPUTS for what JCS refuses. */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  serialize(value, 0, out);
  return out.join("");
}

/** Canonical JSON as UTF-8 bytes: what gets hashed and written. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), "utf8");
}
