import { describe, expect, test } from "vitest";
import { guardTracer, noopTracer, type Tracer, tracerFromEnv } from "../../src/observability/index.js";
import { captureLogger } from "../helpers/logs.js";
import { boom, throwingTracer } from "../helpers/tracing.js";

describe("guardTracer", () => {
  test("a tracer that throws everywhere never throws through, and says so once", async () => {
    const { logger, lines } = captureLogger();
    const guarded = guardTracer(throwingTracer, logger);
    const trace = guarded.startTrace("t", { a: 1 });
    expect(trace.traceId).toBeUndefined();
    trace.span("s").end({ x: 1 }, { code: "ERR_X", message: "m" });
    trace.end();
    await guarded.shutdown();
    const degraded = lines.filter((l) => l.event === "tracing.degraded");
    expect(degraded).toHaveLength(1);
    expect(degraded[0]).toMatchObject({ tracer: "throwing", error: "tracer exploded" });
  });

  test("startTrace throwing falls back to a no-op trace", () => {
    const { logger } = captureLogger();
    const guarded = guardTracer({ ...noopTracer, name: "x", startTrace: boom }, logger);
    const trace = guarded.startTrace("t");
    expect(trace.traceId).toBeUndefined();
    expect(() => trace.span("s").end()).not.toThrow();
  });

  test("a shutdown that never answers is cut off after the bound", async () => {
    const { logger, lines } = captureLogger();
    const hanging: Tracer = { ...noopTracer, name: "hanging", shutdown: () => new Promise(() => {}) };
    const started = performance.now();
    await guardTracer(hanging, logger, 50).shutdown();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(lines.some((l) => l.event === "tracing.degraded" && l.where === "shutdown")).toBe(true);
  });

  test("tracing is off unless SIGIL_TRACING says langfuse; keys alone do nothing", async () => {
    const { logger, lines } = captureLogger();
    expect(await tracerFromEnv({ LANGFUSE_PUBLIC_KEY: "pk", LANGFUSE_SECRET_KEY: "sk" }, logger)).toBe(
      noopTracer,
    );
    expect(await tracerFromEnv({}, logger)).toBe(noopTracer);
    expect(lines).toHaveLength(0);
  });

  test("langfuse without keys, or an unknown tracer: a warning and no tracing", async () => {
    const { logger, lines } = captureLogger();
    expect(await tracerFromEnv({ SIGIL_TRACING: "langfuse" }, logger)).toBe(noopTracer);
    expect(await tracerFromEnv({ SIGIL_TRACING: "zipkin" }, logger)).toBe(noopTracer);
    expect(lines.map((l) => l.event)).toEqual(["tracing.degraded", "tracing.degraded"]);
    expect(String(lines[0]?.error)).toContain("LANGFUSE_PUBLIC_KEY");
  });
});
