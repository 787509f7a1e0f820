import type { Envelope } from "../core/index.js";
import { type InvokeRequest, validateEnvelope } from "./adapter.js";
import { assertIndexMatches, readOutputsIndex, scanOutputs } from "./outputs-scan.js";

/**
 * The success envelope every adapter returns once a processor's files are under the write
 * prefix: outputs scanned from disk (never taken from the processor's word), the outputs index
 * checked against them, and the envelope validated (docs/contracts/envelope.md).
 */
export async function successEnvelopeFromPrefix(request: InvokeRequest): Promise<Envelope> {
  const scanned = await scanOutputs(request.write_prefix);
  assertIndexMatches(await readOutputsIndex(request.write_prefix), scanned);
  const base = `world://${request.world_prefix}`;
  return validateEnvelope(
    {
      status: "success",
      execution_id: request.execution_id,
      outputs: scanned.map((o) => ({ path: `${base}/${o.path}` })),
      index_path: `${base}/outputs.json`,
      meta: {
        env_fingerprint: request.env_fingerprint,
        image_digest: request.image_digest,
        ...(request.image_tag ? { image_tag: request.image_tag } : {}),
      },
    },
    request.world_prefix,
  );
}
