import { relative, resolve, sep } from "node:path";
import {
  type Clock,
  canonicalize,
  type ErrorCode,
  type Logger,
  type OutputEntry,
  SigilError,
  sha256Hex,
  systemClock,
  writeFileAtomic,
} from "../core/index.js";
import type { ModalEnv } from "../modal/index.js";
import { type AdapterFactory, EXECUTION_ID_PLACEHOLDER, runProcessor } from "../run/index.js";
import { readRunArtifacts } from "./determinism.js";
import { checkProject } from "./project.js";

export const VALIDATE_MOCK_REPORT_SCHEMA = "sigil.validate-mock.v1";
/** The inputs a processor runs with when `.github/sigil.yml` names none (as in the PR lane). */
const DEFAULT_INPUTS = { schema: "v1" } as const;

export interface ValidateMockRequest {
  /** The repository whose registry was deployed (in an action: GITHUB_WORKSPACE). */
  root: string;
  configPath?: string;
  /** World root the returned files are written into; resolved against `root`. */
  world: string;
  env: ModalEnv;
  /** The app a ref is deployed as (for the report; the adapter names it the same way). */
  appName: (ref: string) => string;
  repoScope?: string;
}

export interface ValidateMockDeps {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Must build the modal adapter for `request.env` (createAdapterFactory with `modal`). */
  adapters: AdapterFactory;
  clock?: Clock;
  phase?: <T>(name: string, body: () => Promise<T>) => Promise<T>;
}

export interface MockCheck {
  ref: string;
  app: string;
  status: "pass" | "fail";
  code?: ErrorCode;
  message?: string;
  execution_id: string;
  outputs: OutputEntry[];
  /** sha256 of the bytes of `outputs.json`, as the function returned it. */
  outputs_index_sha256?: string;
  write_prefix?: string;
}

export interface ValidateMockReport {
  schema: typeof VALIDATE_MOCK_REPORT_SCHEMA;
  ok: boolean;
  env: ModalEnv;
  checks: MockCheck[];
  /** Where this report is written, relative to the root. */
  summary_path: string;
}

const toPosix = (path: string) => path.split(sep).join("/");
const direct = <T>(_name: string, body: () => Promise<T>) => body();

/**
 * Mock validation after a deploy (docs/modal.md): every registry entry's deployed `mock`
 * function is called through the modal adapter with its PR-lane inputs, and must settle like a
 * local run: a valid envelope, an outputs index that matches the files, a receipt that agrees
 * with its twin and the inputs hash, in mode mock. Writes `<world>/validate-mock/summary.json`.
 */
export async function validateMock(
  request: ValidateMockRequest,
  deps: ValidateMockDeps,
): Promise<ValidateMockReport> {
  const phase = deps.phase ?? direct;
  const root = resolve(request.root);
  const world = resolve(root, request.world);
  const project = await phase("validate config and registry", () =>
    checkProject({
      root,
      ...(request.configPath ? { configPath: request.configPath } : {}),
      lane: request.env,
      ...(request.repoScope ? { repoScope: request.repoScope } : {}),
    }),
  );
  const checks: MockCheck[] = [];
  for (const { entry } of project.entries) {
    const check = await phase(`mock ${entry.ref}`, async () => {
      const outcome = await runProcessor(
        {
          ref: entry.ref,
          adapter: "modal",
          mode: "mock",
          inputsJson: canonicalize(project.config.config.pr_lane.inputs[entry.ref] ?? DEFAULT_INPUTS),
          writePrefix: resolve(
            world,
            "validate-mock",
            entry.ref.replace(/[/@]/g, "-"),
            EXECUTION_ID_PLACEHOLDER,
          ),
          world,
          lane: request.env,
        },
        {
          repoRoot: root,
          registryDir: project.registryDir,
          ...(request.repoScope ? { repoScope: request.repoScope } : {}),
          cwd: root,
          env: deps.env,
          logger: deps.logger,
          clock: deps.clock ?? systemClock,
          adapters: deps.adapters,
        },
      );
      return settleCheck(entry.ref, request.appName(entry.ref), outcome, root);
    });
    deps.logger.info({
      event: "validate_mock.check",
      processor_ref: check.ref,
      app: check.app,
      status: check.status,
      code: check.code,
    });
    checks.push(check);
  }
  const summaryFile = resolve(world, "validate-mock", "summary.json");
  const report: ValidateMockReport = {
    schema: VALIDATE_MOCK_REPORT_SCHEMA,
    ok: checks.every((c) => c.status === "pass"),
    env: request.env,
    checks,
    summary_path: toPosix(relative(root, summaryFile)),
  };
  await phase("write report", () => writeFileAtomic(summaryFile, `${JSON.stringify(report, null, 2)}\n`));
  return report;
}

async function settleCheck(
  ref: string,
  app: string,
  outcome: Awaited<ReturnType<typeof runProcessor>>,
  root: string,
): Promise<MockCheck> {
  const { envelope } = outcome;
  const check: MockCheck = {
    ref,
    app,
    status: "fail",
    execution_id: envelope.execution_id,
    outputs: [],
    ...(outcome.writePrefix ? { write_prefix: toPosix(relative(root, outcome.writePrefix)) } : {}),
  };
  if (envelope.status === "error")
    return { ...check, code: envelope.error.code, message: `${ref}: ${envelope.error.message}` };
  if (!outcome.writePrefix) {
    const error = new SigilError("ERR_INTERNAL", `${ref}: the run left no write prefix`);
    return { ...check, code: error.code, message: error.message };
  }
  try {
    const artifacts = await readRunArtifacts(outcome.writePrefix);
    if (artifacts.receipt.mode !== "mock")
      throw new SigilError(
        "ERR_MODAL_PAYLOAD",
        `${ref}: the mock entrypoint returned a ${artifacts.receipt.mode} receipt`,
      );
    return {
      ...check,
      status: "pass",
      outputs: artifacts.outputs,
      outputs_index_sha256: sha256Hex(artifacts.outputsIndexBytes),
    };
  } catch (error) {
    const sigil = SigilError.from(error, "ERR_ADAPTER_INVOCATION");
    return { ...check, code: sigil.code, message: sigil.message };
  }
}

/** What a face fails with: the first failing check's code and message, naming the others. */
export function validateMockFailure(
  report: ValidateMockReport,
): { code: ErrorCode; message: string } | undefined {
  const failed = report.checks.filter((c) => c.status === "fail");
  const [first] = failed;
  if (!first) return undefined;
  const others = failed.slice(1).map((f) => f.ref);
  const more = others.length > 0 ? ` (${others.length} more failed: ${others.join(", ")})` : "";
  return { code: first.code ?? "ERR_INTERNAL", message: `${first.message ?? first.ref}${more}` };
}
