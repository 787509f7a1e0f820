import { Writable } from "node:stream";
import { createLogger, type Redactor } from "../../src/core/index.js";

/** A real logger whose NDJSON lines land in `lines`, parsed, and in `raw`, as written. */
export function captureLogger(options: { redact?: Redactor } = {}) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      for (const line of String(chunk).split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ destination, ...options }), lines, raw };
}
