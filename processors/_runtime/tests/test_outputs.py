import json
import os
import tempfile
import unittest
from pathlib import Path

from _runtime.errors import SigilError
from _runtime.outputs import canonical_key, check_relpath, write_outputs
from _runtime.result import OutputItem


def items(*paths):
    return [OutputItem(p, p.encode("utf-8")) for p in paths]


class OutputWriteTests(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.root = Path(tmp.name)
        self.prefix = self.root / "prefix"
        self.prefix.mkdir()

    def written(self):
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*"))

    def assert_refused(self, code, fragment, outputs):
        before = self.written()
        with self.assertRaises(SigilError) as ctx:
            write_outputs(outputs, str(self.prefix))
        self.assertEqual(ctx.exception.code, code)
        self.assertIn(fragment, ctx.exception.message)
        self.assertEqual(self.written(), before, "a refused run must write nothing")

    def test_escapes_refused_before_any_write(self):
        bad = ["outputs/../x", "/abs/outputs/x", "outputs\\x", "x.txt", "outputs", "outputs/", "outputs//a",
               "outputs/./a", "./outputs/a", "outputs/a\x00b", "", "outputs/\udc00", "../outputs/a"]
        for relpath in bad:
            with self.subTest(relpath=relpath):
                # A valid output listed first proves validation happens before writing.
                self.assert_refused("ERR_OUTPUT_PATH", "output path escapes the write prefix",
                                    items("outputs/ok.txt") + [OutputItem(relpath, b"x")])

    def test_duplicates_after_canonicalization(self):
        self.assert_refused("ERR_OUTPUT_DUPLICATE", "duplicate output after canonicalization",
                            items("outputs/ok.txt", "outputs/A.txt", "outputs/a.txt"))
        self.assert_refused("ERR_OUTPUT_DUPLICATE", "duplicate output after canonicalization",
                            items("outputs/STRASSE.txt", "outputs/straße.txt"))
        self.assert_refused("ERR_OUTPUT_DUPLICATE", "duplicate output after canonicalization",
                            items("outputs/d", "outputs/D/f.txt"))

    def test_duplicates_after_unicode_normalization(self):
        nfc, nfd = "outputs/\u00e9.txt", "outputs/e\u0301.txt"
        self.assertNotEqual(nfc, nfd)
        self.assert_refused("ERR_OUTPUT_DUPLICATE", "duplicate output after canonicalization", items(nfc, nfd))
        self.assert_refused("ERR_OUTPUT_DUPLICATE", "duplicate output after canonicalization",
                            items("outputs/\u00c9.txt", nfd))
        # A directory in NFD is the same directory as a file of the NFC name.
        self.assert_refused("ERR_OUTPUT_DUPLICATE", "duplicate output after canonicalization",
                            items("outputs/caf\u00e9", "outputs/cafe\u0301/x.txt"))

    def test_symlink_inside_prefix_refused(self):
        outside = self.root / "outside"
        outside.mkdir()
        os.symlink(outside, self.prefix / "outputs")
        self.assert_refused("ERR_OUTPUT_PATH", "output path escapes the write prefix", items("outputs/x.txt"))
        self.assertEqual(list(outside.iterdir()), [])

    def test_non_bytes_refused(self):
        self.assert_refused("ERR_ADAPTER_INVOCATION", "adapter invocation failed", [OutputItem("outputs/a", "text")])

    def test_writes_files_and_sorted_index(self):
        index = write_outputs(items("outputs/b/z.txt", "outputs/B2.txt", "outputs/a.txt"), str(self.prefix))
        self.assertEqual([e["path"] for e in index], ["outputs/B2.txt", "outputs/a.txt", "outputs/b/z.txt"])
        self.assertEqual((self.prefix / "outputs/b/z.txt").read_bytes(), b"outputs/b/z.txt")
        raw = (self.prefix / "outputs.json").read_bytes()
        self.assertEqual(json.loads(raw), index)
        self.assertTrue(raw.startswith(b'[{"bytes":14,"path":"outputs/B2.txt","sha256":"'), raw)
        leftovers = [p.name for p in self.prefix.rglob("*.tmp")]
        self.assertEqual(leftovers, [])

    def test_helpers(self):
        self.assertEqual(check_relpath("outputs/x/y.json"), "outputs/x/y.json")
        self.assertEqual(canonical_key("outputs/A.TXT"), canonical_key("outputs/a.txt"))


if __name__ == "__main__":
    unittest.main()
