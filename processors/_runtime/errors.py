"""The error canon: one table of codes and the stable fragment each message must contain.

Mirrors src/core/errors.ts (the processor-side subset; docs/contracts/errors.md). Tests on both sides
assert the code and the fragment, never whole strings.
"""

ERROR_FRAGMENTS = {
    "ERR_CI_SAFETY": "Refusing to run mode=real in CI",
    "ERR_INPUTS": "invalid inputs payload",
    "ERR_MISSING_SECRET": "missing required secret",
    "ERR_OUTPUT_DUPLICATE": "duplicate output after canonicalization",
    "ERR_OUTPUT_PATH": "output path escapes the write prefix",
    "ERR_ADAPTER_INVOCATION": "adapter invocation failed",
    "ERR_TIMEOUT": "timed out",
}


class SigilError(Exception):
    """An error with a code from the canon; the message always starts with its fragment."""

    def __init__(self, code: str, detail: str = ""):
        if code not in ERROR_FRAGMENTS:
            raise ValueError(f"unknown error code {code!r}")
        fragment = ERROR_FRAGMENTS[code]
        # Prefixing the fragment (instead of trusting callers) keeps every message canon-compliant.
        if detail and fragment not in detail:
            message = f"{fragment}: {detail}"
        else:
            message = detail or fragment
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
