"""run_main end to end: the fixture processor as a real subprocess in a temp world."""

import json
import unittest

from _runtime.tests.helpers import FIXTURE_MAIN, PLANTED_SECRET, TempWorld

LIFECYCLE = ["processor.start", "provider.call", "provider.response", "processor.outputs", "processor.receipt"]


def payload(mode="mock", **params):
    return {"schema": "v1", "mode": mode, "params": params}


class RunMainTests(unittest.TestCase):
    def setUp(self):
        self.t = TempWorld()
        self.addCleanup(self.t.cleanup)

    def run_echo(self, inputs, **kw):
        return self.t.run(FIXTURE_MAIN, inputs, **kw)

    def assert_error(self, run, code, fragment):
        self.assertEqual(run.rc, 1, run.stderr)
        result = run.result()
        self.assertEqual(result["status"], "error")
        self.assertEqual(result["execution_id"], "exec-1")
        self.assertEqual(result["error"]["code"], code)
        self.assertIn(fragment, result["error"]["message"])
        self.assertEqual(run.events()[-1], "processor.error")

    def test_success_protocol_files_and_logs(self):
        run = self.run_echo(payload(outputs=[["outputs/b.txt", "B"], ["outputs/a/x.txt", "A"]]),
                            env={"SIGIL_PROCESSOR_REF": "test/echo@1", "SIGIL_IMAGE_DIGEST": "sha256:" + "0" * 64,
                                 "SIGIL_IMAGE_TAG": "sha-abc", "SIGIL_ENV_FINGERPRINT": "cpu=1;image=sha256:0"})
        self.assertEqual(run.rc, 0, run.stderr)
        self.assertEqual(run.stdout, '{"status":"success","execution_id":"exec-1"}\n')
        self.assertEqual(run.events(), LIFECYCLE)
        files = run.files()
        self.assertEqual(files["outputs/t/exec-1/outputs/a/x.txt"], b"A")
        receipt = files["outputs/t/exec-1/receipt.json"]
        self.assertEqual(receipt, files["execution/exec-1/determinism.json"])
        r = json.loads(receipt)
        self.assertEqual(sorted(r), sorted([
            "execution_id", "processor_ref", "image_digest", "image_tag", "env_fingerprint", "inputs_hash",
            "hash_schema", "outputs_index", "processor_info", "usage", "extra", "timestamp_utc", "duration_ms", "mode"]))
        self.assertEqual((r["processor_ref"], r["image_tag"], r["hash_schema"]), ("test/echo@1", "sha-abc", "jcs-sha256-v1"))
        self.assertEqual(r["outputs_index"], json.loads(files["outputs/t/exec-1/outputs.json"]))
        self.assertRegex(r["timestamp_utc"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIsInstance(r["duration_ms"], int)
        for line in run.stderr.splitlines():
            self.assertEqual(json.loads(line)["trace_id"], "exec-1")

    def test_image_tag_omitted_when_unset(self):
        run = self.run_echo(payload(), env={"SIGIL_IMAGE_TAG": ""})
        self.assertNotIn("image_tag", json.loads(run.files()["execution/exec-1/determinism.json"]))

    def test_ci_guard_writes_nothing(self):
        for ci in ("true", "1"):
            with self.subTest(CI=ci):
                run = self.run_echo(payload("real"), env={"CI": ci, "ECHO_API_KEY": "present-value"})
                self.assert_error(run, "ERR_CI_SAFETY", "Refusing to run mode=real in CI")
                self.assertEqual(run.files(), {})
                self.assertNotIn("provider.call", run.events())

    def test_path_escapes_and_duplicates_write_nothing(self):
        cases = {
            "outputs/../x": "ERR_OUTPUT_PATH", "/abs": "ERR_OUTPUT_PATH", "outputs\\x": "ERR_OUTPUT_PATH",
            "elsewhere/x": "ERR_OUTPUT_PATH", "outputs/A.txt": "ERR_OUTPUT_DUPLICATE",
        }
        for relpath, code in cases.items():
            with self.subTest(relpath=relpath):
                run = self.run_echo(payload(outputs=[["outputs/a.txt", "ok"], [relpath, "bad"]]))
                fragment = "duplicate output" if code == "ERR_OUTPUT_DUPLICATE" else "output path escapes"
                self.assert_error(run, code, fragment)
                self.assertEqual(run.files(), {})
                self.assertFalse((self.t.root / "x").exists())

    def test_missing_secret_names_the_secret(self):
        run = self.run_echo(payload("real"), env={"CI": None})
        self.assert_error(run, "ERR_MISSING_SECRET", "missing required secret")
        self.assertIn("ECHO_API_KEY", run.result()["error"]["message"])

    def test_bad_inputs(self):
        for text in ("{", '{"schema":"v9"}', '{"schema":"v1","mode":"smoke"}', '{"schema":"v1","params":[1]}'):
            with self.subTest(text=text):
                run = self.run_echo(text)
                self.assert_error(run, "ERR_INPUTS", "invalid inputs payload")
                self.assertEqual(run.files(), {})

    def test_world_and_prefix_rules(self):
        run = self.run_echo(payload(), env={"SIGIL_WORLD": None})
        self.assert_error(run, "ERR_ADAPTER_INVOCATION", "SIGIL_WORLD")
        run = self.run_echo(payload(), prefix=self.t.root / "outside")
        self.assert_error(run, "ERR_INPUTS", "write prefix")
        self.assertFalse((self.t.root / "outside").exists())

    def test_prefix_template_is_expanded(self):
        run = self.run_echo(payload(), prefix=self.t.world / "outputs" / "{execution_id}")
        self.assertEqual(run.rc, 0, run.stderr)
        self.assertIn("outputs/exec-1/outputs/echo.txt", run.files())

    def test_unexpected_exception_is_bounded_and_redacted(self):
        run = self.run_echo(payload(**{"raise": "boom " + PLANTED_SECRET + " " + "z" * 5000, "print": "noise"}),
                            env={"OPENAI_API_KEY": PLANTED_SECRET})
        self.assert_error(run, "ERR_ADAPTER_INVOCATION", "adapter invocation failed")
        message = run.result()["error"]["message"]
        self.assertIn("RuntimeError", message)
        self.assertLessEqual(len(message), 500)
        self.assertNotIn("Traceback", run.stdout)
        self.assertEqual(run.stderr.count("noise"), 2)  # print() and a raw fd-1 write, both diverted
        self.assertNotIn(PLANTED_SECRET, run.stdout + run.stderr)

    def test_lone_surrogate_in_an_error_still_yields_one_result_line(self):
        run = self.run_echo(payload(raise_surrogate=True))
        self.assert_error(run, "ERR_ADAPTER_INVOCATION", "adapter invocation failed")

    def test_usage_errors_exit_2_with_empty_stdout(self):
        for args in ([], ["--inputs", "x"], ["--help"]):
            with self.subTest(args=args):
                run = self.t.run(FIXTURE_MAIN, payload(), args=args)
                self.assertEqual(run.rc, 2 if args != ["--help"] else 0)
                self.assertEqual(run.stdout, "")

    def test_bad_execution_id(self):
        run = self.t.run(FIXTURE_MAIN, payload(), execution_id="../x", prefix=self.t.world / "outputs" / "p")
        self.assertEqual(run.rc, 1)
        self.assertEqual(run.result()["error"]["code"], "ERR_INPUTS")
        self.assertEqual(run.files(), {})


if __name__ == "__main__":
    unittest.main()
