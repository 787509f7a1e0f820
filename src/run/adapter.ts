import {
  type Envelope,
  Envelope as EnvelopeSchema,
  type ErrorCode,
  type ErrorEnvelope,
  isSortedFingerprint,
  type Logger,
  type Mode,
  type RegistryEntry,
  SigilError,
} from "../core/index.js";

/** The keyword contract every adapter shares (docs/contracts/envelope.md). */
export interface InvokeRequest {
  plan_id: string;
  processor_ref: string;
  entry: RegistryEntry;
  /** Absolute write prefix, already expanded and checked to lie inside the world. */
  write_prefix: string;
  /** The prefix relative to the world root, for `world://` paths. */
  world_prefix: string;
  world_root: string;
  inputs_json: string;
  mode: Mode;
  execution_id: string;
  image_digest: string;
  image_tag?: string;
  env_fingerprint: string;
  /** Secret values by name; empty in mock mode. */
  secrets: Readonly<Record<string, string>>;
  logger: Logger;
}

export interface Adapter {
  readonly name: string;
  invoke(request: InvokeRequest): Promise<Envelope>;
}

export function errorEnvelope(
  executionId: string,
  code: ErrorCode,
  message: string,
  envFingerprint = "",
): ErrorEnvelope {
  return {
    status: "error",
    execution_id: executionId,
    error: { code, message },
    meta: { env_fingerprint: envFingerprint },
  };
}

export function envelopeFromError(executionId: string, error: unknown, envFingerprint = ""): ErrorEnvelope {
  const sigil = SigilError.from(error, "ERR_ADAPTER_INVOCATION");
  return errorEnvelope(executionId, sigil.code, sigil.message, envFingerprint);
}

/**
 * The checks an envelope passes before any adapter returns it; anything else is
 * ERR_ADAPTER_INVOCATION. `worldPrefix` is the write prefix relative to the world root.
 */
export function validateEnvelope(candidate: unknown, worldPrefix: string): Envelope {
  const parsed = EnvelopeSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SigilError(
      "ERR_ADAPTER_INVOCATION",
      `malformed envelope: ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  const envelope = parsed.data;
  if (envelope.status === "error") return envelope;
  if (envelope.index_path !== `world://${worldPrefix}/outputs.json`) {
    throw new SigilError(
      "ERR_ADAPTER_INVOCATION",
      `index_path ${envelope.index_path} is not under the write prefix`,
    );
  }
  for (const output of envelope.outputs) {
    if (!output.path.startsWith(`world://${worldPrefix}/outputs/`) || output.path.split("/").includes("..")) {
      throw new SigilError("ERR_ADAPTER_INVOCATION", `output ${output.path} is not under the write prefix`);
    }
  }
  if (!isSortedFingerprint(envelope.meta.env_fingerprint)) {
    throw new SigilError("ERR_ADAPTER_INVOCATION", "env_fingerprint is not sorted k=v;…");
  }
  return envelope;
}
