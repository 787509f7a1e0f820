"""Run a processor's main.py as a real subprocess in a temp world (shared by all processor tests)."""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROCESSORS = Path(__file__).resolve().parents[2]
REPO = PROCESSORS.parent
FIXTURE_MAIN = Path(__file__).resolve().parent / "fixtures" / "echo" / "main.py"
PLANTED_SECRET = "sk-test-SECRETVALUE123"

# Variables the parent may carry that would change what a child does.
_SCRUBBED = {"CI", "OPENAI_API_KEY", "REPLICATE_API_TOKEN"}


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    world: Path
    prefix: Path

    def result(self) -> dict:
        lines = self.stdout.splitlines()
        assert len(lines) == 1, f"expected exactly one stdout line, got {self.stdout!r}"
        return json.loads(lines[0])

    def events(self) -> list:
        return [json.loads(line)["event"] for line in self.stderr.splitlines() if line.startswith("{")]

    def files(self) -> dict:
        """Every file under the world, relative path -> bytes."""
        return {str(p.relative_to(self.world)): p.read_bytes() for p in sorted(self.world.rglob("*")) if p.is_file()}

    def prefix_files(self) -> dict:
        """Every file under the write prefix, path relative to the prefix -> bytes."""
        prefix = self.prefix.relative_to(self.world).as_posix() + "/"
        return {k[len(prefix):]: v for k, v in self.files().items() if k.startswith(prefix)}


def child_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED and not k.startswith("SIGIL_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


class TempWorld:
    """A temp directory holding a world root and the inputs file; use with addCleanup."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sigil-proc-")
        self.root = Path(self._tmp.name)
        self.world = self.root / "world"
        self.world.mkdir()
        self._runs = 0

    def cleanup(self):
        self._tmp.cleanup()

    def run(self, main_py, inputs, execution_id="exec-1", prefix=None, env=None, args=None) -> Run:
        """inputs: a dict (serialized) or raw text; env: extra child variables (None removes)."""
        self._runs += 1
        inputs_path = self.root / f"inputs-{self._runs}.json"
        text = inputs if isinstance(inputs, (str, bytes)) else json.dumps(inputs)
        inputs_path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        prefix = Path(prefix) if prefix else self.world / "outputs" / "t" / execution_id
        extra = {"SIGIL_WORLD": str(self.world), **(env or {})}
        argv = args if args is not None else [
            "--inputs", str(inputs_path), "--write-prefix", str(prefix), "--execution-id", execution_id,
        ]
        proc = subprocess.run(
            [sys.executable, str(main_py), *argv],
            cwd=str(Path(main_py).parent),
            env=child_env(**extra),
            capture_output=True,
            text=True,
            timeout=60,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr, self.world, prefix)
