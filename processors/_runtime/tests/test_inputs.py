import tempfile
import unittest
from pathlib import Path

from _runtime.errors import SigilError
from _runtime.inputs import guard_ci, inputs_hash, load_inputs, normalize_inputs, parse_inputs_text, sha256_hex
from _runtime.jcs import canonicalize


class NormalizeTests(unittest.TestCase):
    def test_defaults_and_mode(self):
        self.assertEqual(
            parse_inputs_text('{"schema":"v1"}'),
            {"schema": "v1", "params": {}, "files": {}, "mode": "mock"},
        )
        full = parse_inputs_text('{"mode":"real","files":{"a":"b"},"params":{"x":1},"model":"m","schema":"v1"}')
        self.assertEqual(full, {"schema": "v1", "model": "m", "params": {"x": 1}, "files": {"a": "b"}, "mode": "real"})

    def test_resolved_mode_sets_mode_and_must_agree(self):
        self.assertEqual(normalize_inputs({"schema": "v1"}, mode="real")["mode"], "real")
        self.assertEqual(normalize_inputs({"schema": "v1", "mode": "real"}, mode="real")["mode"], "real")
        with self.assertRaises(SigilError) as ctx:
            normalize_inputs({"schema": "v1", "mode": "mock"}, mode="real")
        self.assertEqual(ctx.exception.code, "ERR_INPUTS")

    def test_hash_is_sha256_of_jcs(self):
        normalized = parse_inputs_text('{"schema":"v1","params":{"messages":[{"role":"user","content":"hi"}]}}')
        expected = sha256_hex(
            b'{"files":{},"mode":"mock","params":{"messages":[{"content":"hi","role":"user"}]},"schema":"v1"}'
        )
        self.assertEqual(inputs_hash(normalized), expected)
        self.assertEqual(canonicalize(normalized)[:10], b'{"files":{')

    def test_equivalent_payloads_hash_alike(self):
        a = parse_inputs_text('{"schema":"v1","params":{"n":1.0,"b":2}}')
        b = parse_inputs_text('{"params":{"b":2,"n":1},"schema":"v1","files":{},"mode":"mock"}')
        self.assertEqual(inputs_hash(a), inputs_hash(b))


class RejectionTests(unittest.TestCase):
    REJECTED = {
        "bad JSON": "{",
        "not an object": "[]",
        "missing schema": '{"params":{}}',
        "wrong schema": '{"schema":"v2"}',
        "numeric schema": '{"schema":1}',
        "unknown mode": '{"schema":"v1","mode":"smoke"}',
        "null mode": '{"schema":"v1","mode":null}',
        "params not object": '{"schema":"v1","params":[]}',
        "files not object": '{"schema":"v1","files":"x"}',
        "model not string": '{"schema":"v1","model":3}',
        "model null": '{"schema":"v1","model":null}',
        "unknown key": '{"schema":"v1","extra":1}',
        "duplicate key": '{"schema":"v1","schema":"v1"}',
        "lone surrogate": '{"schema":"v1","params":{"p":"\\udead"}}',
        "NaN": '{"schema":"v1","params":{"p":NaN}}',
        "overflow": '{"schema":"v1","params":{"p":1e400}}',
    }

    def test_each_is_err_inputs_with_fragment(self):
        for name, text in self.REJECTED.items():
            with self.subTest(case=name), self.assertRaises(SigilError) as ctx:
                parse_inputs_text(text)
            self.assertEqual(ctx.exception.code, "ERR_INPUTS")
            self.assertIn("invalid inputs payload", ctx.exception.message)

    def test_file_limits(self):
        with tempfile.TemporaryDirectory() as tmp:
            big = Path(tmp) / "big.json"
            big.write_text('{"schema":"v1","params":{"p":"' + "x" * (1024 * 1024) + '"}}')
            bad_utf8 = Path(tmp) / "bad.json"
            bad_utf8.write_bytes(b'{"schema":"v1","model":"\xff"}')
            for path in (big, bad_utf8, Path(tmp) / "missing.json"):
                with self.subTest(path=path.name), self.assertRaises(SigilError) as ctx:
                    load_inputs(str(path))
                self.assertEqual(ctx.exception.code, "ERR_INPUTS")
                self.assertIn("invalid inputs payload", ctx.exception.message)


class CiGuardTests(unittest.TestCase):
    def test_real_refused_when_ci_is_set(self):
        for value in ("true", "TRUE", "True", "1"):
            with self.subTest(CI=value), self.assertRaises(SigilError) as ctx:
                guard_ci("real", {"CI": value})
            self.assertEqual(ctx.exception.code, "ERR_CI_SAFETY")
            self.assertIn("Refusing to run mode=real in CI", ctx.exception.message)

    def test_allowed_otherwise(self):
        guard_ci("mock", {"CI": "true"})
        guard_ci("real", {})
        guard_ci("real", {"CI": "false"})


if __name__ == "__main__":
    unittest.main()
