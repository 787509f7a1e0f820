"""RFC 8785 (JCS) canonical JSON, with JavaScript number semantics.

The TypeScript side canonicalizes the same values, so every choice here follows what
JSON.parse + an RFC 8785 serializer do in JavaScript: numbers are IEEE doubles, keys sort by
UTF-16 code units, numbers print like ECMAScript Number.prototype.toString.
"""

import json
import math
import re

from .errors import SigilError

_MAX_SAFE = 2**53  # beyond this a JSON integer is no longer exact in JavaScript
# Deeper values are refused by both implementations (the TS side's MAX_JSON_DEPTH), so the two
# agree on what is canonicalizable; the top-level value is depth 0, scalars count too.
MAX_JSON_DEPTH = 256

# Characters RFC 8785 escapes; everything else is emitted literally as UTF-8.
_ESCAPE_RE = re.compile(r'[\x00-\x1f"\\]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _escape_char(match: re.Match) -> str:
    ch = match.group(0)
    return _SHORT_ESCAPES.get(ch) or "\\u%04x" % ord(ch)


def _check_string(s: str) -> str:
    # Python's json decoder pairs valid surrogates into one code point; any left over is lone.
    if _SURROGATE_RE.search(s):
        raise SigilError("ERR_INPUTS", "lone surrogate in string")
    return s


def _serialize_string(s: str) -> str:
    return '"' + _ESCAPE_RE.sub(_escape_char, _check_string(s)) + '"'


def format_number(value: float) -> str:
    """ECMAScript Number::toString for a finite double (RFC 8785 §3.2.2.3)."""
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    try:
        x = float(value)  # ints beyond 2**53 round to the nearest double, as in JavaScript
    except OverflowError:
        raise SigilError("ERR_INPUTS", "number out of range") from None
    if not math.isfinite(x):
        raise SigilError("ERR_INPUTS", "non-finite number")
    if x == 0:
        return "0"  # also -0
    if x < 0:
        return "-" + format_number(-x)
    # repr() yields the shortest round-trip digits (the same digits ES picks); only the layout differs.
    mantissa, _, exp = repr(x).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    all_digits = int_part + frac_part
    stripped = all_digits.lstrip("0")
    # n: decimal point position relative to the significant digits (value = 0.digits * 10**n).
    n = len(int_part) + (int(exp) if exp else 0) - (len(all_digits) - len(stripped))
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(e)}"


def _utf16_key(key: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly like sequences of UTF-16 code units.
    return key.encode("utf-16-be", "surrogatepass")


def _serialize(value, out: list, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise SigilError("ERR_INPUTS", f"nesting deeper than {MAX_JSON_DEPTH}")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, (int, float)):
        out.append(format_number(value))
    elif isinstance(value, str):
        out.append(_serialize_string(value))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _serialize(item, out, depth + 1)
        out.append("]")
    elif isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"object key must be a string, got {type(key).__name__}")
            _check_string(key)
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(_serialize_string(key))
            out.append(":")
            _serialize(value[key], out, depth + 1)
        out.append("}")
    else:
        raise TypeError(f"cannot canonicalize {type(value).__name__}")


def canonicalize(value) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON-compatible value."""
    out: list = []
    _serialize(value, out)
    return "".join(out).encode("utf-8")


def _parse_int(text: str):
    f = _parse_float(text)
    # Exact ints stay ints (friendlier for SDK params); larger ones become the JS double.
    return int(text) if abs(f) <= _MAX_SAFE else f


def _parse_float(text: str) -> float:
    f = float(text)
    if not math.isfinite(f):
        raise SigilError("ERR_INPUTS", f"number overflows to infinity: {text[:40]}")
    return f


def _parse_constant(name: str):
    raise SigilError("ERR_INPUTS", f"non-finite number literal {name}")


def _pairs_hook(pairs):
    obj = {}
    for key, val in pairs:
        _check_string(key)
        if key in obj:
            raise SigilError("ERR_INPUTS", f"duplicate object key {key[:40]!r}")
        obj[key] = val
    return obj


def _check_tree(value) -> None:
    # Keys are checked in the hook; string values (including top-level ones) and depth here.
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise SigilError("ERR_INPUTS", f"nesting deeper than {MAX_JSON_DEPTH}")
        if isinstance(v, str):
            _check_string(v)
        elif isinstance(v, list):
            stack.extend((item, depth + 1) for item in v)
        elif isinstance(v, dict):
            stack.extend((item, depth + 1) for item in v.values())


def parse_json_strict(text: str):
    """Parse JSON text, refusing what RFC 8785 cannot canonicalize (raises ERR_INPUTS)."""
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs_hook,
            parse_constant=_parse_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
        )
    except SigilError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise SigilError("ERR_INPUTS", f"bad JSON: {str(exc)[:200]}") from None
    _check_tree(value)
    return value
