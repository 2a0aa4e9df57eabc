"""``python -m backprop_derive``: the same as the ``derive`` command."""

import sys

from backprop_derive.cli import main

sys.exit(main())
