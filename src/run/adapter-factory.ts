import { SigilError, type Spawn } from "../core/index.js";
import type { ModalEnv, ModalTransport } from "../modal/index.js";
import type { Adapter } from "./adapter.js";
import { LocalAdapter } from "./local-adapter.js";

/** Where a processor can run; every face names one of these and asks the factory for it. */
export const ADAPTER_NAMES = ["local", "modal"] as const;
export type AdapterName = (typeof ADAPTER_NAMES)[number];

/** The PR lane and every local command run from source (docs/contracts/lanes.md). */
export const DEFAULT_ADAPTER: AdapterName = "local";

/** What the modal adapter needs; faces read it from their flags and environment and pass it in. */
export interface ModalAdapterSettings {
  /** The lane whose app names to call (dev names carry branch and user). */
  env: ModalEnv;
  branch?: string;
  user?: string;
  /** Modal environment (MODAL_ENVIRONMENT); also the SDK client's default. */
  environment?: string;
  /** MODAL_TOKEN_ID / MODAL_TOKEN_SECRET for the production transport; never logged. */
  tokenId?: string;
  tokenSecret?: string;
  /** Replaces the `modal` SDK (tests, local fakes). */
  transport?: ModalTransport;
  clientTimeoutMs?: number;
  /** Told when a dev app name falls back to the canonical name. */
  warn?: (message: string) => void;
}

export interface AdapterSetOptions {
  /** Project root holding `processors/` (the local adapter runs from source). */
  repoRoot: string;
  spawn?: Spawn;
  /** Receives each stderr line of a processor (NDJSON, or wrapped into it). */
  onProcessorLog?: (line: string) => void;
  /** The environment a processor may inherit from (PATH, HOME…); never secrets. */
  parentEnv?: NodeJS.ProcessEnv;
  /** Required for the modal adapter. */
  modal?: ModalAdapterSettings;
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
      return buildModalAdapter(options.modal);
  }
}

function buildModalAdapter(settings: ModalAdapterSettings | undefined): Adapter {
  if (!settings)
    throw new SigilError(
      "ERR_USAGE",
      "the modal adapter needs a lane (dev, staging or main); the PR lane runs locally",
    );
  // The modal domain is loaded by the first invoke: a local run does not pay for its start-up.
  let loaded: Promise<Adapter> | undefined;
  return {
    name: "modal",
    invoke: async (request) => {
      loaded ??= loadModalAdapter(settings);
      return (await loaded).invoke(request);
    },
  };
}

async function loadModalAdapter(settings: ModalAdapterSettings): Promise<Adapter> {
  const [{ modalAppNameFromRef, sdkTransport }, { ModalAdapter }] = await Promise.all([
    import("../modal/index.js"),
    import("./modal-adapter.js"),
  ]);
  const transport =
    settings.transport ??
    sdkTransport({
      ...(settings.tokenId ? { tokenId: settings.tokenId } : {}),
      ...(settings.tokenSecret ? { tokenSecret: settings.tokenSecret } : {}),
      ...(settings.environment ? { environment: settings.environment } : {}),
    });
  return new ModalAdapter({
    transport,
    appName: (ref) =>
      modalAppNameFromRef(ref, settings.env, {
        branch: settings.branch,
        user: settings.user,
        ...(settings.warn ? { warn: settings.warn } : {}),
      }),
    ...(settings.environment ? { environment: settings.environment } : {}),
    ...(settings.clientTimeoutMs !== undefined ? { clientTimeoutMs: settings.clientTimeoutMs } : {}),
  });
}
