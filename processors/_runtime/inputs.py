"""Inputs payload v1: load, validate, normalize, hash; mode resolution and the CI guard."""

import hashlib
import os

from .errors import SigilError
from .jcs import canonicalize, parse_json_strict

HASH_SCHEMA = "jcs-sha256-v1"
MAX_INPUTS_BYTES = 1024 * 1024
MODES = ("mock", "real")
_KEYS = {"schema", "model", "params", "files", "mode"}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalize_inputs(raw, mode=None) -> dict:
    """Validate a parsed v1 payload and return its normalized form.

    `mode`, when given, is the resolved mode (the CLI's --mode upstream); a payload that says
    otherwise is refused, as the TypeScript side does. Without it: inputs.mode, else mock.
    """
    if not isinstance(raw, dict):
        raise SigilError("ERR_INPUTS", "top level must be an object")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise SigilError("ERR_INPUTS", f"unknown keys {unknown[:5]}")
    if raw.get("schema") != "v1":
        raise SigilError("ERR_INPUTS", 'schema must be "v1"')
    if "model" in raw and not isinstance(raw["model"], str):
        raise SigilError("ERR_INPUTS", "model must be a string")
    for key in ("params", "files"):
        if key in raw and not isinstance(raw[key], dict):
            raise SigilError("ERR_INPUTS", f"{key} must be an object")
    if "mode" in raw and raw["mode"] not in MODES:
        raise SigilError("ERR_INPUTS", "mode must be mock or real")
    if mode is not None and mode not in MODES:
        raise SigilError("ERR_INPUTS", "mode must be mock or real")
    if mode is not None and raw.get("mode", mode) != mode:
        raise SigilError("ERR_INPUTS", f"resolved mode {mode} contradicts inputs.mode={raw['mode']}")
    resolved = mode or raw.get("mode", "mock")
    normalized = {"schema": "v1"}
    if "model" in raw:
        normalized["model"] = raw["model"]
    normalized["params"] = raw.get("params", {})
    normalized["files"] = raw.get("files", {})
    normalized["mode"] = resolved
    return normalized


def inputs_hash(normalized: dict) -> str:
    return sha256_hex(canonicalize(normalized))


def parse_inputs_text(text: str, mode=None) -> dict:
    return normalize_inputs(parse_json_strict(text), mode)


def load_inputs(path: str) -> dict:
    """Read, size-check, strictly parse and normalize the inputs file."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INPUTS_BYTES + 1)
    except OSError as exc:
        raise SigilError("ERR_INPUTS", f"cannot read inputs file: {exc.strerror}") from None
    if len(data) > MAX_INPUTS_BYTES:
        raise SigilError("ERR_INPUTS", "inputs file exceeds 1 MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SigilError("ERR_INPUTS", "inputs file is not valid UTF-8") from None
    return parse_inputs_text(text)


def ci_enabled(env=None) -> bool:
    env = os.environ if env is None else env
    return env.get("CI", "").strip().lower() in ("true", "1")


def guard_ci(mode: str, env=None) -> None:
    """Real mode never runs in CI; checked before any other work."""
    if mode == "real" and ci_enabled(env):
        raise SigilError("ERR_CI_SAFETY", "Refusing to run mode=real in CI (CI is set)")
