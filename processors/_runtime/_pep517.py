"""A PEP 517 build backend in the standard library: the runtime package builds offline.

The wheel holds the package `_runtime` (every module of this folder, without its tests, caches
and packaging files); bytes are reproducible (fixed timestamps, sorted entries).
"""

import base64
import hashlib
import io
import tarfile
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "_runtime"
# Packaging files and tests are not part of what a processor imports.
EXCLUDED = {"pyproject.toml", "_pep517.py", "tests", "__pycache__"}
EPOCH = (1980, 1, 1, 0, 0, 0)


def _project() -> dict:
    return tomllib.loads((HERE / "pyproject.toml").read_text("utf-8"))["project"]


def _dist_name(project: dict) -> str:
    return project["name"].replace("-", "_")


def _module_files() -> list:
    files = []
    for path in sorted(HERE.rglob("*")):
        rel = path.relative_to(HERE)
        if path.is_file() and not (set(rel.parts) & EXCLUDED) and path.suffix != ".pyc":
            files.append(rel)
    return files


def _metadata(project: dict) -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {project['name']}\n"
        f"Version: {project['version']}\n"
        f"Summary: {project['description']}\n"
        f"Requires-Python: {project['requires-python']}\n"
        f"License: {project['license']}\n"
    )


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    dist = _dist_name(project)
    info = f"{dist}-{project['version']}.dist-info"
    entries = [(f"{PACKAGE}/{rel.as_posix()}", (HERE / rel).read_bytes()) for rel in _module_files()]
    entries.append((f"{info}/METADATA", _metadata(project).encode()))
    wheel = "Wheel-Version: 1.0\nGenerator: sigil-zero _pep517\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries.append((f"{info}/WHEEL", wheel.encode()))
    record = "\n".join([*(_record_line(n, d) for n, d in entries), f"{info}/RECORD,,"]) + "\n"
    filename = f"{dist}-{project['version']}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / filename, "w") as zf:
        for name, data in entries:
            _write(zf, name, data)
        _write(zf, f"{info}/RECORD", record.encode())
    return filename


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = f"{_dist_name(project)}-{project['version']}"
    files = [*_module_files(), Path("pyproject.toml"), Path("_pep517.py")]
    filename = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / filename, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for rel in sorted(files):
            data = (HERE / rel).read_bytes()
            member = tarfile.TarInfo(f"{base}/{rel.as_posix()}")
            member.size, member.mode, member.mtime = len(data), 0o644, 0
            tar.addfile(member, io.BytesIO(data))
        pkg_info = _metadata(project).encode()
        member = tarfile.TarInfo(f"{base}/PKG-INFO")
        member.size, member.mode, member.mtime = len(pkg_info), 0o644, 0
        tar.addfile(member, io.BytesIO(pkg_info))
    return filename
