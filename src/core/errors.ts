/**
 * The error canon: one table, code → stable fragment (docs/contracts/errors.md). Every error a user can see
 * carries one of these codes and a message that contains its fragment; tests assert both.
 */
export const ERROR_TABLE = {
  ERR_CI_SAFETY: "Refusing to run mode=real in CI",
  ERR_INPUTS: "invalid inputs payload",
  ERR_USAGE: "invalid command line",
  ERR_WRITE_PREFIX: "invalid write prefix",
  ERR_INTERRUPTED: "interrupted",
  ERR_IMAGE_UNPINNED: "image not pinned",
  ERR_IMAGE_UNAVAILABLE: "image not available",
  ERR_REGISTRY_MISMATCH: "registry mismatch",
  ERR_REGISTRY_ENTRY: "invalid registry entry",
  ERR_UNKNOWN_PROCESSOR: "unknown processor ref",
  ERR_MISSING_SECRET: "missing required secret",
  ERR_OUTPUT_DUPLICATE: "duplicate output after canonicalization",
  ERR_OUTPUT_PATH: "output path escapes the write prefix",
  ERR_WRITE_PREFIX_TAKEN: "write prefix already in use",
  ERR_WORLD_UNWRITABLE: "world is not writable",
  ERR_ADAPTER_INVOCATION: "adapter invocation failed",
  ERR_TIMEOUT: "timed out",
  ERR_MODAL_LOOKUP: "modal function not found",
  ERR_MODAL_INVOCATION: "modal invocation failed",
  ERR_MODAL_TIMEOUT: "modal invocation timed out",
  ERR_MODAL_PAYLOAD: "invalid payload",
  ERR_MODAL_CLI: "modal CLI command failed",
  ERR_MODAL_DRIFT: "deployed apps differ from the registry",
  ERR_NONDETERMINISTIC: "outputs differ between identical runs",
  ERR_CONFIG: "invalid .github/sigil.yml",
  ERR_ACTION_INPUT: "invalid action input",
  ERR_DIST_STALE: "dist/ is out of date with the sources",
  ERR_INTERNAL: "unexpected internal error",
  ERR_BRIEF: "invalid brief",
  ERR_JOB_TYPE: "unknown job type",
  ERR_DOCTRINE: "doctrine could not be resolved",
  ERR_UPSTREAM: "upstream run unavailable",
  ERR_PATH_TRAVERSAL: "path escapes its root",
  ERR_RUN_CORRUPT: "run directory is corrupt",
  ERR_INDEX: "index unavailable",
  ERR_VERIFY_MANIFEST: "manifest missing or unreadable",
  ERR_VERIFY_LOCATION: "run is not stored under its own identity",
  ERR_VERIFY_SNAPSHOT_MISSING: "snapshot missing",
  ERR_VERIFY_SNAPSHOT_HASH: "snapshot hash mismatch",
  ERR_VERIFY_SNAPSHOT_UNDECLARED: "undeclared snapshot",
  ERR_VERIFY_INPUTS_HASH: "inputs_hash does not recompute",
  ERR_VERIFY_RUN_ID: "run_id does not derive from inputs_hash",
  ERR_VERIFY_JOB_ID: "job_id does not match the brief",
  ERR_VERIFY_CHAIN: "chain link broken",
  ERR_VERIFY_OUTPUT_MISSING: "output missing",
  ERR_VERIFY_OUTPUT_HASH: "output hash mismatch",
  ERR_VERIFY_OUTPUT_UNDECLARED: "undeclared output",
  ERR_VERIFY_REPLAY: "run does not replay idempotently",
  ERR_VERIFY_RECEIPT: "receipt missing or inconsistent",
  ERR_HTTP: "HTTP request failed",
  ERR_HTTP_TIMEOUT: "HTTP request timed out",
  ERR_VERIFY_LINK: "symbolic link in the world",
  ERR_VERIFY_RECORD: "manifest record disagrees with its snapshot",
  ERR_VERIFY_HISTORY: "migration history does not account for the manifest",
  ERR_VERIFY_CANONICAL: "file is not canonical JSON",
  ERR_VERIFY_INCOMPLETE: "run was interrupted before it settled",
  ERR_IMAGE_PLATFORMS: "image lacks a required platform",
  ERR_IMAGE_DIGEST_MISMATCH: "registry content does not match its digest",
  ERR_REGISTRY_AUTH: "registry authentication failed",
  ERR_BUILD: "image build failed",
  // The governance publisher (docs/governance.md).
  ERR_PUBLISH_CONFLICT: "governance path already holds different content",
  ERR_PUBLISH_REMOTE: "governance repository update failed",
  // The GitHub App (issue: App part 1) — add its codes below this line.
  ERR_APP_CONFIG: "invalid App configuration",
  ERR_GITHUB_WRITE: "GitHub write failed after retries",
  ERR_PIN_ARTIFACT: "pins artifact unavailable",
  ERR_PIN_BRANCH_EDITED: "pin branch holds commits the App did not make",
  ERR_GITHUB_GRAPHQL: "GitHub GraphQL request answered errors",

  // Reports and artifacts (issue: App part 2) — add below this line.
  ERR_ARTIFACT_UNSAFE: "artifact archive is unsafe",
  ERR_ARTIFACT_DOWNLOAD: "artifact download failed",

  // The World report page — add below this line.
  ERR_REPORT_OUT: "report output unusable",

  // Orchestrator runs — add below this line.
  ERR_PIPELINE: "unknown pipeline",
  ERR_ORCH_RUN: "orchestrator run not found",
  ERR_ORCH_STATE: "orchestrator run is not in a state that allows this",
  ERR_ORCH_LOCKED: "orchestrator run is locked by another process",
  ERR_ORCH_CONTEXT: "run context is invalid",
  ERR_ORCH_PINS: "context pins changed since they were pinned",
  ERR_KB_LINT: "KB doc breaks the report rules",
  ERR_APPROVAL_MISSING: "gate approval missing",
  ERR_APPROVAL_SIGNATURE: "gate approval signature invalid",
  ERR_APPROVAL_MISMATCH: "gate approval does not match the request",
  ERR_APPROVAL_REPLAYED: "gate approval already used",
  ERR_APPROVAL_REFUSED: "gate approval refused",
  // Gates on GitHub
  ERR_GATE_READ: "gate decision could not read GitHub",

  // Adoption (init, processor new, releases) — add below this line.
  ERR_INIT_EXISTS: "refusing to overwrite existing files",
  ERR_LANE_INCOMPLETE: "PR lane verdicts incomplete",
} as const;

export type ErrorCode = keyof typeof ERROR_TABLE;

export const ERROR_CODES = Object.keys(ERROR_TABLE) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_TABLE, value);
}

/** The one error type of the toolkit: a code from the table, a message holding its fragment. */
export class SigilError extends Error {
  readonly code: ErrorCode;
  /** What this occurrence adds to the fragment, kept apart so nobody re-parses `message`. */
  readonly detail: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, detail?: string, details: Record<string, unknown> = {}) {
    const fragment = ERROR_TABLE[code];
    super(detail ? `${fragment}: ${detail}` : fragment);
    this.name = "SigilError";
    this.code = code;
    this.detail = detail || undefined;
    this.details = details;
  }

  /** The same error with more structured details (run identity, execution id…). */
  withDetails(details: Record<string, unknown>): SigilError {
    return new SigilError(this.code, this.detail, { ...this.details, ...details });
  }

  /** Keeps a SigilError as it is; anything else becomes `fallback` with a bounded message. */
  static from(error: unknown, fallback: ErrorCode): SigilError {
    if (error instanceof SigilError) return error;
    const text = error instanceof Error ? error.message : String(error);
    return new SigilError(fallback, text.slice(0, 500));
  }

  /**
   * An error reported as text by another process (a processor's result line, an envelope): its
   * message normally starts with the code's fragment already. The one place a message is read
   * back into a detail: what crosses a process boundary is text.
   */
  static fromReported(code: ErrorCode, message: string, details: Record<string, unknown> = {}): SigilError {
    const fragment = ERROR_TABLE[code];
    const detail =
      message === fragment
        ? ""
        : message.startsWith(`${fragment}: `)
          ? message.slice(fragment.length + 2)
          : message;
    return new SigilError(code, detail, details);
  }
}
