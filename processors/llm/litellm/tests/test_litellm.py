"""llm/litellm@1 through its real entry point (main.py as a subprocess)."""

import importlib.util
import json
import unittest
from pathlib import Path

from _runtime.tests.helpers import PLANTED_SECRET, TempWorld

MAIN = Path(__file__).resolve().parents[1] / "main.py"
STABLE = ["processor_ref", "image_digest", "env_fingerprint", "inputs_hash", "hash_schema", "outputs_index",
          "processor_info", "usage", "extra", "mode"]
HI = {"schema": "v1", "params": {"messages": [{"role": "system", "content": "be brief"},
                                             {"role": "user", "content": "hi"}]}}
IDENTITY = {"SIGIL_PROCESSOR_REF": "llm/litellm@1", "SIGIL_IMAGE_DIGEST": "source:sha256:" + "a" * 64,
            "SIGIL_ENV_FINGERPRINT": "image=source:sha256:" + "a" * 64}


class LitellmTests(unittest.TestCase):
    def setUp(self):
        self.t = TempWorld()
        self.addCleanup(self.t.cleanup)

    def test_mock_is_byte_stable_across_runs(self):
        runs = [self.t.run(MAIN, HI, execution_id=f"exec-{i}", env={**IDENTITY, "CI": "true"}) for i in (1, 2)]
        for run in runs:
            self.assertEqual(run.rc, 0, run.stderr)
            self.assertEqual(run.result()["status"], "success")
        a, b = (run.prefix_files() for run in runs)
        self.assertEqual(sorted(a), ["outputs.json", "outputs/response.json", "outputs/response.txt", "receipt.json"])
        for name in ("outputs.json", "outputs/response.json", "outputs/response.txt"):
            self.assertEqual(a[name], b[name], name)
        ra, rb = json.loads(a["receipt.json"]), json.loads(b["receipt.json"])
        self.assertEqual({k: ra[k] for k in STABLE}, {k: rb[k] for k in STABLE})
        self.assertEqual((ra["execution_id"], rb["execution_id"]), ("exec-1", "exec-2"))
        self.assertEqual((ra["usage"], ra["mode"], ra["processor_info"]), ({}, "mock", "litellm mock (offline)"))

    def test_mock_response_shape(self):
        run = self.t.run(MAIN, {**HI, "model": "gpt-4o-mini"})
        out = run.prefix_files()
        response = json.loads(out["outputs/response.json"])
        self.assertEqual(response["object"], "chat.completion")
        self.assertEqual(response["model"], "gpt-4o-mini")
        message = response["choices"][0]["message"]
        self.assertEqual(message, {"role": "assistant", "content": "[mock] hi"})
        self.assertEqual(out["outputs/response.txt"], b"[mock] hi")
        receipt = json.loads(out["receipt.json"])
        self.assertEqual(response["id"], "chatcmpl-mock-" + receipt["inputs_hash"][:16])
        self.assertEqual(json.loads(self.t.run(MAIN, HI, execution_id="e2").files()[
            "outputs/t/e2/outputs/response.json"])["model"], "mock-model")

    def test_missing_secret_in_real_mode(self):
        run = self.t.run(MAIN, {**HI, "mode": "real", "model": "gpt-4o-mini"}, env={"CI": None})
        self.assertEqual(run.rc, 1)
        error = run.result()["error"]
        self.assertEqual(error["code"], "ERR_MISSING_SECRET")
        self.assertIn("missing required secret", error["message"])
        self.assertIn("OPENAI_API_KEY", error["message"])
        self.assertEqual(run.files(), {})

    def test_ci_guard(self):
        run = self.t.run(MAIN, {**HI, "mode": "real"}, env={"CI": "true", "OPENAI_API_KEY": PLANTED_SECRET})
        self.assertEqual(run.result()["error"]["code"], "ERR_CI_SAFETY")
        self.assertEqual(run.files(), {})

    @unittest.skipIf(importlib.util.find_spec("litellm"), "litellm is installed here")
    def test_real_mode_without_sdk_names_the_package(self):
        run = self.t.run(MAIN, {**HI, "mode": "real", "model": "gpt-4o-mini"},
                         env={"CI": None, "OPENAI_API_KEY": PLANTED_SECRET})
        error = run.result()["error"]
        self.assertEqual(error["code"], "ERR_ADAPTER_INVOCATION")
        self.assertIn("litellm", error["message"])
        self.assertNotIn(PLANTED_SECRET, run.stdout + run.stderr)

    def test_planted_secret_appears_nowhere(self):
        env = {**IDENTITY, "OPENAI_API_KEY": PLANTED_SECRET, "CI": None}
        runs = [self.t.run(MAIN, HI, execution_id="m1", env=env),
                self.t.run(MAIN, {**HI, "mode": "real", "model": "m"}, execution_id="r1", env=env),
                self.t.run(MAIN, "{bad json", execution_id="b1", env=env)]
        for run in runs:
            self.assertNotIn(PLANTED_SECRET, run.stdout + run.stderr)
            for name, data in run.files().items():
                self.assertNotIn(PLANTED_SECRET.encode(), data, name)
        self.assertEqual(runs[0].rc, 0, runs[0].stderr)

    def test_bad_messages_are_err_inputs(self):
        run = self.t.run(MAIN, {"schema": "v1", "params": {"messages": "hi"}})
        self.assertEqual(run.result()["error"]["code"], "ERR_INPUTS")
        self.assertEqual(run.files(), {})


if __name__ == "__main__":
    unittest.main()
