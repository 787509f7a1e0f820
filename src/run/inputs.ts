import {
  canonicalize,
  HASH_SCHEMA,
  type InputsHash,
  InputsV1,
  type Mode,
  parseJsonStrict,
  parseWith,
  SigilError,
  sha256Hex,
} from "../core/index.js";

/** Inputs larger than this are refused before parsing (docs/contracts/inputs.md). */
export const MAX_INPUTS_BYTES = 1 << 20;

export interface ResolvedInputs {
  /** The normalized payload: what the processor receives and what is hashed. */
  normalized: InputsV1 & { mode: Mode; params: Record<string, unknown>; files: Record<string, unknown> };
  mode: Mode;
  inputsHash: InputsHash;
}

/**
 * Parse, validate and normalize an inputs payload (docs/contracts/inputs.md). The mode comes from the payload;
 * `flagMode` (the CLI's --mode) sets it, and a payload that says otherwise is refused.
 */
export function resolveInputs(text: string, flagMode: Mode | undefined): ResolvedInputs {
  // Text from argv was decoded lossily by Node (bad bytes are already U+FFFD, which we cannot
  // tell from a user's own U+FFFD); a lone surrogate is what is left to refuse here.
  if (!text.isWellFormed())
    throw new SigilError("ERR_INPUTS", "payload holds a lone surrogate (not Unicode)");
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_INPUTS_BYTES) {
    throw new SigilError("ERR_INPUTS", `payload is ${size} bytes; the limit is ${MAX_INPUTS_BYTES}`);
  }
  const parsed = parseWith(InputsV1, parseJsonStrict(text), "ERR_INPUTS", "inputs");
  if (flagMode !== undefined && parsed.mode !== undefined && parsed.mode !== flagMode) {
    throw new SigilError("ERR_INPUTS", `--mode ${flagMode} contradicts inputs.mode=${parsed.mode}`);
  }
  const mode: Mode = flagMode ?? parsed.mode ?? "mock";
  const normalized = {
    schema: parsed.schema,
    ...(parsed.model === undefined ? {} : { model: parsed.model }),
    params: parsed.params ?? {},
    files: parsed.files ?? {},
    mode,
  };
  return { normalized, mode, inputsHash: hashInputs(normalized) };
}

export function hashInputs(normalized: unknown): InputsHash {
  return { value: sha256Hex(canonicalize(normalized)), hash_schema: HASH_SCHEMA };
}

/** docs/contracts/inputs.md: in CI, mode=real is refused before any adapter work. */
export function assertCiSafety(mode: Mode, env: NodeJS.ProcessEnv): void {
  const ci = (env.CI ?? "").toLowerCase();
  if (mode === "real" && (ci === "true" || ci === "1")) {
    throw new SigilError("ERR_CI_SAFETY", "CI is set; real runs happen only outside CI or in a guarded lane");
  }
}
