import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Envelope, isErrorCode, SigilError } from "../core/index.js";
import {
  MODAL_CALL_SCHEMA,
  type ModalAppName,
  type ModalCallPayload,
  ModalCallResult,
  type ModalTransport,
  type ReturnedFile,
} from "../modal/index.js";
import { type Adapter, errorEnvelope, type InvokeRequest } from "./adapter.js";
import { successEnvelopeFromPrefix } from "./settle-outputs.js";

/** Time beyond a processor's own `timeout_s` for a cold start and the round trip. */
export const MODAL_CLIENT_SLACK_MS = 120_000;

export interface ModalAdapterOptions {
  transport: ModalTransport;
  /** The app a ref is deployed as (modalAppNameFromRef with the lane's branch and user). */
  appName: (ref: string) => ModalAppName;
  /** The Modal environment to look functions up in; the transport's default when absent. */
  environment?: string;
  /** Client-side limit on one call; default: the entry's timeout_s plus MODAL_CLIENT_SLACK_MS. */
  clientTimeoutMs?: number;
}

class ClientTimeout extends Error {}

/**
 * Runs a processor as a deployed Modal function (docs/modal.md): resolve the function, call it
 * with the run's payload, write the files it returns into the world, then settle exactly as the
 * local adapter does (scan `outputs/`, check the index, validate the envelope).
 */
export class ModalAdapter implements Adapter {
  readonly name = "modal";

  constructor(private readonly options: ModalAdapterOptions) {}

  async invoke(request: InvokeRequest): Promise<Envelope> {
    const log = request.logger;
    const started = performance.now();
    const app = this.options.appName(request.processor_ref).name;
    const fn = request.mode === "mock" ? "mock" : "run";
    log.info(
      { event: "adapter.invoke.start", image_digest: request.image_digest, app, fn },
      "invoking modal",
    );
    let envelope: Envelope;
    try {
      const result = await this.call(request, app, fn);
      envelope = await this.settle(request, result);
    } catch (error) {
      const sigil = SigilError.from(error, "ERR_MODAL_INVOCATION");
      envelope = errorEnvelope(request.execution_id, sigil.code, sigil.message, request.env_fingerprint);
    }
    const elapsed_ms = Math.round(performance.now() - started);
    if (envelope.status === "success")
      log.info({
        event: "adapter.invoke.complete",
        elapsed_ms,
        image_digest: request.image_digest,
        outputs: envelope.outputs.length,
      });
    else
      log.error(
        { event: "adapter.invoke.error", elapsed_ms, code: envelope.error.code },
        envelope.error.message,
      );
    return envelope;
  }

  /** Resolve and invoke under one client-side deadline; a hang becomes ERR_MODAL_TIMEOUT. */
  private async call(request: InvokeRequest, app: string, fn: "run" | "mock"): Promise<ModalCallResult> {
    const { transport, environment } = this.options;
    const limit = this.options.clientTimeoutMs ?? request.entry.timeout_s * 1000 + MODAL_CLIENT_SLACK_MS;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new ClientTimeout());
      }, limit);
    });
    const work = (async () => {
      let handle: unknown;
      try {
        handle = await transport.resolve({ app, fn, ...(environment ? { environment } : {}) });
      } catch (error) {
        throw SigilError.from(error, "ERR_MODAL_LOOKUP");
      }
      try {
        return await transport.invoke(handle, callPayload(request), controller.signal);
      } catch (error) {
        throw SigilError.from(error, "ERR_MODAL_INVOCATION");
      }
    })();
    try {
      return parseResult(await Promise.race([work, deadline]), request.execution_id);
    } catch (error) {
      if (error instanceof ClientTimeout)
        throw new SigilError(
          "ERR_MODAL_TIMEOUT",
          `${app}::${fn} gave no answer within ${limit} ms; the call was cancelled`,
        );
      throw error;
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
    }
  }

  private async settle(request: InvokeRequest, result: ModalCallResult): Promise<Envelope> {
    if (result.status === "error") {
      const code = isErrorCode(result.error.code) ? result.error.code : "ERR_MODAL_INVOCATION";
      const message = SigilError.fromReported(code, result.error.message.slice(0, 2000)).message;
      return errorEnvelope(request.execution_id, code, message, request.env_fingerprint);
    }
    await writeReturnedFiles(request, result.files);
    return successEnvelopeFromPrefix(request);
  }
}

function callPayload(request: InvokeRequest): ModalCallPayload {
  return {
    schema: MODAL_CALL_SCHEMA,
    execution_id: request.execution_id,
    processor_ref: request.processor_ref,
    inputs_json: request.inputs_json,
    mode: request.mode,
    world_prefix: request.world_prefix,
    image_digest: request.image_digest,
    ...(request.image_tag ? { image_tag: request.image_tag } : {}),
    env_fingerprint: request.env_fingerprint,
  };
}

function parseResult(value: unknown, executionId: string): ModalCallResult {
  const parsed = ModalCallResult.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SigilError(
      "ERR_MODAL_PAYLOAD",
      `the function returned ${issue?.path.join(".") || "a value"}: ${issue?.message}`,
    );
  }
  if (parsed.data.execution_id !== executionId)
    throw new SigilError(
      "ERR_MODAL_PAYLOAD",
      `the function answered for ${parsed.data.execution_id}, not ${executionId}`,
    );
  return parsed.data;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Only the run's own prefix and its determinism twin may be written; nothing else, nothing above. */
async function writeReturnedFiles(request: InvokeRequest, files: readonly ReturnedFile[]): Promise<void> {
  const twin = `execution/${request.execution_id}/determinism.json`;
  for (const file of files) {
    const parts = file.path.split("/");
    const safe =
      !file.path.includes("\\") &&
      !parts.some((p) => p === ".." || p === "." || p === "") &&
      (file.path === twin || file.path.startsWith(`${request.world_prefix}/`));
    if (!safe)
      throw new SigilError(
        "ERR_MODAL_PAYLOAD",
        `returned file ${JSON.stringify(file.path)} is outside the run's write prefix`,
      );
    if (file.base64.length % 4 !== 0 || !BASE64.test(file.base64))
      throw new SigilError("ERR_MODAL_PAYLOAD", `returned file ${file.path} is not base64`);
  }
  // Checked all first: a bad answer leaves nothing behind in the world.
  for (const file of files) {
    const target = join(request.world_root, ...file.path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, Buffer.from(file.base64, "base64"));
  }
}
