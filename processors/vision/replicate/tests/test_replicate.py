"""vision/replicate@1 through its real entry point (main.py as a subprocess)."""

import importlib.util
import json
import struct
import unittest
import zlib
from pathlib import Path

from _runtime.tests.helpers import PLANTED_SECRET, TempWorld

MAIN = Path(__file__).resolve().parents[1] / "main.py"
PROMPT = {"schema": "v1", "model": "black-forest-labs/flux-schnell", "params": {"prompt": "a red fox"}}


def decode_png(data: bytes):
    """(width, height, rows) of an 8-bit RGB PNG, checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2) and b"IEND" in chunks
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 3 * width
    return width, height, [raw[i * stride:(i + 1) * stride] for i in range(height)]


class ReplicateTests(unittest.TestCase):
    def setUp(self):
        self.t = TempWorld()
        self.addCleanup(self.t.cleanup)

    def test_mock_is_byte_stable_and_valid(self):
        a, b = (self.t.run(MAIN, PROMPT, execution_id=f"e{i}").prefix_files() for i in (1, 2))
        self.assertEqual(sorted(a), ["outputs.json", "outputs/image.png", "outputs/prediction.json", "receipt.json"])
        for name in ("outputs.json", "outputs/image.png", "outputs/prediction.json"):
            self.assertEqual(a[name], b[name], name)
        receipt = json.loads(a["receipt.json"])
        prediction = json.loads(a["outputs/prediction.json"])
        self.assertEqual(prediction["status"], "succeeded")
        self.assertEqual(prediction["input"], {"prompt": "a red fox"})
        self.assertEqual(prediction["model"], "black-forest-labs/flux-schnell")
        self.assertEqual(prediction["id"], "mock-" + receipt["inputs_hash"][:20])
        width, height, rows = decode_png(a["outputs/image.png"])
        self.assertEqual((width, height), (8, 8))
        pixel = bytes.fromhex(receipt["inputs_hash"][:6])
        self.assertTrue(all(row == b"\x00" + pixel * 8 for row in rows))
        self.assertEqual((receipt["usage"], receipt["processor_info"]), ({}, "replicate mock (offline)"))

    def test_prompt_from_messages_and_colour_follows_inputs(self):
        run = self.t.run(MAIN, {"schema": "v1", "params": {"messages": [{"role": "user", "content": "a cat"}]}})
        out = run.prefix_files()
        self.assertEqual(json.loads(out["outputs/prediction.json"])["input"], {"prompt": "a cat"})
        other = self.t.run(MAIN, PROMPT, execution_id="e9").prefix_files()
        self.assertNotEqual(out["outputs/image.png"], other["outputs/image.png"])

    def test_missing_secret_in_real_mode(self):
        run = self.t.run(MAIN, {**PROMPT, "mode": "real"}, env={"CI": None, "OPENAI_API_KEY": PLANTED_SECRET})
        error = run.result()["error"]
        self.assertEqual(error["code"], "ERR_MISSING_SECRET")
        self.assertIn("REPLICATE_API_TOKEN", error["message"])
        self.assertNotIn(PLANTED_SECRET, run.stdout + run.stderr)
        self.assertEqual(run.files(), {})

    def test_ci_guard(self):
        run = self.t.run(MAIN, {**PROMPT, "mode": "real"}, env={"CI": "1", "REPLICATE_API_TOKEN": "r8_" + "x" * 20})
        self.assertEqual(run.result()["error"]["code"], "ERR_CI_SAFETY")
        self.assertEqual(run.files(), {})

    @unittest.skipIf(importlib.util.find_spec("replicate"), "replicate is installed here")
    def test_real_mode_without_sdk_names_the_package(self):
        token = "r8_" + "S3cret" * 4
        run = self.t.run(MAIN, {**PROMPT, "mode": "real"}, env={"CI": None, "REPLICATE_API_TOKEN": token})
        error = run.result()["error"]
        self.assertEqual(error["code"], "ERR_ADAPTER_INVOCATION")
        self.assertIn("replicate", error["message"])
        self.assertNotIn(token, run.stdout + run.stderr)


if __name__ == "__main__":
    unittest.main()
