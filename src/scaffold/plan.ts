import { parseProcessorRef, SigilError } from "../core/index.js";
import {
  DOCKERIGNORE,
  dockerfile,
  mainPy,
  type ProcessorSpec,
  processorDir,
  providerPy,
  registryEntry,
  registryFile,
  testPy,
} from "./processor-templates.js";
import {
  DOCTRINE_README,
  DOCTRINE_V1,
  exampleBrief,
  GITIGNORE,
  MAIN_WORKFLOW,
  mainWorkflow,
  PR_WORKFLOW,
  prWorkflow,
  sigilConfig,
} from "./repo-templates.js";

/** One file a scaffold writes, relative to the target directory. */
export interface PlannedFile {
  path: string;
  content: string;
  /** Shared by every processor (package markers, .gitignore): written only when absent, never a conflict. */
  ifAbsent?: boolean;
}

export const DEFAULT_EXAMPLE_REF = "example/echo@1";

const PY_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function processorSpec(ref: string, repo: string, secrets: readonly string[] = []): ProcessorSpec {
  const parts = parseProcessorRef(ref);
  if (!parts)
    throw new SigilError("ERR_USAGE", `--ref ${JSON.stringify(ref)} must look like <ns>/<name>@<version>`);
  return { ref, ...parts, repo, secrets: [...new Set(secrets)].sort() };
}

/** A processor: source, test, Dockerfile and its registry entry with the repo-scoped image name. */
export function planProcessor(spec: ProcessorSpec): PlannedFile[] {
  const dir = processorDir(spec);
  const files: PlannedFile[] = [
    { path: `${dir}/main.py`, content: mainPy(spec) },
    { path: `${dir}/provider.py`, content: providerPy(spec) },
    { path: `${dir}/Dockerfile`, content: dockerfile(spec) },
    { path: `${dir}/.dockerignore`, content: DOCKERIGNORE },
    { path: `${dir}/tests/test_${spec.name.replace(/-/g, "_")}.py`, content: testPy(spec) },
    { path: registryFile(spec), content: registryEntry(spec) },
  ];
  // unittest discovery walks packages: only names Python can import get the markers.
  if (PY_IDENTIFIER.test(spec.ns) && PY_IDENTIFIER.test(spec.name)) {
    for (const marker of [`processors/${spec.ns}`, dir, `${dir}/tests`]) {
      files.push({ path: `${marker}/__init__.py`, content: "", ifAbsent: true });
    }
  }
  return files;
}

/** A working SIGIL.ZERO repository: config, one processor, doctrine, a brief and both lanes. */
export function planInit(spec: ProcessorSpec): PlannedFile[] {
  return [
    { path: ".github/sigil.yml", content: sigilConfig(spec.ref) },
    { path: PR_WORKFLOW, content: prWorkflow() },
    { path: MAIN_WORKFLOW, content: mainWorkflow() },
    { path: "doctrine/README.md", content: DOCTRINE_README },
    { path: "doctrine/house-style/v1.md", content: DOCTRINE_V1 },
    { path: "briefs/example.yaml", content: exampleBrief() },
    { path: ".gitignore", content: GITIGNORE, ifAbsent: true },
    ...planProcessor(spec),
  ];
}
