"""Entry point of ``python -m geobaro``."""

from __future__ import annotations

import sys

from geobaro.cli import main

sys.exit(main())
