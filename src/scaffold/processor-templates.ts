// The files of one scaffolded processor, as pure string functions (golden-tested through a
// scaffold that passes the PR lane). Placeholders are filled from a parsed ref, never from input text.
import { RUNTIME_DIR, TOOLKIT_RELEASE_TAG, TOOLKIT_REPOSITORY } from "../core/index.js";

export interface ProcessorSpec {
  ref: string;
  ns: string;
  name: string;
  version: string;
  /** `owner/name`: images live under `ghcr.io/<owner>/<name>/`. */
  repo: string;
  secrets: readonly string[];
}

export const processorDir = (p: ProcessorSpec) => `processors/${p.ns}/${p.name}`;
export const registryFile = (p: ProcessorSpec) => `registry/processors/${p.ns}-${p.name}-v${p.version}.yaml`;
/** Repo-scoped and lower-case, as `sigil build` names what it pushes (supply/pins.ts). */
export const imageName = (p: ProcessorSpec) => `ghcr.io/${p.repo}/${p.ns}-${p.name}`.toLowerCase();

export function registryEntry(p: ProcessorSpec): string {
  return `# ${p.ref}: scaffolded by \`sigil processor new\`. The image is a tag until the first Build & Pin:
# tags run in the PR and dev lanes only; the pin PR rewrites it to an @sha256 digest for staging/main.
ref: ${p.ref}
image: ${imageName(p)}:dev
platforms: [linux/amd64, linux/arm64]
source: ${processorDir(p)}
entrypoint: [python3, main.py]
secrets: [${p.secrets.join(", ")}] # names only, never values; real mode only
timeout_s: 120
resources:
  cpu: 1
  memory: 2Gi
`;
}

export function mainPy(p: ProcessorSpec): string {
  return `"""${p.ref} entry point: python3 main.py --inputs <file> --write-prefix <dir> --execution-id <id>."""

import sys
from pathlib import Path

sys.dont_write_bytecode = True  # a run must not add __pycache__ to the hashed source tree
# A copy of the runtime in processors/_runtime wins; else the toolkit's (PYTHONPATH, or pip in the image).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _runtime import run_main  # noqa: E402
from provider import REQUIRED_SECRETS, make_runner  # noqa: E402

if __name__ == "__main__":
    run_main(make_runner, required_secrets=REQUIRED_SECRETS)
`;
}

export function providerPy(p: ProcessorSpec): string {
  const secrets = p.secrets.map((s) => JSON.stringify(s)).join(", ");
  return `"""${p.ref}: mock mode is offline and byte-stable; real mode is yours to write.

make_runner(config) gets {"mode", "env" (the declared secrets, real mode only), "inputs_hash"};
the runner gets the normalized inputs and returns a ProcessorResult (processors/README.md of SIGIL.ZERO).
"""

from _runtime import OutputItem, ProcessorResult, SigilError, canonicalize

REF = "${p.ref}"
REQUIRED_SECRETS = [${secrets}]


def prompt_text(params: dict) -> str:
    """The last user message of chat-shaped params, else params.text."""
    messages = params.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), str):
                return message["content"]
    text = params.get("text", "")
    return text if isinstance(text, str) else ""


def mock_result(inputs: dict, digest: str) -> ProcessorResult:
    """Derived from the inputs only: no clock, no randomness, no network."""
    echo = {"ref": REF, "inputs_hash": digest, "params": inputs["params"]}
    if "model" in inputs:
        echo["model"] = inputs["model"]
    return ProcessorResult(
        outputs=[
            OutputItem("outputs/result.json", canonicalize(echo)),
            OutputItem("outputs/response.txt", f"[mock] {prompt_text(inputs['params'])}".encode("utf-8")),
        ],
        processor_info=f"{REF} mock (offline)",
        usage={},
    )


def real_result(inputs: dict, env: dict) -> ProcessorResult:
    # Import provider SDKs here, lazily: mock runs need nothing beyond the standard library.
    raise SigilError("ERR_ADAPTER_INVOCATION", f"{REF} has no real mode yet: write it in provider.py")


def make_runner(config: dict):
    if config["mode"] == "real":
        return lambda inputs: real_result(inputs, config["env"])
    digest = config["inputs_hash"]
    return lambda inputs: mock_result(inputs, digest)
`;
}

export function testPy(p: ProcessorSpec): string {
  return `"""${p.ref} through its real entry point (main.py as a subprocess, in a temp world).

Run: python3 -m unittest discover -s processors -t processors -p 'test_*.py'
with the SIGIL.ZERO runtime importable (pip install <sigil-zero>/${RUNTIME_DIR}).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

MAIN = Path(__file__).resolve().parents[1] / "main.py"
INPUTS = {"schema": "v1", "params": {"text": "hello"}}


def run(world: Path, inputs: dict, execution_id: str, **env) -> subprocess.CompletedProcess:
    inputs_file = world / f"{execution_id}.json"
    inputs_file.write_text(json.dumps(inputs), "utf-8")
    child_env = {"PATH": os.environ.get("PATH", ""), "SIGIL_WORLD": str(world), "SIGIL_PROCESSOR_REF": "${p.ref}"}
    if "PYTHONPATH" in os.environ:
        child_env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    child_env.update(env)
    argv = [sys.executable, str(MAIN), "--inputs", str(inputs_file),
            "--write-prefix", str(world / "out" / execution_id), "--execution-id", execution_id]
    return subprocess.run(argv, cwd=MAIN.parent, env=child_env, capture_output=True, text=True)


class ProcessorTests(unittest.TestCase):
    def setUp(self):
        self.world = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", str(self.world)]))

    def test_mock_is_byte_stable(self):
        runs = [run(self.world, INPUTS, f"exec-{i}") for i in (1, 2)]
        for result in runs:
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(json.loads(result.stdout)["status"], "success")
        out = [self.world / "out" / f"exec-{i}" for i in (1, 2)]
        for name in ("outputs.json", "outputs/result.json", "outputs/response.txt"):
            self.assertEqual((out[0] / name).read_bytes(), (out[1] / name).read_bytes(), name)
        self.assertEqual((out[0] / "outputs/response.txt").read_text("utf-8"), "[mock] hello")

    def test_real_mode_is_refused_in_ci(self):
        result = run(self.world, {**INPUTS, "mode": "real"}, "exec-real", CI="true")
        self.assertEqual(json.loads(result.stdout)["error"]["code"], "ERR_CI_SAFETY")


if __name__ == "__main__":
    unittest.main()
`;
}

export function dockerfile(p: ProcessorSpec): string {
  const dir = processorDir(p);
  return `# Build: docker buildx build --build-context runtime=<sigil-zero>/${RUNTIME_DIR} ${dir}
# (\`sigil build\` and the main lane pass that context: the runtime of the toolkit version in use.)
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# The SIGIL.ZERO runtime as a Python package, built from the same sources as ${TOOLKIT_REPOSITORY}@${TOOLKIT_RELEASE_TAG}.
COPY --from=runtime . /tmp/sigil-runtime
RUN pip install --no-cache-dir /tmp/sigil-runtime && rm -rf /tmp/sigil-runtime
WORKDIR /app/${dir}
COPY . .
ENTRYPOINT ["python3", "main.py"]
`;
}

export const DOCKERIGNORE = "__pycache__/\n*.pyc\ntests/\n";
