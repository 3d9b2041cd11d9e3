"""``python -m translator``: the same as the ``translator`` command."""

import sys

from .cli import main

sys.exit(main())
