import { z } from "zod";
import { canonicalize, sha256Hex } from "../core/index.js";

/**
 * What a deployed app says about itself through its `describe` entrypoint (docs/modal.md). The
 * Modal CLI cannot list a deployed app's image, so every rendered app carries these constants,
 * baked at render time; drift compares them with what the registry would render now.
 */
export const MODAL_DESCRIBE_SCHEMA = "sigil.modal.describe/v1";

export const ModalAppDescription = z.strictObject({
  schema: z.literal(MODAL_DESCRIBE_SCHEMA),
  ref: z.string().min(1),
  app: z.string().min(1),
  /** The image reference deployed, `<repo>@sha256:<digest>` in staging and main. */
  image: z.string().min(1),
  timeout_s: z.number().int().positive(),
  /** Modal Secret names the functions mount, sorted. */
  secrets: z.array(z.string().min(1)),
  /** sha256 of the canonical JSON of the whole rendered spec (entrypoint, resources, workdir…). */
  spec_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ModalAppDescription = z.infer<typeof ModalAppDescription>;

/** The spec `_declare` receives in modal_app.py; its hash stands for everything not compared by name. */
export interface RenderedSpec {
  ref: string;
  app: string;
  image: string;
  workdir: string;
  entrypoint: readonly string[];
  secrets: readonly { env: string; modal: string }[];
  timeout_s: number;
  cpu: number;
  memory_mib: number;
}

export function describeSpec(spec: RenderedSpec): ModalAppDescription {
  return {
    schema: MODAL_DESCRIBE_SCHEMA,
    ref: spec.ref,
    app: spec.app,
    image: spec.image,
    timeout_s: spec.timeout_s,
    secrets: spec.secrets.map((s) => s.modal),
    spec_sha256: sha256Hex(canonicalize(spec)),
  };
}
