import { resolve } from "node:path";
import { SigilError } from "../core/index.js";
import { loadSigilConfig } from "../governance/index.js";
import { loadRegistry, parseImageRef, type Registry } from "../supply/index.js";
import { DEFAULT_EXAMPLE_REF, planInit, planProcessor, processorSpec } from "./plan.js";
import { registryFile } from "./processor-templates.js";
import { type ScaffoldReport, writeScaffold } from "./write.js";

export interface InitRequest {
  root: string;
  /** `owner/name` of the repository being set up: its images live under ghcr.io/<owner>/<name>/. */
  repo: string;
  ref?: string;
  force?: boolean;
}

export interface ScaffoldResult extends ScaffoldReport {
  ref: string;
  repo: string;
  next_steps: string[];
}

/** `sigil init`: a repository that passes its own PR lane and `sigil verify` before anyone edits it. */
export async function initRepository(request: InitRequest): Promise<ScaffoldResult> {
  const spec = processorSpec(request.ref ?? DEFAULT_EXAMPLE_REF, request.repo);
  const report = await writeScaffold(request.root, planInit(spec), { force: request.force === true });
  return {
    ...report,
    ref: spec.ref,
    repo: spec.repo,
    next_steps: [
      `npx sigil run --ref ${spec.ref} --mode mock --json`,
      "npx sigil verify artifacts",
      "npx sigil processor new --ref <ns>/<name>@<version>",
      "git add -A && git commit -m 'SIGIL.ZERO' && git push   # the PR lane runs on GitHub",
    ],
  };
}

export interface ProcessorRequest {
  root: string;
  ref: string;
  /** `--repo`; else the namespace of the registry's entries; else GITHUB_REPOSITORY. */
  repo?: string;
  envRepo?: string;
  secrets?: readonly string[];
  force?: boolean;
}

/** The `owner/name` every existing entry's image lives under, when they agree on one. */
function repoOfRegistry(registry: Registry): string | undefined {
  const scopes = new Set<string>();
  for (const { entry } of registry.values()) {
    const { host, repository } = parseImageRef(entry.image);
    const [owner, name] = repository.split("/");
    if (host === "ghcr.io" && owner && name) scopes.add(`${owner}/${name}`);
  }
  return scopes.size === 1 ? [...scopes][0] : undefined;
}

/** `sigil processor new`: one more processor, same shape as the one `sigil init` writes. */
export async function addProcessor(request: ProcessorRequest): Promise<ScaffoldResult> {
  const root = resolve(request.root);
  const config = await loadSigilConfig(root);
  const registryDir = resolve(root, config.config.registry);
  const registry: Registry = await loadRegistry(registryDir).catch(() => new Map());
  const repo = request.repo ?? repoOfRegistry(registry) ?? request.envRepo;
  if (!repo) {
    throw new SigilError(
      "ERR_USAGE",
      "cannot tell the repository for the image name: pass --repo <owner/name> (or set GITHUB_REPOSITORY)",
    );
  }
  const spec = processorSpec(request.ref, repo, request.secrets);
  const planned = planProcessor(spec);
  // The entry goes where the config says the registry is.
  const entryPath = registryFile(spec);
  const entryFile = `${config.config.registry}/${entryPath.slice("registry/processors/".length)}`;
  const files = planned.map((f) => (f.path === entryPath ? { ...f, path: entryFile } : f));
  const declared = registry.get(spec.ref);
  if (declared && `${config.config.registry}/${declared.file}` !== entryFile) {
    throw new SigilError(
      "ERR_INIT_EXISTS",
      `${spec.ref} is already declared in ${config.config.registry}/${declared.file}`,
      { conflicts: [declared.file] },
    );
  }
  const report = await writeScaffold(root, files, { force: request.force === true });
  return {
    ...report,
    ref: spec.ref,
    repo,
    next_steps: [
      `npx sigil run --ref ${spec.ref} --mode mock --json`,
      `edit ${files[1]?.path ?? "provider.py"}: real mode, and the inputs you expect`,
      `add pr_lane.inputs."${spec.ref}" to .github/sigil.yml for the PR lane's payload (default {"schema":"v1"})`,
    ],
  };
}
