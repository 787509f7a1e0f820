/**
 * The governance publisher port (docs/governance.md): one interface, two backends — a local git
 * repository (the embedded default) and GitHub's Git Data API. Callers (`sigil publish`, the App,
 * the orchestrator) hand it units of files; it commits each unit atomically, fast-forward only.
 */

/** One file of a publish unit. `path` is repository-relative, POSIX, never `..` or absolute. */
export interface PublishFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /**
   * `create` (default): the path must be absent, or already hold exactly these bytes (a replay,
   * no-op); different bytes are ERR_PUBLISH_CONFLICT and nothing of the unit is committed.
   * `append`: the file becomes its current content (empty when absent) followed by `bytes`,
   * unless it already ends with them (a replay). The one sanctioned edit: an index of runs.
   */
  readonly mode?: "create" | "append";
}

/** What one atomic commit carries. */
export interface PublishUnit {
  readonly message: string;
  readonly files: readonly PublishFile[];
}

export interface PublishResult {
  /** The new commit, or null when every file was already there with the same bytes. */
  readonly commit: string | null;
  /** Paths this publish wrote (created or appended), sorted. */
  readonly written: readonly string[];
  /** Paths that already held the same bytes, sorted. */
  readonly unchanged: readonly string[];
}

export interface GovernancePublisher {
  readonly backend: "local-git" | "github";
  /** Human description of the target, e.g. `./governance@main` or `github:acme/gov@main`. */
  readonly target: string;
  /**
   * Commits one unit on the branch head, fast-forward only: when the branch moved meanwhile, it
   * re-reads and retries; it never force-updates. ERR_PUBLISH_CONFLICT when a `create` path holds
   * different bytes; ERR_PUBLISH_REMOTE when the backend fails after retries.
   */
  publish(unit: PublishUnit, options?: { signal?: AbortSignal }): Promise<PublishResult>;
  /** The bytes of `path` at the branch head, or null when absent. */
  read(path: string): Promise<Uint8Array | null>;
  /** Every file path under `prefix` (a folder, no trailing slash needed) at the branch head, sorted. */
  list(prefix: string): Promise<string[]>;
}
