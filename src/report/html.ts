/**
 * HTML building with one escape. Everything a World holds is untrusted (folder names, manifest
 * fields, output bytes): every value passes `esc` before it meets markup, and markup is only ever
 * built from the literal strings of this module's callers.
 */

/** A string that is already markup: produced by `html` or `raw`, never from World data directly. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

// C0 controls (except tab and newlines) are not valid in HTML text: shown as U+FFFD, like lone surrogates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const SPECIAL = /[&<>"']/g;
const ENTITY: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text or attribute value → safe markup (quotes included, so it is safe in any quoted attribute). */
export function esc(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return text
    .toWellFormed()
    .replace(INVALID, "\uFFFD")
    .replace(SPECIAL, (c) => ENTITY[c] ?? c);
}

/** A tagged template: interpolated values are escaped unless they are Markup (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new Markup(out);
}

function render(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === false || value === undefined || value === null) return "";
  return esc(value);
}

/** Markup from a trusted literal (CSS, the inline script): never call it with World data. */
export function raw(text: string): Markup {
  return new Markup(text);
}

/** Bound a displayed string: long values from a World are cut, with the cut said. */
export function clip(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A byte count people read: 1 234 B, 12.3 KB, 4.5 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
