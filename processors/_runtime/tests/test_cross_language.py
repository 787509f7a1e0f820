"""Cases written by the TypeScript side; both implementations must agree byte for byte."""

import json
import unittest

from _runtime.errors import SigilError
from _runtime.inputs import inputs_hash, parse_inputs_text
from _runtime.jcs import canonicalize, parse_json_strict
from _runtime.tests.helpers import REPO

CASES_FILE = REPO / "test" / "vectors" / "cross-language.json"


@unittest.skipUnless(CASES_FILE.exists(), f"{CASES_FILE} not present")
class CrossLanguageTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))

    def assert_refused(self, fn, text):
        with self.assertRaises(SigilError) as ctx:
            fn(text)
        self.assertEqual(ctx.exception.code, "ERR_INPUTS")

    def test_canonical(self):
        cases = self.cases.get("canonical", [])
        self.assertTrue(cases, "no canonical cases")
        for case in cases:
            with self.subTest(case=case["name"]):
                if "error" in case:
                    self.assertEqual(case["error"], "ERR_INPUTS")
                    self.assert_refused(parse_json_strict, case["input"])
                else:
                    got = canonicalize(parse_json_strict(case["input"]))
                    self.assertEqual(got, case["canonical"].encode("utf-8"))

    def test_inputs_hash(self):
        for case in self.cases.get("inputs_hash", []):
            with self.subTest(case=case["name"]):
                if "error" in case:
                    self.assertEqual(case["error"], "ERR_INPUTS")
                    self.assert_refused(lambda text: parse_inputs_text(text, case.get("mode")), case["input"])
                else:
                    normalized = parse_inputs_text(case["input"], case["mode"])
                    self.assertEqual(inputs_hash(normalized), case["inputs_hash"])


if __name__ == "__main__":
    unittest.main()
