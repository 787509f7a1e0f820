import { z } from "zod";

const PAIR = /^[a-z0-9_.-]+=[^;=]*$/i;

/** True when `text` is `k=v;…` with keys sorted and unique (docs/contracts/receipts.md). */
export function isSortedFingerprint(text: string): boolean {
  if (text === "") return false;
  const keys: string[] = [];
  for (const pair of text.split(";")) {
    if (!PAIR.test(pair)) return false;
    keys.push(pair.slice(0, pair.indexOf("=")));
  }
  return keys.every((key, i) => i === 0 || (keys[i - 1] ?? "") < key);
}

export const EnvFingerprint = z.string().refine(isSortedFingerprint, "env_fingerprint must be sorted k=v;…");

/** Renders `{cpu: 1, image: …}` as `cpu=1;image=…`, sorted by key. */
export function formatFingerprint(pairs: Record<string, string | number>): string {
  return Object.keys(pairs)
    .sort()
    .map((key) => `${key}=${String(pairs[key])}`)
    .join(";");
}
