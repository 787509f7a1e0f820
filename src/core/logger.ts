import { type DestinationStream, type Logger, pino } from "pino";
import { createRedactor, type Redactor } from "./redact.js";

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
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: redact },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that writes nothing, for library callers that do not care. */
export const silentLogger: Logger = pino({ level: "silent" });
