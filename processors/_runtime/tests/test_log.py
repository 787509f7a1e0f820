import io
import json
import random
import unittest
from urllib.parse import quote, quote_plus

from _runtime.log import Logger, bound, redact


class RedactTests(unittest.TestCase):
    def test_token_shapes(self):
        cases = {
            "key sk-proj-abcDEF123456 used": "key *** used",
            "ghp_abcdefghijklmnop1234": "***",
            "github_pat_11ABCDEFG_xyz123": "***",
            "token r8_AbCdEf123456": "token ***",
            "Authorization: Bearer abc.def.ghi": "Authorization: ***",
            '{"authorization": "Basic dXNlcjpwYXNz"}': '{"authorization": "***"}',
            "header Bearer eyJhbGciOi": "header Bearer ***",
            "https://user:p4ss@example.com/x": "https://***@example.com/x",
            "postgres://admin:hunter22@db:5432/app": "postgres://***@db:5432/app",
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(redact(text, env={}), expected)

    def test_secret_env_values(self):
        env = {"MY_API_KEY": "plainvalue99", "DB_PASSWORD": "hunter2hunter", "SHORT_TOKEN": "abc", "HOME": "/root"}
        self.assertEqual(redact("a plainvalue99 b hunter2hunter c abc /root", env), "a *** b *** c abc /root")

    def test_leaves_ordinary_text(self):
        self.assertEqual(redact("task-runner skipped sk- prefix", env={}), "task-runner skipped sk- prefix")

    def test_bound(self):
        text = "a" * 300 + "b" * 300
        out = bound(text, 100)
        self.assertLessEqual(len(out), 100)
        self.assertTrue(out.startswith("a") and out.endswith("b"))


class LoggerTests(unittest.TestCase):
    def test_ndjson_with_bound_fields_and_redaction(self):
        stream = io.StringIO()
        log = Logger("exec-9", "llm/litellm@1", "sha256:abc", stream=stream, env={"X_SECRET": "s3cr3tvalue"})
        log.bound["mode"] = "mock"
        log.event("processor.start")
        log.event("processor.error", level="error", code="ERR_X", message="boom s3cr3tvalue sk-abcdef123456")
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        self.assertEqual([r["event"] for r in lines], ["processor.start", "processor.error"])
        for record in lines:
            self.assertEqual(record["trace_id"], "exec-9")
            self.assertEqual(record["processor_ref"], "llm/litellm@1")
            self.assertEqual(record["image_digest"], "sha256:abc")
            self.assertEqual(record["mode"], "mock")
            self.assertIsInstance(record["elapsed_ms"], int)
        self.assertEqual(lines[1]["message"], "boom *** ***")


class RedactionSurvivesEscapingTests(unittest.TestCase):
    ALPHABET = ['"', "\\", "%", "/", "é", "€", "😀", "\n", "'", " ", "+", "*", "x", "q", "z", "J"]

    def forms(self, value):
        return {
            "raw": value,
            "json": json.dumps(value)[1:-1],
            "json_utf8": json.dumps(value, ensure_ascii=False)[1:-1],
            "url": quote(value, safe=""),
            "url_plus": quote_plus(value),
        }

    def test_random_secrets_never_leak_in_any_form(self):
        rng = random.Random(9)
        for _ in range(300):
            value = "".join(rng.choice(self.ALPHABET) for _ in range(rng.randint(6, 20)))
            for name, shown in self.forms(value).items():
                with self.subTest(secret=value, form=name):
                    stream = io.StringIO()
                    log = Logger("e", "r@1", "d", stream=stream, env={"MY_TOKEN": value})
                    log.event("processor.note", message=f"before {shown} after")
                    written = stream.getvalue()
                    for leaked in self.forms(value).values():
                        self.assertNotIn(leaked, written)
                    self.assertIn("***", written)


class LogLevelTests(unittest.TestCase):
    def events(self, level):
        stream = io.StringIO()
        env = {} if level is None else {"SIGIL_LOG_LEVEL": level}
        log = Logger("e", "r@1", "d", stream=stream, env=env)
        log.event("processor.start")
        log.event("processor.error", level="error")
        return [json.loads(line)["event"] for line in stream.getvalue().splitlines()]

    def test_sigil_log_level_governs_the_processor_lines(self):
        self.assertEqual(self.events(None), ["processor.start", "processor.error"])
        self.assertEqual(self.events("debug"), ["processor.start", "processor.error"])
        self.assertEqual(self.events("warn"), ["processor.error"])
        self.assertEqual(self.events("error"), ["processor.error"])
        self.assertEqual(self.events("fatal"), [])
        self.assertEqual(self.events("silent"), [])


if __name__ == "__main__":
    unittest.main()
