"""Runs the Python runtime's unittest suite; zero collected tests is a failure, not a pass.

python3 -m unittest on Python 3.11 exits 0 when discovery finds nothing, which would let a
broken layout pass CI silently.
"""

import sys
import unittest

suite = unittest.defaultTestLoader.discover("processors", pattern="test_*.py", top_level_dir="processors")
count = suite.countTestCases()
if count == 0:
    print("no Python tests were collected under processors/", file=sys.stderr)
    sys.exit(1)
result = unittest.TextTestRunner(verbosity=1).run(suite)
sys.exit(0 if result.wasSuccessful() else 1)
