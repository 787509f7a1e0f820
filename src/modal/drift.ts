import { canonicalize, type Logger, type RegistryEntry, SigilError } from "../core/index.js";
import { describeSpec, MODAL_DESCRIBE_SCHEMA, ModalAppDescription } from "./describe.js";
import { planApps, type RenderOptions, renderedSpec } from "./render.js";
import { isNotDeployed, type ModalTransport } from "./transport.js";

/** A cold start of the image plus the round trip; `describe` itself only returns constants. */
export const DESCRIBE_TIMEOUT_MS = 180_000;

export interface DriftRequest extends RenderOptions {
  entries: readonly RegistryEntry[];
  transport: ModalTransport;
  /** The Modal environment to look apps up in; the transport's default when absent. */
  environment?: string;
  logger: Logger;
  /** Client-side limit on one `describe` call. */
  timeoutMs?: number;
}

/** What is compared: each field of the description, or the description as a whole. */
export type DriftField = "app" | "image" | "timeout_s" | "secrets" | "spec_sha256" | "describe";

export interface DriftDifference {
  field: DriftField;
  registry: string;
  deployed: string;
}

export interface AppDrift {
  ref: string;
  app: string;
  /** `missing`: the app, or its describe function, is not deployed. */
  status: "same" | "drift" | "missing";
  /** The image the registry pins now. */
  image: string;
  /** The image the deployed app reports, when it answered. */
  deployed_image?: string;
  differences: DriftDifference[];
}

export interface DriftReport {
  ok: boolean;
  env: string;
  apps: AppDrift[];
}

const COMPARED = ["app", "image", "timeout_s", "secrets", "spec_sha256"] as const;
const show = (value: unknown) => (typeof value === "string" ? value : canonicalize(value));

/**
 * Registry pins against what is deployed (docs/modal.md): each app's `describe` entrypoint
 * answers the constants it was rendered with; they must equal what the registry renders now.
 * A missing app is drift; a lookup that could not be made is ERR_MODAL_LOOKUP.
 */
export async function checkDrift(request: DriftRequest): Promise<DriftReport> {
  const apps = planApps(request.entries, request);
  const byRef = new Map(request.entries.map((e) => [e.ref, e]));
  const results: AppDrift[] = [];
  for (const app of apps) {
    const entry = byRef.get(app.ref);
    if (!entry) throw new SigilError("ERR_INTERNAL", `no entry for ${app.ref}`);
    const expected = describeSpec(renderedSpec(entry, app, request.appRoot));
    const answer = await describeDeployed(request, app.app);
    const result = compare(expected, answer);
    request.logger.info({
      event: "modal.drift.app",
      ref: app.ref,
      app: app.app,
      status: result.status,
      fields: result.differences.map((d) => d.field),
    });
    results.push(result);
  }
  return { ok: results.every((r) => r.status === "same"), env: request.env, apps: results };
}

/** The error a face fails with when the report is not clean. */
export function driftError(report: DriftReport): SigilError {
  const drifted = report.apps.filter((a) => a.status !== "same");
  const detail = drifted
    .map((a) =>
      a.status === "missing"
        ? `${a.app} is not deployed`
        : `${a.app}: ${a.differences.map((d) => d.field).join(", ")} differ`,
    )
    .join("; ");
  return new SigilError("ERR_MODAL_DRIFT", `${report.env}: ${detail}; redeploy from the registry`, {
    apps: drifted.map((a) => a.app),
  });
}

type Answer = { missing: string } | { value: unknown };

async function describeDeployed(request: DriftRequest, app: string): Promise<Answer> {
  const { transport, environment } = request;
  let handle: unknown;
  try {
    handle = await transport.resolve({ app, fn: "describe", ...(environment ? { environment } : {}) });
  } catch (error) {
    if (isNotDeployed(error)) return { missing: SigilError.from(error, "ERR_MODAL_LOOKUP").message };
    throw SigilError.from(error, "ERR_MODAL_LOOKUP");
  }
  const limit = request.timeoutMs ?? DESCRIBE_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new SigilError("ERR_MODAL_TIMEOUT", `${app}::describe gave no answer within ${limit} ms`));
    }, limit);
  });
  const call = transport.invoke(handle, { schema: MODAL_DESCRIBE_SCHEMA }, controller.signal);
  try {
    return { value: await Promise.race([call, deadline]) };
  } catch (error) {
    throw SigilError.from(error, "ERR_MODAL_INVOCATION");
  } finally {
    clearTimeout(timer);
    call.catch(() => undefined);
  }
}

function compare(expected: ModalAppDescription, answer: Answer): AppDrift {
  const base = { ref: expected.ref, app: expected.app, image: expected.image };
  if ("missing" in answer) return { ...base, status: "missing", differences: [] };
  const parsed = ModalAppDescription.safeParse(answer.value);
  if (!parsed.success)
    return {
      ...base,
      status: "drift",
      differences: [
        { field: "describe", registry: MODAL_DESCRIBE_SCHEMA, deployed: show(answer.value).slice(0, 200) },
      ],
    };
  const deployed = parsed.data;
  const differences = COMPARED.filter((f) => show(expected[f]) !== show(deployed[f])).map((field) => ({
    field,
    registry: show(expected[field]),
    deployed: show(deployed[field]),
  }));
  return {
    ...base,
    status: differences.length === 0 ? "same" : "drift",
    deployed_image: deployed.image,
    differences,
  };
}
