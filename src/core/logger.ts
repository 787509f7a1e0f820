import { type DestinationStream, type Logger, pino } from "pino";
import { createRedactor, type Redactor, redactDeep } from "./redact.js";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** Where NDJSON goes; stderr by default so stdout stays free for the one envelope. */
  destination?: DestinationStream;
  level?: string;
  redact?: Redactor;
}

/**
 * The one structured logger: NDJSON on stderr, every line through the redaction filter.
 * Bind per execution with `logger.child({trace_id, adapter, processor_ref, mode})`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = options.redact ?? createRedactor();
  return pino(
    {
      level: options.level ?? process.env.SIGIL_LOG_LEVEL ?? "info",
      base: null,
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      // Values are masked before JSON encoding (a secret holding `"` or `\\` is escaped by then),
      // and the written line once more, for what the formatters do not see.
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactObject(bindings, redact),
        log: (object) => redactObject(object, redact),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === "string" ? redact(arg) : arg)) as typeof args);
        },
        streamWrite: redact,
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

function redactObject(object: Record<string, unknown>, redact: Redactor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) out[key] = redactDeep(value, redact);
  return out;
}

/** A logger that writes nothing, for library callers that do not care. */
export const silentLogger: Logger = pino({ level: "silent" });
