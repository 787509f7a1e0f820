import { SigilError } from "../core/index.js";
import type { ModalFunctionName } from "./protocol.js";

/** Which deployed function to call: an app name (modalAppNameFromRef) and an entrypoint. */
export interface ModalFunctionTarget {
  app: string;
  fn: ModalFunctionName;
  /** The Modal environment; the client's default when absent. */
  environment?: string;
}

/**
 * The Modal side of the ModalAdapter as two injectable steps: `resolve` finds a deployed
 * function, `invoke` calls it. Production is the `modal` JS SDK (sdkTransport); tests inject
 * their own. `invoke` must stop work when `signal` aborts (the adapter's client timeout).
 * `resolve` throws ERR_MODAL_LOOKUP with `details.not_found` when the app or function is not
 * deployed (see isNotDeployed), and without it when the lookup itself failed.
 */
export interface ModalTransport {
  resolve(target: ModalFunctionTarget): Promise<unknown>;
  invoke(fn: unknown, payload: unknown, signal: AbortSignal): Promise<unknown>;
  close?(): void;
}

/** A lookup error that means "not deployed", as opposed to "could not look". */
export function isNotDeployed(error: unknown): boolean {
  return error instanceof SigilError && error.code === "ERR_MODAL_LOOKUP" && error.details.not_found === true;
}

export interface ModalCredentials {
  tokenId?: string;
  tokenSecret?: string;
  environment?: string;
}

/** MODAL_TOKEN_ID, MODAL_TOKEN_SECRET and MODAL_ENVIRONMENT, read by a face and passed in. */
export function modalCredentialsFrom(env: NodeJS.ProcessEnv): ModalCredentials {
  const value = (name: string) => env[name]?.trim() || undefined;
  const tokenId = value("MODAL_TOKEN_ID");
  const tokenSecret = value("MODAL_TOKEN_SECRET");
  const environment = value("MODAL_ENVIRONMENT");
  return {
    ...(tokenId ? { tokenId } : {}),
    ...(tokenSecret ? { tokenSecret } : {}),
    ...(environment ? { environment } : {}),
  };
}

/** The subset of the SDK the transport uses (modal@0.11.1, docs: TOOLCHAIN.md). */
interface SdkFunctionCall {
  get(params?: { timeoutMs?: number }): Promise<unknown>;
  cancel(): Promise<void>;
}
interface SdkFunction {
  spawn(args?: unknown[]): Promise<SdkFunctionCall>;
}
interface SdkClient {
  functions: {
    fromName(app: string, name: string, params?: { environment?: string }): Promise<SdkFunction>;
  };
  close(): void;
}

function isSdkFunction(value: unknown): value is SdkFunction {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "spawn") === "function";
}

/** SDK errors become coded errors here, once, where they enter. */
function sdkError(error: unknown, code: "ERR_MODAL_LOOKUP" | "ERR_MODAL_INVOCATION"): SigilError {
  const name = error instanceof Error ? error.name : "";
  const text = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  if (name === "FunctionTimeoutError") return new SigilError("ERR_MODAL_TIMEOUT", text);
  // Not deployed (app or function): drift reports this as a missing app, not as a failed lookup.
  if (name === "NotFoundError") return new SigilError(code, `${name}: ${text}`, { not_found: true });
  return new SigilError(code, name ? `${name}: ${text}` : text);
}

/**
 * The production transport over the `modal` SDK. The SDK is loaded on first use only, so runs
 * with the local adapter never pay for it (it is external in scripts/build-cli.js).
 */
export function sdkTransport(credentials: ModalCredentials): ModalTransport {
  let client: Promise<SdkClient> | undefined;
  const connect = (): Promise<SdkClient> => {
    client ??= import("modal").then(
      ({ ModalClient }) =>
        new ModalClient({
          ...(credentials.tokenId ? { tokenId: credentials.tokenId } : {}),
          ...(credentials.tokenSecret ? { tokenSecret: credentials.tokenSecret } : {}),
          ...(credentials.environment ? { environment: credentials.environment } : {}),
        }) as unknown as SdkClient,
    );
    return client;
  };
  return {
    async resolve(target) {
      try {
        const sdk = await connect();
        return await sdk.functions.fromName(target.app, target.fn, {
          ...(target.environment ? { environment: target.environment } : {}),
        });
      } catch (error) {
        throw sdkError(error, "ERR_MODAL_LOOKUP");
      }
    },
    async invoke(fn, payload, signal) {
      if (!isSdkFunction(fn)) throw new SigilError("ERR_MODAL_INVOCATION", "resolver returned no function");
      let call: SdkFunctionCall | undefined;
      const cancel = () => void call?.cancel().catch(() => undefined);
      signal.addEventListener("abort", cancel, { once: true });
      try {
        call = await fn.spawn([payload]);
        if (signal.aborted) cancel();
        return await call.get();
      } catch (error) {
        throw sdkError(error, "ERR_MODAL_INVOCATION");
      } finally {
        signal.removeEventListener("abort", cancel);
      }
    },
    close() {
      void client?.then((c) => c.close()).catch(() => undefined);
    },
  };
}
