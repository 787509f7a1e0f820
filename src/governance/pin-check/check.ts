import { decodeUtf8Strict, type RegistryEntry, SigilError } from "../../core/index.js";
import {
  checkEntry,
  type Lane,
  parseOciReference,
  parseRegistryEntry,
  type RegistryClient,
  throughMirror,
} from "../../supply/index.js";
import { locateEntry } from "./entry-lines.js";
import type { RegistryFile } from "./registry-files.js";

/** One registry file's verdict in the pin check. */
export interface PinCheckRow {
  /** Repository-relative path of the YAML file. */
  path: string;
  /** 1-based line an annotation points at: the key at fault, or the YAML error. */
  line: number;
  ok: boolean;
  ref?: string;
  image?: string;
  digest?: string;
  /** Required platforms found in the index (on success). */
  platforms?: string[];
  error?: { code: string; message: string };
}

export interface PinCheckResult {
  conclusion: "success" | "failure";
  lane: Lane;
  /** `owner/repo` whose ghcr.io namespace the images must live in. */
  scope: string;
  rows: PinCheckRow[];
  /** The tree listing was truncated by GitHub: some entries may be missing from the check. */
  truncated: boolean;
}

export interface PinCheckOptions {
  /** This repository, `owner/repo`: images must be `ghcr.io/<owner>/<repo>/…`. */
  scope: string;
  /** `main` for pin PRs (every image digest-pinned), `pr` for other PRs touching the registry. */
  lane: Lane;
  /** The registry client for one registry host (credentials differ per host). */
  registryClientFor: (registry: string) => RegistryClient;
  /** Registry host → the host to fetch from instead (a mirror, or a loopback registry in tests). */
  mirrors?: ReadonlyMap<string, string>;
  signal?: AbortSignal;
  /** Entries checked against the registry at once. */
  concurrency?: number;
}

/** The keys an error code is about, most specific first. */
const KEYS_BY_CODE: Record<string, readonly string[]> = {
  ERR_IMAGE_PLATFORMS: ["platforms", "image"],
  ERR_REGISTRY_ENTRY: ["ref"],
};

const failed = (path: string, line: number, error: SigilError, extra: Partial<PinCheckRow> = {}) => ({
  path,
  line,
  ok: false,
  ...extra,
  error: { code: error.code, message: error.message },
});

type Parsed = { file: RegistryFile; text: string; entry: RegistryEntry } | PinCheckRow;

/** Strict UTF-8, strict YAML, the registry schema: a file that fails any is its own row. */
function parseFile(file: RegistryFile): Parsed {
  let text = "";
  try {
    text = decodeUtf8Strict(file.bytes, file.path, "ERR_REGISTRY_ENTRY");
    return { file, text, entry: parseRegistryEntry(text, file.path) };
  } catch (error) {
    if (!(error instanceof SigilError)) throw error;
    const at = locateEntry(text);
    return failed(file.path, at.yamlErrorLine() ?? at.schemaIssueLine(), error);
  }
}

/**
 * The pin check (docs/checks-and-reports.md) over the registry files of one commit: each file parses as
 * a registry entry, each ref is declared once, each image is repo-scoped (and pinned in the main
 * lane), and each digest exists in its registry as an index holding every required platform.
 */
export async function runPinCheck(
  files: readonly RegistryFile[],
  options: PinCheckOptions,
  truncated = false,
): Promise<PinCheckResult> {
  const rows: PinCheckRow[] = new Array(files.length);
  const pending: { index: number; file: RegistryFile; text: string; entry: RegistryEntry }[] = [];
  const seen = new Map<string, string>();
  files.forEach((file, index) => {
    const parsed = parseFile(file);
    if (!("entry" in parsed)) {
      rows[index] = parsed;
      return;
    }
    const first = seen.get(parsed.entry.ref);
    if (first !== undefined) {
      const error = new SigilError(
        "ERR_REGISTRY_ENTRY",
        `${parsed.entry.ref} is declared twice: ${first} and ${file.path}`,
      );
      rows[index] = failed(file.path, locateEntry(parsed.text).keyLine("ref") ?? 1, error, {
        ref: parsed.entry.ref,
        image: parsed.entry.image,
      });
      return;
    }
    seen.set(parsed.entry.ref, file.path);
    pending.push({ index, ...parsed });
  });

  let next = 0;
  const worker = async () => {
    for (let job = pending[next++]; job !== undefined; job = pending[next++]) {
      const { index, file, text, entry } = job;
      const client = options.registryClientFor(registryHost(entry.image, options.mirrors));
      const checked = await checkEntry(entry, file.path, {
        lane: options.lane,
        scope: options.scope,
        client,
        ...(options.mirrors ? { mirrors: options.mirrors } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const at = locateEntry(text);
      const keys = checked.error ? (KEYS_BY_CODE[checked.error.code] ?? ["image"]) : ["image"];
      const line = keys.map((k) => at.keyLine(k)).find((l) => l !== undefined) ?? 1;
      rows[index] = {
        path: file.path,
        line,
        ok: checked.ok,
        ref: entry.ref,
        image: entry.image,
        ...(checked.digest ? { digest: checked.digest } : {}),
        ...(checked.platform_digests ? { platforms: Object.keys(checked.platform_digests) } : {}),
        ...(checked.error ? { error: checked.error } : {}),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  const ok = rows.every((r) => r.ok) && !truncated;
  return {
    conclusion: ok ? "success" : "failure",
    lane: options.lane,
    scope: options.scope,
    rows,
    truncated,
  };
}

/** The registry host the client talks to for `image` (after the mirror), or the raw host text. */
function registryHost(image: string, mirrors: ReadonlyMap<string, string> | undefined): string {
  try {
    return parseOciReference(throughMirror(image, mirrors)).registry;
  } catch {
    return image.split("/")[0] ?? "";
  }
}
