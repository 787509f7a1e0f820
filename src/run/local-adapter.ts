import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import {
  describeTail,
  type Envelope,
  type ErrorCode,
  isErrorCode,
  ProcessorStatusLine,
  parseJsonStrict,
  pythonPathFor,
  SigilError,
  type Spawn,
  type SpawnResult,
  spawnProcess,
} from "../core/index.js";
import { type Adapter, errorEnvelope, type InvokeRequest } from "./adapter.js";
import { spawnPrewarmed } from "./prewarm.js";
import { successEnvelopeFromPrefix } from "./settle-outputs.js";

/** Variables a processor may see from the parent; nothing else (and no secret) is inherited. */
const PASSTHROUGH_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "CI"];

export interface LocalAdapterOptions {
  repoRoot: string;
  spawn?: Spawn;
  /** Receives each stderr line of the processor (already NDJSON, or wrapped). */
  onProcessorLog?: (line: string) => void;
  parentEnv?: NodeJS.ProcessEnv;
  /** PYTHONPATH of the processor: the toolkit's `processors/` (its runtime), by default. */
  pythonPath?: string;
}

/** Runs a processor from source as a subprocess, no container (docs/contracts/envelope.md; PR and dev lanes). */
export class LocalAdapter implements Adapter {
  readonly name = "local";
  private readonly spawn: Spawn | undefined;

  constructor(private readonly options: LocalAdapterOptions) {
    this.spawn = options.spawn;
  }

  async invoke(request: InvokeRequest): Promise<Envelope> {
    const log = request.logger;
    const started = performance.now();
    log.info({ event: "adapter.invoke.start", image_digest: request.image_digest }, "invoking processor");
    const scratch = await mkdtemp(join(tmpdir(), "sigil-inputs-"));
    try {
      const envelope = await this.runProcess(request, scratch);
      const elapsed_ms = Math.round(performance.now() - started);
      if (envelope.status === "success") {
        log.info({
          event: "adapter.invoke.complete",
          elapsed_ms,
          image_digest: request.image_digest,
          outputs: envelope.outputs.length,
        });
      } else {
        log.error(
          { event: "adapter.invoke.error", elapsed_ms, code: envelope.error.code },
          envelope.error.message,
        );
      }
      return envelope;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private childEnv(request: InvokeRequest): Record<string, string> {
    const parent = this.options.parentEnv ?? process.env;
    const env: Record<string, string> = {};
    for (const name of PASSTHROUGH_ENV) {
      const value = parent[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, {
      PYTHONDONTWRITEBYTECODE: "1",
      PYTHONHASHSEED: "0",
      PYTHONUNBUFFERED: "1",
      PYTHONIOENCODING: "utf-8",
      // The runtime ships with the toolkit: a repository needs no copy of processors/_runtime.
      PYTHONPATH: this.options.pythonPath ?? pythonPathFor(this.options.repoRoot),
      SIGIL_WORLD: request.world_root,
      SIGIL_PROCESSOR_REF: request.processor_ref,
      SIGIL_IMAGE_DIGEST: request.image_digest,
      SIGIL_ENV_FINGERPRINT: request.env_fingerprint,
      // The processor's own lines obey the same level as ours (processors/_runtime/log.py).
      SIGIL_LOG_LEVEL: request.logger.level,
      ...(request.image_tag ? { SIGIL_IMAGE_TAG: request.image_tag } : {}),
    });
    // Secrets reach the child only in real mode, and only the ones the entry declares.
    if (request.mode === "real") Object.assign(env, request.secrets);
    return env;
  }

  private async runProcess(request: InvokeRequest, scratch: string): Promise<Envelope> {
    const inputsFile = join(scratch, "inputs.json");
    await writeFile(inputsFile, request.inputs_json, { mode: 0o600 });
    const [file = "", ...baseArgs] = request.entry.entrypoint;
    const spawnRequest = {
      file,
      args: [
        ...baseArgs,
        "--inputs",
        inputsFile,
        "--write-prefix",
        request.write_prefix,
        "--execution-id",
        request.execution_id,
      ],
      cwd: join(this.options.repoRoot, request.entry.source),
      env: this.childEnv(request),
      timeoutMs: request.entry.timeout_s * 1000,
      onStderrLine: (line: string) => this.forwardLog(request, line),
    };
    // An injected Spawn is used as given; the real one may adopt the interpreter the CLI pre-started.
    const result = this.spawn
      ? await this.spawn(spawnRequest)
      : await spawnPrewarmed(spawnRequest, spawnProcess, (decision) =>
          request.logger.debug({ event: "adapter.prewarm", ...decision }),
        );
    // A processor's own error message already holds its code's fragment; others get it prefixed.
    const fail = (code: ErrorCode, detail: string) =>
      errorEnvelope(
        request.execution_id,
        code,
        SigilError.fromReported(code, detail).message,
        request.env_fingerprint,
      );

    if (result.timedOut) {
      return fail(
        "ERR_TIMEOUT",
        `${request.processor_ref} exceeded timeout_s=${request.entry.timeout_s} and was killed; stderr tail: ${describeTail(result.stderr)}`,
      );
    }
    if (result.failure) return fail("ERR_ADAPTER_INVOCATION", `could not start ${file}: ${result.failure}`);
    const status = parseStatusLine(result);
    if (!status) {
      return fail(
        "ERR_ADAPTER_INVOCATION",
        `${request.processor_ref} exited ${result.rc ?? result.signal} without a result line; stderr tail: ${describeTail(result.stderr)}`,
      );
    }
    if (status.status === "error") {
      const code = isErrorCode(status.error.code) ? status.error.code : "ERR_ADAPTER_INVOCATION";
      return fail(code, status.error.message.slice(0, 2000));
    }
    if (result.rc !== 0 || status.execution_id !== request.execution_id) {
      return fail(
        "ERR_ADAPTER_INVOCATION",
        `${request.processor_ref} reported success for ${status.execution_id} but exited ${result.rc}`,
      );
    }
    return this.settleOutputs(request);
  }

  private async settleOutputs(request: InvokeRequest): Promise<Envelope> {
    try {
      return await successEnvelopeFromPrefix(request);
    } catch (error) {
      const sigil = SigilError.from(error, "ERR_ADAPTER_INVOCATION");
      return errorEnvelope(request.execution_id, sigil.code, sigil.message, request.env_fingerprint);
    }
  }

  private forwardLog(request: InvokeRequest, line: string): void {
    const record = line.startsWith("{") ? parseLogRecord(line) : undefined;
    if (!record) {
      request.logger.warn({ event: "processor.stderr", line: line.slice(0, 2000) });
      return;
    }
    const level = typeof record.level === "string" ? record.level : "info";
    if (request.logger.levels.values[level] !== undefined && !request.logger.isLevelEnabled(level)) return;
    // Every line carries the fields the README promises, the processor's own ones included.
    const bound = { ...record, adapter: record.adapter ?? this.name, mode: record.mode ?? request.mode };
    this.options.onProcessorLog?.(JSON.stringify(bound));
  }
}

const LogRecord = z.record(z.string(), z.unknown());

/** A processor's NDJSON line as an object, or undefined when it is not one. */
function parseLogRecord(line: string): Record<string, unknown> | undefined {
  try {
    const parsed = LogRecord.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The last non-empty stdout line, parsed as the processor's result line. */
function parseStatusLine(result: SpawnResult): ProcessorStatusLine | undefined {
  const text = (result.stdout.tail || result.stdout.head).trimEnd();
  const last = text.slice(text.lastIndexOf("\n") + 1);
  try {
    const parsed = ProcessorStatusLine.safeParse(parseJsonStrict(last));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
