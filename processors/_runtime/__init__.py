"""SIGIL.ZERO processor runtime: stdlib only, imported by every Python processor.

A processor's main.py calls run_main(make_runner, required_secrets=[...]); its provider.py
defines make_runner(config) -> Callable[[dict], ProcessorResult].
"""

from .cli import run_main
from .errors import ERROR_FRAGMENTS, SigilError
from .inputs import HASH_SCHEMA, inputs_hash, normalize_inputs, parse_inputs_text, sha256_hex
from .jcs import canonicalize, format_number, parse_json_strict
from .log import redact
from .result import OutputItem, ProcessorResult

__all__ = [
    "ERROR_FRAGMENTS",
    "HASH_SCHEMA",
    "OutputItem",
    "ProcessorResult",
    "SigilError",
    "canonicalize",
    "format_number",
    "inputs_hash",
    "normalize_inputs",
    "parse_inputs_text",
    "parse_json_strict",
    "redact",
    "run_main",
    "sha256_hex",
]
