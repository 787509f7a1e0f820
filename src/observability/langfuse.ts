import { LangfuseSpanProcessor } from "@langfuse/otel";
import { type LangfuseObservation, setLangfuseTracerProvider, startObservation } from "@langfuse/tracing";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Trace, TraceAttributes, Tracer, TracerFailureSink, TraceSpan } from "./tracer.js";

export interface LangfuseTracerOptions {
  publicKey: string;
  secretKey: string;
  /** e.g. https://cloud.langfuse.com or a self-hosted instance. */
  baseUrl: string;
  environment?: string;
  release?: string;
  /** Per export request. */
  timeoutMs?: number;
  /** Replaces the OTLP/HTTP exporter (tests pass an in-memory one). */
  exporter?: SpanExporter;
  /** Told about export failures, which happen out of band and never reach the run. */
  onFailure?: TracerFailureSink;
}

/** Reports failed exports to the sink; the SDK itself only logs them through OTel's diag. */
class ReportingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly onFailure: TracerFailureSink,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      this.inner.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          this.onFailure(result.error ?? new Error("span export failed"));
        }
        resultCallback(result);
      });
    } catch (error) {
      this.onFailure(error);
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Langfuse's OTLP endpoint, authenticated with the project's key pair (Basic auth). */
function otlpExporter(options: LangfuseTracerOptions): SpanExporter {
  const auth = Buffer.from(`${options.publicKey}:${options.secretKey}`).toString("base64");
  return new OTLPTraceExporter({
    url: `${options.baseUrl.replace(/\/+$/, "")}/api/public/otel/v1/traces`,
    headers: { Authorization: `Basic ${auth}`, "x-langfuse-public-key": options.publicKey },
    timeoutMillis: options.timeoutMs ?? 5000,
  });
}

function metadataOf(attributes: TraceAttributes | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

function endObservation(
  observation: LangfuseObservation,
  attributes: TraceAttributes | undefined,
  error: { code: string; message: string } | undefined,
): void {
  observation.updateOtelSpanAttributes({
    metadata: metadataOf(attributes),
    ...(error
      ? { level: "ERROR" as const, statusMessage: `${error.code}: ${error.message.slice(0, 500)}` }
      : {}),
  });
  observation.end();
}

/**
 * Tracing through Langfuse's maintained JS SDK (`@langfuse/tracing` on OpenTelemetry, with
 * `@langfuse/otel`'s span processor). Spans are exported as they end ("immediate"), which suits
 * a short-lived CLI; `shutdown` flushes what is left.
 */
export function createLangfuseTracer(options: LangfuseTracerOptions): Tracer {
  const onFailure = options.onFailure ?? (() => {});
  const processor = new LangfuseSpanProcessor({
    exporter: new ReportingExporter(options.exporter ?? otlpExporter(options), onFailure),
    exportMode: "immediate",
    mediaUploadEnabled: false,
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.release ? { release: options.release } : {}),
  });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  setLangfuseTracerProvider(provider);
  return {
    name: "langfuse",
    startTrace(name, attributes): Trace {
      const root = startObservation(name, { metadata: metadataOf(attributes) });
      return {
        traceId: root.traceId,
        span(spanName, spanAttributes): TraceSpan {
          const child = root.startObservation(spanName, { metadata: metadataOf(spanAttributes) });
          return { end: (endAttributes, error) => endObservation(child, endAttributes, error) };
        },
        end: (endAttributes, error) => endObservation(root, endAttributes, error),
      };
    },
    async shutdown() {
      try {
        await provider.forceFlush();
        await provider.shutdown();
      } finally {
        setLangfuseTracerProvider(null);
      }
    },
  };
}
