"""Output validation and writing, and the outputs index (docs/contracts/processor.md).

Everything is validated before the first byte is written, so a refused run leaves nothing
behind and no path outside the write prefix is ever touched.
"""

import os
import posixpath
import unicodedata

from .errors import SigilError
from .fsio import atomic_write
from .inputs import sha256_hex
from .jcs import canonicalize
from .result import OutputItem


def check_relpath(relpath) -> str:
    """Return relpath if it is a plain path under outputs/, else raise ERR_OUTPUT_PATH."""
    if not isinstance(relpath, str) or not relpath:
        raise SigilError("ERR_OUTPUT_PATH", "relpath must be a non-empty string")
    shown = repr(relpath[:120])
    if "\x00" in relpath:
        raise SigilError("ERR_OUTPUT_PATH", f"NUL byte in {shown}")
    try:
        relpath.encode("utf-8")
    except UnicodeEncodeError:
        raise SigilError("ERR_OUTPUT_PATH", f"lone surrogate in {shown}") from None
    if "\\" in relpath:
        raise SigilError("ERR_OUTPUT_PATH", f"backslash in {shown}")
    if relpath.startswith("/"):
        raise SigilError("ERR_OUTPUT_PATH", f"absolute path {shown}")
    segments = relpath.split("/")
    if any(seg in ("", ".", "..") for seg in segments):
        raise SigilError("ERR_OUTPUT_PATH", f"empty, '.' or '..' segment in {shown}")
    if segments[0] != "outputs" or len(segments) < 2:
        raise SigilError("ERR_OUTPUT_PATH", f"{shown} is not under outputs/")
    return relpath


def canonical_key(relpath: str) -> str:
    """Two outputs collide when equal after path normalization, Unicode normalization and case
    folding: `é` in NFC and NFD, or `A` and `a`, are one name on macOS and Windows filesystems.
    NFKC casefold (normalize, fold, normalize again) is the Unicode identifier-matching key."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", relpath).casefold())
    return posixpath.normpath(folded)


def _check_collisions(items) -> None:
    seen = {}
    for item in items:
        key = canonical_key(item.relpath)
        if key in seen:
            raise SigilError("ERR_OUTPUT_DUPLICATE", f"{item.relpath!r} collides with {seen[key]!r}")
        seen[key] = item.relpath
    # A file that is also another output's directory could not be written without a half-done run.
    for key, relpath in seen.items():
        parent = posixpath.dirname(key)
        while parent not in ("outputs", ""):
            if parent in seen:
                raise SigilError("ERR_OUTPUT_DUPLICATE", f"{seen[parent]!r} is both a file and a directory ({relpath!r})")
            parent = posixpath.dirname(parent)


def _check_existing(prefix: str, relpath: str) -> None:
    # A pre-existing symlink inside the prefix could redirect a write outside it.
    path = prefix
    segments = relpath.split("/")
    for i, seg in enumerate(segments):
        path = os.path.join(path, seg)
        if os.path.islink(path):
            raise SigilError("ERR_OUTPUT_PATH", f"{relpath!r} passes through a symlink")
        last = i == len(segments) - 1
        if os.path.exists(path) and (os.path.isdir(path) if last else not os.path.isdir(path)):
            raise SigilError("ERR_OUTPUT_PATH", f"{relpath!r} conflicts with an existing entry")


def validate_outputs(items, prefix: str) -> list:
    """All checks, no writes. Returns the items sorted by path (UTF-16 code-unit order)."""
    if not isinstance(items, (list, tuple)):
        raise SigilError("ERR_ADAPTER_INVOCATION", "provider outputs must be a list")
    for item in items:
        if not isinstance(item, OutputItem):
            raise SigilError("ERR_ADAPTER_INVOCATION", "provider output is not an OutputItem")
        check_relpath(item.relpath)
        if not isinstance(item.bytes_, (bytes, bytearray)):
            raise SigilError("ERR_ADAPTER_INVOCATION", f"output {item.relpath!r} is not bytes")
    _check_collisions(items)
    for item in items:
        _check_existing(prefix, item.relpath)
    return sorted(items, key=lambda it: it.relpath.encode("utf-16-be"))


def write_outputs(items, prefix: str) -> list:
    """Validate, write every output atomically, then the index; returns the index entries."""
    ordered = validate_outputs(items, prefix)
    index = []
    for item in ordered:
        data = bytes(item.bytes_)
        atomic_write(os.path.join(prefix, *item.relpath.split("/")), data)
        index.append({"path": item.relpath, "sha256": sha256_hex(data), "bytes": len(data)})
    atomic_write(os.path.join(prefix, "outputs.json"), canonicalize(index))
    return index
