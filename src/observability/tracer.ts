import type { Logger } from "../core/index.js";

/**
 * The tracing port. Traces are runtime facts: a trace id may be recorded in a manifest's runtime
 * section, and never in a snapshot, a hash or any deterministic byte (docs/contracts/tracing.md).
 * Attributes carry ids, hashes and outcomes only, never context, prompts or outputs.
 */
export type TraceAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

export interface TraceSpan {
  end(attributes?: TraceAttributes, error?: { code: string; message: string }): void;
}

export interface Trace extends TraceSpan {
  /** The id a tracing backend knows this trace by, when there is one. */
  readonly traceId: string | undefined;
  span(name: string, attributes?: TraceAttributes): TraceSpan;
}

export interface Tracer {
  readonly name: string;
  startTrace(name: string, attributes?: TraceAttributes): Trace;
  /** Send what is buffered and release resources; the process may exit afterwards. */
  shutdown(): Promise<void>;
}

const noopSpan: TraceSpan = { end: () => {} };
const noopTrace: Trace = { traceId: undefined, span: () => noopSpan, end: () => {} };

export const noopTracer: Tracer = {
  name: "none",
  startTrace: () => noopTrace,
  shutdown: async () => {},
};

/** Bound on how long a run waits for its traces to leave at the end. */
export const TRACER_SHUTDOWN_TIMEOUT_MS = 2500;

export interface GuardedTracer extends Tracer {
  /** For failures a tracer learns of out of band (a failed export): logged once, run unaffected. */
  reportFailure(where: string, error: unknown): void;
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/**
 * Make any tracer harmless: a throw or a rejection is logged once (`tracing.degraded`) and turns
 * tracing off for the rest of the process; shutdown is bounded in time. A run never fails, waits
 * long or changes a byte because of its tracer.
 */
export function guardTracer(
  tracer: Tracer,
  logger: Logger,
  shutdownTimeoutMs = TRACER_SHUTDOWN_TIMEOUT_MS,
): GuardedTracer {
  let degraded = false;
  let warned = false;
  const warnOnce = (where: string, error: unknown) => {
    if (warned) return;
    warned = true;
    logger.warn(
      { event: "tracing.degraded", tracer: tracer.name, where, error: describe(error) },
      "tracing failed; the run continues without it",
    );
  };
  const degrade = (where: string, error: unknown) => {
    degraded = true;
    warnOnce(where, error);
  };
  const safely = <T>(where: string, fallback: T, fn: () => T): T => {
    if (degraded) return fallback;
    try {
      return fn();
    } catch (error) {
      degrade(where, error);
      return fallback;
    }
  };
  const guardSpan = (span: TraceSpan, where: string): TraceSpan => ({
    end: (attributes, error) => safely(`${where}.end`, undefined, () => span.end(attributes, error)),
  });
  return {
    name: tracer.name,
    reportFailure: warnOnce,
    startTrace(name, attributes) {
      const trace = safely("startTrace", noopTrace, () => tracer.startTrace(name, attributes));
      const traceId = safely("traceId", undefined, () => trace.traceId);
      return {
        traceId: typeof traceId === "string" && traceId.length > 0 ? traceId : undefined,
        span: (spanName, spanAttributes) =>
          guardSpan(
            safely("span", noopSpan, () => trace.span(spanName, spanAttributes)),
            spanName,
          ),
        end: (endAttributes, error) => safely("trace.end", undefined, () => trace.end(endAttributes, error)),
      };
    },
    async shutdown() {
      if (degraded) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), shutdownTimeoutMs);
        timer.unref();
      });
      try {
        const result = await Promise.race([Promise.resolve().then(() => tracer.shutdown()), timeout]);
        if (result === "timeout") degrade("shutdown", new Error(`no answer within ${shutdownTimeoutMs} ms`));
      } catch (error) {
        degrade("shutdown", error);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Called by a tracer implementation when its backend reports a failure out of band. */
export type TracerFailureSink = (error: unknown) => void;
