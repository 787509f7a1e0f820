import { type ErrorCode, SigilError } from "./errors.js";

// fatal: invalid bytes throw instead of becoming U+FFFD, as Python's strict decoding does.
// ignoreBOM: a BOM stays in the text, so the strict JSON parser refuses it as Python's json does.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Bytes → text, refusing invalid UTF-8. Buffer#toString and readFile(…, "utf8") replace bad
 * bytes with U+FFFD silently, so the hash would cover text the user never wrote.
 */
export function decodeUtf8Strict(bytes: Uint8Array, what: string, code: ErrorCode = "ERR_INPUTS"): string {
  try {
    return decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8Offset(bytes);
    throw new SigilError(code, `${what} is not valid UTF-8 (first bad byte at offset ${at})`);
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    let length = 0;
    for (const end of [1, 2, 3, 4]) {
      if (i + end > bytes.length) break;
      try {
        decoder.decode(bytes.subarray(i, i + end));
        length = end;
        break;
      } catch {}
    }
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}
