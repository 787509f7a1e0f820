import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { describe, expect, test } from "vitest";
import { runJob } from "../../src/jobs/index.js";
import { type Tracer, tracerFromEnv } from "../../src/observability/index.js";
import { createLangfuseTracer } from "../../src/observability/langfuse.js";
import { deterministicManifestBytes } from "../../src/world/index.js";
import { instagramBrief, jobDeps, writeBrief } from "../helpers/job-world.js";
import { captureLogger } from "../helpers/logs.js";
import { snapshotTree, tempDir } from "../helpers/temp.js";
import { throwingTracer } from "../helpers/tracing.js";

/** Runs the same brief untraced and traced in fresh worlds; returns both results. */
async function runBoth(tracer: Tracer, logger = captureLogger().logger) {
  await using tmp = await tempDir();
  const brief = await writeBrief(tmp.path, "copy.yaml", instagramBrief());
  const plain = await runJob({ briefPath: brief, world: join(tmp.path, "plain") }, jobDeps());
  const traced = await runJob(
    { briefPath: brief, world: join(tmp.path, "traced") },
    jobDeps({ tracer, logger }),
  );
  const tracedInputs = await snapshotTree(join(traced.run_dir, "inputs"));
  const tracedOutputs = await snapshotTree(join(traced.run_dir, "outputs"));
  return { plain, traced, tracedInputs, tracedOutputs };
}

describe("tracing never changes a run", () => {
  test("a tracer that throws: the run completes with the same run_id and deterministic bytes", async () => {
    const { logger, lines } = captureLogger();
    const { plain, traced } = await runBoth(throwingTracer, logger);
    expect(traced.run_id).toBe(plain.run_id);
    expect(traced.inputs_hash).toBe(plain.inputs_hash);
    expect(
      deterministicManifestBytes(traced.manifest).equals(deterministicManifestBytes(plain.manifest)),
    ).toBe(true);
    expect(traced.manifest.runtime.langfuse_trace_id).toBeNull();
    expect(lines.some((l) => l.event === "tracing.degraded")).toBe(true);
  });

  test("Langfuse (in-memory exporter): spans for job, admit and execute; trace id only in the runtime section", async () => {
    const spans: ReadableSpan[] = [];
    const exporter: SpanExporter = {
      export: (batch, done) => {
        spans.push(...batch);
        done({ code: 0 });
      },
      shutdown: async () => {},
    };
    const tracer = createLangfuseTracer({
      publicKey: "pk-lf-test",
      secretKey: "sk-lf-test",
      baseUrl: "http://x",
      exporter,
    });
    const { plain, traced, tracedInputs, tracedOutputs } = await runBoth(tracer);
    await tracer.shutdown();
    expect(spans.map((s) => s.name).sort()).toEqual(["admit", "execute", "sigil.job"]);
    const traceId = traced.manifest.runtime.langfuse_trace_id;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    expect(traced.trace_id).toBe(traceId);
    expect(
      deterministicManifestBytes(traced.manifest).equals(deterministicManifestBytes(plain.manifest)),
    ).toBe(true);
    for (const bytes of [...tracedInputs.values(), ...tracedOutputs.values()]) {
      expect(bytes.toString("latin1")).not.toContain(traceId);
    }
    // Ids and hashes only: nothing of the brief's content leaves the machine.
    const exported = JSON.stringify(spans.map((s) => s.attributes));
    expect(exported).toContain(traced.run_id);
    expect(exported).not.toContain("Trailblazer");
  });

  test("Langfuse over real HTTP (OTLP to a loopback server): traces arrive with the project's credentials", async () => {
    const requests: { url: string; auth: string; body: string }[] = [];
    const server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      requests.push({
        url: req.url ?? "",
        auth: req.headers.authorization ?? "",
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const { logger, lines } = captureLogger();
      const tracer = await tracerFromEnv(
        {
          SIGIL_TRACING: "langfuse",
          LANGFUSE_PUBLIC_KEY: "pk-lf-1",
          LANGFUSE_SECRET_KEY: "sk-lf-1",
          LANGFUSE_BASE_URL: `http://127.0.0.1:${port}`,
        },
        logger,
      );
      const { traced } = await runBoth(tracer, logger);
      await tracer.shutdown();
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.every((r) => r.url === "/api/public/otel/v1/traces")).toBe(true);
      expect(requests[0]?.auth).toBe(`Basic ${Buffer.from("pk-lf-1:sk-lf-1").toString("base64")}`);
      expect(requests.map((r) => r.body).join("")).toContain("sigil.job");
      expect(traced.manifest.runtime.langfuse_trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(lines.some((l) => l.event === "tracing.degraded")).toBe(false);
    } finally {
      server.close();
    }
  });

  test("Langfuse unreachable: the run completes unchanged and a log line says tracing degraded", async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const { logger, lines } = captureLogger();
    const tracer = await tracerFromEnv(
      {
        SIGIL_TRACING: "langfuse",
        LANGFUSE_PUBLIC_KEY: "pk",
        LANGFUSE_SECRET_KEY: "sk",
        LANGFUSE_BASE_URL: `http://127.0.0.1:${port}`,
      },
      logger,
    );
    const { plain, traced } = await runBoth(tracer, logger);
    await tracer.shutdown();
    expect(traced.run_id).toBe(plain.run_id);
    expect(
      deterministicManifestBytes(traced.manifest).equals(deterministicManifestBytes(plain.manifest)),
    ).toBe(true);
    expect(lines.some((l) => l.event === "tracing.degraded")).toBe(true);
  });
});
