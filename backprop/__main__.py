"""``python -m backprop``: the same command line as ``backprop``."""

import sys

from backprop.cli import main

sys.exit(main())
