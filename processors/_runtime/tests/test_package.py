"""The runtime as a Python package: `pip install processors/_runtime` works offline, stdlib only."""

import json
import os
import subprocess
import sys
import tempfile
import tomllib
import unittest
import zipfile
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[1]
REPO = RUNTIME.parents[1]


class PackageTests(unittest.TestCase):
    def test_version_moves_with_package_json(self):
        project = tomllib.loads((RUNTIME / "pyproject.toml").read_text("utf-8"))["project"]
        self.assertEqual(project["version"], json.loads((REPO / "package.json").read_text("utf-8"))["version"])
        self.assertEqual(project["name"], "sigil-zero-runtime")

    def test_wheel_holds_the_runtime_without_tests_or_packaging(self):
        sys.path.insert(0, str(RUNTIME))
        try:
            import _pep517
        finally:
            sys.path.remove(str(RUNTIME))
        with tempfile.TemporaryDirectory() as out:
            first = _pep517.build_wheel(out)
            data = (Path(out) / first).read_bytes()
            self.assertEqual(_pep517.build_wheel(out), first)
            self.assertEqual((Path(out) / first).read_bytes(), data, "the wheel is reproducible")
            names = zipfile.ZipFile(Path(out) / first).namelist()
        self.assertIn("_runtime/__init__.py", names)
        self.assertIn("_runtime/cli.py", names)
        self.assertFalse([n for n in names if "/tests/" in n or n.endswith(("pyproject.toml", "_pep517.py"))])

    def test_pip_installs_it_offline_and_it_imports(self):
        with tempfile.TemporaryDirectory() as target:
            env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1"}
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", target, str(RUNTIME)],
                           check=True, env=env, capture_output=True)
            probe = subprocess.run([sys.executable, "-c", "import _runtime; print(_runtime.__file__)"],
                                   cwd=target, env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": target},
                                   capture_output=True, text=True, check=True)
            self.assertTrue(probe.stdout.strip().startswith(target))


if __name__ == "__main__":
    unittest.main()
