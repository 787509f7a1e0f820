# A package only so `unittest discover -s processors -t processors` reaches the processors' tests.
# Importing it means tests are running: keep bytecode caches out of the processors' source
# trees, whose file digest stands in for an image digest when a processor runs from source.
import sys

sys.dont_write_bytecode = True
