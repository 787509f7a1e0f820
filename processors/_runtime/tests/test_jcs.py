import random
import shutil
import struct
import subprocess
import unittest

from _runtime.errors import SigilError
from _runtime.jcs import canonicalize, format_number, parse_json_strict
from _runtime.tests.helpers import REPO

VECTORS = REPO / "test" / "vectors" / "jcs"


def jcs(text: str) -> str:
    return canonicalize(parse_json_strict(text)).decode("utf-8")


class VectorTests(unittest.TestCase):
    def test_every_vector(self):
        names = sorted(p.name for p in (VECTORS / "input").glob("*.json"))
        self.assertGreaterEqual(len(names), 6)
        for name in names:
            with self.subTest(vector=name):
                text = (VECTORS / "input" / name).read_text(encoding="utf-8")
                expected = (VECTORS / "output" / name).read_bytes()
                self.assertEqual(canonicalize(parse_json_strict(text)), expected)


class NumberTests(unittest.TestCase):
    CASES = [
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e-6, "0.000001"),
        (0.000001234, "0.000001234"),
        (5e-324, "5e-324"),
        (-0.0, "0"),
        (0, "0"),
        (2**53 + 1, "9007199254740992"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1e308, "1e+308"),
        (-1.5e-300, "-1.5e-300"),
        (56.0, "56"),
        (4.5, "4.5"),
        (333333333.33333329, "333333333.3333333"),
        (2**63, "9223372036854776000"),
    ]

    def test_es_number_to_string(self):
        for value, expected in self.CASES:
            with self.subTest(value=value):
                self.assertEqual(format_number(value), expected)

    def test_parsed_integers_follow_js_doubles(self):
        self.assertEqual(jcs("9007199254740993"), "9007199254740992")
        self.assertEqual(jcs("-0"), "0")
        self.assertEqual(jcs("-0.0"), "0")
        self.assertEqual(jcs("1e21"), "1e+21")
        self.assertEqual(jcs("[1.0, 100, 1e2]"), "[1,100,100]")
        self.assertEqual(jcs("123456789012345678901234567890"), "1.2345678901234568e+29")

    def test_non_finite_values_refused(self):
        for value in (float("nan"), float("inf"), float("-inf"), 10**400):
            with self.subTest(value=value), self.assertRaises(SigilError) as ctx:
                canonicalize([value])
            self.assertEqual(ctx.exception.code, "ERR_INPUTS")

    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_agrees_with_node_on_random_doubles(self):
        rng = random.Random(8785)
        values = []
        while len(values) < 3000:
            x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
            if x == x and abs(x) != float("inf"):
                values.append(x)
        script = "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>" \
                 "process.stdout.write(s.split('\\n').map(v=>String(Number(v))).join('\\n')))"
        proc = subprocess.run(["node", "-e", script], input="\n".join(map(repr, values)),
                              capture_output=True, text=True, timeout=30, check=True)
        self.assertEqual([format_number(v) for v in values], proc.stdout.split("\n"))


class StringAndKeyTests(unittest.TestCase):
    def test_escapes(self):
        self.assertEqual(jcs('"\\u0000\\u001f\\b\\f\\n\\r\\t\\"\\\\/"'), '"\\u0000\\u001f\\b\\f\\n\\r\\t\\"\\\\/"')
        self.assertEqual(canonicalize("\x7f\u2028\U0001F600"), "\"\x7f\u2028\U0001F600\"".encode("utf-8"))
        self.assertEqual(canonicalize("\x0b"), b'"\\u000b"')

    def test_keys_sort_by_utf16_code_units(self):
        # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB33 (code point order says after).
        self.assertEqual(jcs('{"\\ufb33":1,"\\ud83d\\ude00":2,"a":3}'), '{"a":3,"\U0001F600":2,"\ufb33":1}')

    def test_nested_and_literals(self):
        self.assertEqual(canonicalize({"b": [True, False, None], "a": {}}), b'{"a":{},"b":[true,false,null]}')


class StrictParserTests(unittest.TestCase):
    REJECTED = {
        "duplicate key": '{"a":1,"a":2}',
        "nested duplicate": '{"x":{"k":1,"k":1}}',
        "NaN": "[NaN]",
        "Infinity": '{"a":Infinity}',
        "-Infinity": "-Infinity",
        "lone high surrogate": '"\\ud800"',
        "lone low surrogate in key": '{"\\udc00":1}',
        "lone surrogate in array": '["ok","x\\ud83d"]',
        "overflow": "1e400",
        "negative overflow": "[-1e400]",
        "huge integer": "1" + "0" * 400,
        "trailing garbage": "{} x",
        "empty": "",
        "single quotes": "{'a':1}",
        "raw control char": '"a\nb"',
        "deep nesting": "[" * 100000 + "]" * 100000,
    }

    def test_rejections_are_err_inputs(self):
        for name, text in self.REJECTED.items():
            with self.subTest(case=name), self.assertRaises(SigilError) as ctx:
                parse_json_strict(text)
            self.assertEqual(ctx.exception.code, "ERR_INPUTS")
            self.assertIn("invalid inputs payload", str(ctx.exception))

    def test_depth_limit_matches_the_typescript_side(self):
        # Top level is depth 0 and scalars count: 256 arrays around a scalar pass, 257 do not.
        self.assertEqual(jcs("[" * 256 + "1" + "]" * 256), "[" * 256 + "1" + "]" * 256)
        for text in ("[" * 257 + "1" + "]" * 257, "[" * 258 + "]" * 258):
            with self.assertRaises(SigilError):
                parse_json_strict(text)
        nested = 1
        for _ in range(257):
            nested = [nested]
        with self.assertRaises(SigilError):
            canonicalize(nested)

    def test_valid_surrogate_pair_is_accepted(self):
        self.assertEqual(parse_json_strict('"\\ud83d\\ude02"'), "\U0001F602")

    def test_canonicalize_refuses_lone_surrogates(self):
        with self.assertRaises(SigilError):
            canonicalize({"k": "\udc00"})


if __name__ == "__main__":
    unittest.main()
