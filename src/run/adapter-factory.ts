import { SigilError, type Spawn } from "../core/index.js";
import type { Adapter } from "./adapter.js";
import { LocalAdapter } from "./local-adapter.js";

/** Where a processor can run; every face names one of these and asks the factory for it. */
export const ADAPTER_NAMES = ["local", "modal"] as const;
export type AdapterName = (typeof ADAPTER_NAMES)[number];

/** The PR lane and every local command run from source (docs/contracts/lanes.md). */
export const DEFAULT_ADAPTER: AdapterName = "local";

export interface AdapterSetOptions {
  /** Project root holding `processors/` (the local adapter runs from source). */
  repoRoot: string;
  spawn?: Spawn;
  /** Receives each stderr line of a processor (NDJSON, or wrapped into it). */
  onProcessorLog?: (line: string) => void;
  /** The environment a processor may inherit from (PATH, HOME…); never secrets. */
  parentEnv?: NodeJS.ProcessEnv;
}

/** Builds the adapter a run asks for by name; the only place adapters are constructed. */
export type AdapterFactory = (name: AdapterName) => Adapter;

export function createAdapterFactory(options: AdapterSetOptions): AdapterFactory {
  const built = new Map<AdapterName, Adapter>();
  return (name) => {
    const cached = built.get(name);
    if (cached) return cached;
    const adapter = buildAdapter(name, options);
    built.set(name, adapter);
    return adapter;
  };
}

function buildAdapter(name: AdapterName, options: AdapterSetOptions): Adapter {
  switch (name) {
    case "local":
      return new LocalAdapter({
        repoRoot: options.repoRoot,
        ...(options.spawn ? { spawn: options.spawn } : {}),
        ...(options.onProcessorLog ? { onProcessorLog: options.onProcessorLog } : {}),
        ...(options.parentEnv ? { parentEnv: options.parentEnv } : {}),
      });
    case "modal":
      throw new SigilError(
        "ERR_USAGE",
        "the modal adapter is not available in this build; use --adapter local",
      );
  }
}
