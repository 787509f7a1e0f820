import { z } from "zod";

/** `<ns>/<name>@<version>`, e.g. `llm/litellm@1`. */
export const PROCESSOR_REF = /^([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9_-]*)@([0-9]+)$/;

export const ProcessorRef = z
  .string()
  .regex(PROCESSOR_REF, "processor ref must look like <ns>/<name>@<version>");

export function parseProcessorRef(ref: string): { ns: string; name: string; version: string } | undefined {
  const match = PROCESSOR_REF.exec(ref);
  if (!match) return undefined;
  const [, ns = "", name = "", version = ""] = match;
  return { ns, name, version };
}

const Platform = z
  .string()
  .regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, "platform must look like os/arch[/variant]");
/** A path inside the repository: relative, `/`-separated, never climbing out with `..`. */
export const RepoRelativePath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith("/") && !p.includes("\\") && !p.split("/").includes(".."),
    "must be a relative path inside the repository",
  );
const SecretName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, "secret names are UPPER_SNAKE_CASE");

/** One YAML file under `registry/processors/` (docs/contracts/registry.md). */
export const RegistryEntry = z.strictObject({
  ref: ProcessorRef,
  image: z.string().min(1),
  image_tag: z.string().min(1).optional(),
  platforms: z.array(Platform).min(1).default(["linux/amd64", "linux/arm64"]),
  source: RepoRelativePath,
  entrypoint: z.array(z.string().min(1)).min(1),
  secrets: z.array(SecretName).default([]),
  timeout_s: z.number().int().positive().max(86_400),
  resources: z
    .strictObject({
      cpu: z.number().positive().default(1),
      memory: z
        .string()
        .regex(/^[0-9]+(Mi|Gi)$/, "memory like 512Mi or 2Gi")
        .default("2Gi"),
    })
    .default({ cpu: 1, memory: "2Gi" }),
});
export type RegistryEntry = z.infer<typeof RegistryEntry>;
