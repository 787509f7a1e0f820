"""Entry point: python3 main.py --inputs <file> --write-prefix <dir> --execution-id <id>."""

import sys
from pathlib import Path

sys.dont_write_bytecode = True  # a run must not add __pycache__ to the hashed source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # processors/ holds _runtime

from _runtime import run_main  # noqa: E402
from provider import REQUIRED_SECRETS, make_runner  # noqa: E402

if __name__ == "__main__":
    run_main(make_runner, required_secrets=REQUIRED_SECRETS)
