"""Allow ``python -m muspy_like.cli``."""

import sys

from muspy_like.cli import main

sys.exit(main())
