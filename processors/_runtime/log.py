"""NDJSON lifecycle logs on stderr, every string passed through redaction first."""

import json
import os
import re
import sys
import time
from urllib.parse import quote, quote_plus

# The brief's KEY/TOKEN/SECRET/PASSWORD plus the names the TypeScript redactor also treats as secret.
_SECRET_NAME_RE = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|DSN", re.IGNORECASE)
_MIN_SECRET_LEN = 6  # shorter values would mask ordinary words

# Token shapes that are secret wherever they appear, whatever env var (if any) carried them.
_PATTERNS = [
    (re.compile(r"(?<![A-Za-z0-9])(?:sk|pk|rk)-[A-Za-z0-9_\-]{6,}"), "***"),
    (re.compile(r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{6,}"), "***"),
    (re.compile(r"(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{6,}"), "***"),
    (re.compile(r"(?<![A-Za-z0-9])r8_[A-Za-z0-9]{6,}"), "***"),
    (re.compile(r"(?<![A-Za-z0-9])(?:ak|as)-[A-Za-z0-9]{16,}"), "***"),  # Modal token id/secret
    (re.compile(r"(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9\-]{10,}"), "***"),  # Slack
    # The whole Authorization value, including a scheme word such as Bearer/Basic/token.
    (
        re.compile(
            r"(?i)((?:proxy-)?(?:authorization|x-api-key|api-key)[\"']?\s*[:=]\s*[\"']?)"
            r"(?:(?:bearer|basic|token)\s+)?[^\s\"',;}]+"
        ),
        r"\1***",
    ),
    (re.compile(r"(?i)\b((?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=\-]{6,}"), r"\1***"),
    # URL credentials: scheme://user:pass@host (or a bare token as user) -> scheme://***@host
    (re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@\"']+@"), r"\1***@"),
]


def secret_values(env=None) -> list:
    """Values of env vars whose name says they are secret, longest first (so none is half-masked)."""
    env = os.environ if env is None else env
    values = {v for k, v in env.items() if _SECRET_NAME_RE.search(k) and len(v) >= _MIN_SECRET_LEN}
    return sorted(values, key=len, reverse=True)


def encoded_forms(value: str) -> list:
    """The forms a secret takes once written: raw, JSON-escaped (ASCII or not, once or twice) and
    URL-encoded (quote, quote_plus, JavaScript's encodeURIComponent; either hex case). A secret
    holding a quote or backslash would otherwise slip through once a logger escaped it. The
    TypeScript side (src/core/redact.ts encodedForms) masks the same forms."""
    forms = {value}
    for ascii_only in (True, False):
        once = json.dumps(value, ensure_ascii=ascii_only)[1:-1]
        forms.update({once, json.dumps(once, ensure_ascii=ascii_only)[1:-1]})
    for url in (quote(value, safe=""), quote(value), quote_plus(value), quote(value, safe="-_.!~*'()")):
        forms.update({url, re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), url)})
    return list(forms)


def make_redactor(env=None):
    """A redact(text) function; the secret values are read from the environment once."""
    # Longest first, so a form that contains another is masked whole.
    forms = sorted({f for v in secret_values(env) for f in encoded_forms(v)}, key=len, reverse=True)

    def redact_text(text: str) -> str:
        # Masking can join neighbours into a new occurrence: repeat until stable (each pass
        # shortens the text, every form being longer than the mask).
        for _ in range(8):
            before = text
            for form in forms:
                text = text.replace(form, "***")
            if text == before:
                break
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    return redact_text


def redact(text: str, env=None) -> str:
    """Mask secret env values, token shapes, Authorization values and URL credentials."""
    return make_redactor(env)(text)


def bound(text: str, limit: int = 500) -> str:
    """Keep the head and tail of a long message; the middle is rarely what explains a failure."""
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return text[:half] + " ... " + text[-half:]


def _redact_value(value, redact_text):
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(v, redact_text) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(v, redact_text) for v in value]
    return value


# The level names of the TypeScript logger (pino, src/core/logger.ts); "silent" writes nothing.
LEVELS = {"trace": 10, "debug": 20, "info": 30, "warn": 40, "error": 50, "fatal": 60, "silent": float("inf")}


def threshold(env=None) -> float:
    """The lowest level written, from SIGIL_LOG_LEVEL as the runner passes it (info by default)."""
    env = os.environ if env is None else env
    return LEVELS.get(env.get("SIGIL_LOG_LEVEL", "info").strip().lower(), LEVELS["info"])


class Logger:
    """Binds the per-execution fields once; each event is one JSON line on stderr."""

    def __init__(self, execution_id: str, processor_ref: str, image_digest: str, stream=None, env=None):
        self._started = time.monotonic()
        self._stream = stream or sys.stderr
        self.redact = make_redactor(env)
        self._threshold = threshold(env)
        self.bound = {"trace_id": execution_id, "processor_ref": processor_ref, "image_digest": image_digest, "mode": None}

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self._started) * 1000)

    def event(self, name: str, level: str = "info", **fields) -> None:
        if LEVELS.get(level, LEVELS["info"]) < self._threshold:
            return
        record = {"level": level, "event": name, **self.bound, "elapsed_ms": self.elapsed_ms(), **fields}
        # ASCII escapes: a lone surrogate in a message must not make the log write itself fail.
        line = json.dumps(_redact_value(record, self.redact), separators=(",", ":"), default=str)
        self._stream.write(line + "\n")
        self._stream.flush()
