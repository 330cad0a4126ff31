"""Rebuild the web boundaries shipped in the package from the mirror (``src/geobaro/data/files``).

Same as ``python -m geobaro data build-shipped [--out DIR]``: the cache is prepared afresh from
the mirror's verified files in a temporary folder, the simplified table copied, the topology of
every level and vintage built, and the stamp written with each file's SHA-256.
"""

from __future__ import annotations

import sys

from geobaro.cli import main

if __name__ == "__main__":
    sys.exit(main(["data", "build-shipped", *sys.argv[1:]]))
