import { rm } from "node:fs/promises";
import { join } from "node:path";
import {
  type Clock,
  canonicalize,
  checkDualReceipt,
  type Envelope,
  formatFingerprint,
  type Logger,
  type Mode,
  newUuid7,
  parseProcessorRef,
  RECEIPT_TWIN_DIR,
  type RegistryEntry,
  SigilError,
  systemClock,
} from "../core/index.js";
import { assertImagePolicy, type Lane, loadRegistry, lookupEntry, sourceDigest } from "../supply/index.js";
import { envelopeFromError } from "./adapter.js";
import type { AdapterFactory, AdapterName } from "./adapter-factory.js";
import { assertCiSafety, resolveInputs } from "./inputs.js";
import { claimWritePrefix, EXECUTION_ID_PLACEHOLDER, resolveWritePrefix } from "./write-prefix.js";

export interface RunProcessorRequest {
  ref: string;
  adapter: AdapterName;
  /** The --mode flag; the payload's own mode is used when this is absent. */
  mode?: Mode;
  inputsJson: string;
  writePrefix?: string;
  world: string;
  lane: Lane;
  imageOverride?: string;
}

export interface RunProcessorDeps {
  repoRoot: string;
  registryDir: string;
  /** `owner/repo` whose ghcr.io namespace images must be in; unknown is refused in staging/main. */
  repoScope?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock?: Clock;
  /** Builds the adapter the request names (createAdapterFactory in production and tests). */
  adapters: AdapterFactory;
  /** Aborted on SIGINT/SIGTERM: the run then removes what it half-wrote and says ERR_INTERRUPTED. */
  signal?: AbortSignal;
}

export interface RunOutcome {
  envelope: Envelope;
  /** Absolute write prefix, when one was resolved. */
  writePrefix?: string;
}

/** `world/outputs/<ns>-<name>/{execution_id}/` when the caller gives no prefix. */
export function defaultWritePrefix(world: string, ref: string): string {
  const parsed = parseProcessorRef(ref);
  const name = parsed ? `${parsed.ns}-${parsed.name}-v${parsed.version}` : "run";
  return join(world, "outputs", name, EXECUTION_ID_PLACEHOLDER);
}

function readSecrets(entry: RegistryEntry, mode: Mode, env: NodeJS.ProcessEnv): Record<string, string> {
  if (mode !== "real") return {};
  const secrets: Record<string, string> = {};
  for (const name of entry.secrets) {
    const value = env[name];
    if (!value)
      throw new SigilError(
        "ERR_MISSING_SECRET",
        `${entry.ref} needs ${name}; set it in the environment (its value is never logged)`,
      );
    secrets[name] = value;
  }
  return secrets;
}

/**
 * `run_processor` (docs/contracts/sigil-run.md): parse → mode guard → registry policy → adapter.invoke → settle.
 * Always resolves to one envelope; errors become error envelopes with their code.
 */
export async function runProcessor(
  request: RunProcessorRequest,
  deps: RunProcessorDeps,
): Promise<RunOutcome> {
  const clock = deps.clock ?? systemClock;
  const executionId = newUuid7(clock);
  const started = clock.monotonicMs();
  let log = deps.logger.child({
    trace_id: executionId,
    adapter: request.adapter,
    processor_ref: request.ref,
  });
  let envFingerprint = "";
  let writePrefix: string | undefined;
  let imageDigest: string | undefined;
  try {
    // execution.start comes first even for a payload that does not parse: logged with what is
    // known (mode from --mode, or null), then the parse error settles the execution.
    let inputs: ReturnType<typeof resolveInputs> | undefined;
    let inputsError: unknown;
    try {
      inputs = resolveInputs(request.inputsJson, request.mode);
    } catch (error) {
      inputsError = error;
    }
    log = log.child({ mode: inputs?.mode ?? request.mode ?? null });
    log.info({
      event: "execution.start",
      ...(inputs ? { inputs_hash: inputs.inputsHash.value } : {}),
      lane: request.lane,
    });
    if (!inputs) throw inputsError;
    assertCiSafety(inputs.mode, deps.env);

    const entry = lookupEntry(await loadRegistry(deps.registryDir), request.ref);
    const image = assertImagePolicy(entry, request.lane, deps.repoScope, (detail) =>
      log.warn({ event: "registry.scope_unknown", lane: request.lane }, detail),
    );
    if (request.imageOverride !== undefined) {
      if (request.lane !== "dev")
        throw new SigilError(
          "ERR_USAGE",
          `--image-override is accepted only in the dev lane, not ${request.lane}`,
        );
      if (request.adapter === "local")
        throw new SigilError(
          "ERR_USAGE",
          "--image-override applies to the modal adapter; the local adapter runs from source",
        );
    }
    const adapter = deps.adapters(request.adapter);
    const secrets = readSecrets(entry, inputs.mode, deps.env);

    // The local adapter runs from source, so the image is the digest of the source tree.
    imageDigest =
      request.adapter === "local"
        ? await sourceDigest(deps.repoRoot, entry.source)
        : (image.digest ?? entry.image);
    envFingerprint = formatFingerprint({
      cpu: entry.resources.cpu,
      image: imageDigest,
      memory: entry.resources.memory,
    });
    const prefix = resolveWritePrefix(
      request.writePrefix ?? defaultWritePrefix(request.world, request.ref),
      executionId,
      request.world,
      deps.cwd,
    );
    // The last check before the processor starts; nothing was written if it fails.
    await claimWritePrefix(prefix);
    writePrefix = prefix.absolute;

    const envelope = await adapter.invoke({
      plan_id: executionId,
      processor_ref: entry.ref,
      entry,
      write_prefix: prefix.absolute,
      world_prefix: prefix.worldRelative,
      world_root: prefix.worldRoot,
      inputs_json: canonicalize(inputs.normalized),
      mode: inputs.mode,
      execution_id: executionId,
      image_digest: imageDigest,
      ...(entry.image_tag ? { image_tag: entry.image_tag } : {}),
      env_fingerprint: envFingerprint,
      secrets,
      logger: log,
    });
    if (deps.signal?.aborted) {
      // Interrupted: the processor's tree was stopped mid-write. What it left is not a run and
      // would read as an incomplete one, so the prefix this run claimed goes, with its twin.
      await discardInterrupted(prefix.absolute, prefix.worldRoot, executionId);
      throw new SigilError(
        "ERR_INTERRUPTED",
        `${entry.ref} stopped by ${String(deps.signal.reason)}; nothing kept`,
      );
    }
    const settled =
      envelope.status === "success"
        ? await settleReceipt(envelope, prefix.absolute, prefix.worldRoot, inputs.inputsHash.value)
        : envelope;
    logSettle(log, settled, clock.monotonicMs() - started, imageDigest);
    return { envelope: settled, writePrefix };
  } catch (error) {
    const envelope = envelopeFromError(executionId, error, envFingerprint);
    logSettle(log, envelope, clock.monotonicMs() - started, imageDigest);
    return { envelope, ...(writePrefix ? { writePrefix } : {}) };
  }
}

async function discardInterrupted(prefix: string, worldRoot: string, executionId: string): Promise<void> {
  await rm(prefix, { recursive: true, force: true });
  await rm(join(worldRoot, RECEIPT_TWIN_DIR, executionId), { recursive: true, force: true });
}

/** The receipt the processor dual-wrote must parse, agree with its twin and with our inputs hash. */
async function settleReceipt(
  envelope: Envelope,
  prefix: string,
  worldRoot: string,
  inputsHash: string,
): Promise<Envelope> {
  const { problems } = checkDualReceipt({
    prefix,
    worldRoot,
    executionId: envelope.execution_id,
    inputsHash,
  });
  const problem = problems[0];
  if (!problem) return envelope;
  return envelopeFromError(
    envelope.execution_id,
    new SigilError("ERR_ADAPTER_INVOCATION", problem.message),
    envelope.meta.env_fingerprint,
  );
}

function logSettle(log: Logger, envelope: Envelope, elapsed: number, imageDigest: string | undefined): void {
  const fields = {
    event: "execution.settle",
    status: envelope.status,
    elapsed_ms: Math.round(elapsed),
    image_digest: imageDigest,
  };
  if (envelope.status === "success") log.info(fields);
  else log.error({ ...fields, code: envelope.error.code }, envelope.error.message);
}
