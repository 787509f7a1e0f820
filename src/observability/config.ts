import type { Logger } from "../core/index.js";
import { guardTracer, noopTracer, type Tracer } from "./tracer.js";

/**
 * Tracing is off unless configured: `SIGIL_TRACING=langfuse` plus the Langfuse project keys
 * (`LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`, optional `LANGFUSE_BASE_URL`). Keys alone never
 * switch it on, so a CI that happens to hold them makes no unexpected network calls.
 * Whatever is returned is guarded: it can fail, it cannot fail a run. The Langfuse and
 * OpenTelemetry SDKs load only when tracing is on: they would double the CLI's start-up.
 */
export async function tracerFromEnv(env: NodeJS.ProcessEnv, logger: Logger): Promise<Tracer> {
  const wanted = (env.SIGIL_TRACING ?? "").trim().toLowerCase();
  if (wanted === "" || wanted === "off" || wanted === "none") return noopTracer;
  const degraded = (why: string) => {
    logger.warn({ event: "tracing.degraded", tracer: wanted, error: why }, "tracing is off for this run");
    return noopTracer;
  };
  if (wanted !== "langfuse") return degraded(`SIGIL_TRACING=${wanted} is not a known tracer (langfuse, off)`);
  const publicKey = env.LANGFUSE_PUBLIC_KEY;
  const secretKey = env.LANGFUSE_SECRET_KEY;
  if (!publicKey || !secretKey)
    return degraded("LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY must both be set");
  // Export failures happen out of band; they reach the guard, which logs the first one.
  let report: (error: unknown) => void = () => {};
  const timeoutS = Number(env.LANGFUSE_TIMEOUT ?? "2");
  try {
    const { createLangfuseTracer } = await import("./langfuse.js");
    const tracer = createLangfuseTracer({
      publicKey,
      secretKey,
      baseUrl: env.LANGFUSE_BASE_URL ?? env.LANGFUSE_HOST ?? "https://cloud.langfuse.com",
      timeoutMs: Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS * 1000 : 2000,
      ...(env.LANGFUSE_TRACING_ENVIRONMENT ? { environment: env.LANGFUSE_TRACING_ENVIRONMENT } : {}),
      ...(env.LANGFUSE_RELEASE ? { release: env.LANGFUSE_RELEASE } : {}),
      onFailure: (error) => report(error),
    });
    const guarded = guardTracer(tracer, logger);
    report = (error) => guarded.reportFailure("export", error);
    return guarded;
  } catch (error) {
    return degraded(error instanceof Error ? error.message : String(error));
  }
}
