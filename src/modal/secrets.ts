import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { type Logger, parseJsonStrict, parseWith, type RegistryEntry, SigilError } from "../core/index.js";
import { modalSecretName } from "./app-name.js";
import type { ModalCliRunner } from "./modal-cli.js";

export interface SecretSyncRequest {
  entries: readonly RegistryEntry[];
  /** Where the values come from (GitHub secrets mapped into the job's environment). */
  values: NodeJS.ProcessEnv;
  modal: ModalCliRunner;
  /** The Modal environment (`--env` of the modal CLI); its own default when absent. */
  environment?: string;
  logger: Logger;
}

/** Names only: what a summary, a log line or an error may say. */
export interface SecretSyncSummary {
  present: string[];
  created: string[];
}

/** `modal secret list --json`: rows with the secret's name (the column is `Name`). */
const SecretList = z.array(z.looseObject({ Name: z.string().optional(), name: z.string().optional() }));

/** Every secret name the registry declares, once, sorted. */
export function declaredSecrets(entries: readonly RegistryEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => e.secrets))].sort();
}

const envArgs = (environment: string | undefined) => (environment ? ["--env", environment] : []);

export async function listModalSecrets(modal: ModalCliRunner, environment?: string): Promise<Set<string>> {
  const text = await modal(["secret", "list", "--json", ...envArgs(environment)]);
  const rows = parseWith(
    SecretList,
    parseJsonStrict(text.trim() || "[]"),
    "ERR_MODAL_CLI",
    "modal secret list --json",
  );
  return new Set(rows.map((r) => r.Name ?? r.name ?? "").filter(Boolean));
}

/**
 * Makes every declared secret exist in the Modal environment: presence by name only (values are
 * never read back), missing ones created from `values`. Every missing value is reported, by name,
 * before anything is created. Values travel in a private temp file (`--from-json`), never argv.
 */
export async function syncSecrets(request: SecretSyncRequest): Promise<SecretSyncSummary> {
  const names = declaredSecrets(request.entries);
  const existing = await listModalSecrets(request.modal, request.environment);
  const present = names.filter((n) => existing.has(modalSecretName(n)));
  const missing = names.filter((n) => !existing.has(modalSecretName(n)));
  const unset = missing.filter((n) => !request.values[n]);
  if (unset.length > 0)
    throw new SigilError(
      "ERR_MISSING_SECRET",
      `${unset.join(", ")} ${unset.length === 1 ? "is" : "are"} not in the Modal environment and not provided; add ${unset.length === 1 ? "it" : "them"} to the repository's secrets and map ${unset.length === 1 ? "it" : "them"} into this job's env`,
      { names: unset },
    );
  const scratch = await mkdtemp(join(tmpdir(), "sigil-secrets-"));
  try {
    for (const name of missing) {
      const file = join(scratch, `${name}.json`);
      await writeFile(file, JSON.stringify({ [name]: request.values[name] }), { mode: 0o600 });
      try {
        await request.modal([
          "secret",
          "create",
          modalSecretName(name),
          "--from-json",
          file,
          ...envArgs(request.environment),
        ]);
      } finally {
        await rm(file, { force: true });
      }
      request.logger.info({ event: "modal.secret.created", name, modal_secret: modalSecretName(name) });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { present, created: missing };
}
