"""Warm the server at start: what every first script run needs, before the first visitor.

``streamlit run streamlit_app.py`` serves the app as an ``st.App`` whose lifespan starts
`warm_up` in a thread; the server answers at once. A browser takes about a second to load
Streamlit's bundle before its first script run; in that second the server imports the app's
modules (pandas, geopandas, folium, Babel, Streamlit's emoji catalogue: about 0.7 s of CPU)
and loads the web boundaries of the communes (prepared by ``data prepare``), the
illustrative sample's indicators (into the app's shared caches) and the prebuilt commune
topology with its arcs as JSON. The first run then finds them ready.

A visitor's run that starts earlier is not slowed: it waits for the same imports (Python's
import lock) and caches (Streamlit computes a cached value once) and loads what is missing.
(Running the whole script at start, as Streamlit's script health check does, was tried: the
landing view took 1.9 s and delayed the first visitor's map by 0.5 s.)
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from geobaro.vocabulary import LANGS

__all__ = ["lifespan", "warm_up"]

log = logging.getLogger(__name__)


def warm_up() -> float:
    """Import the app and load the data every first map needs; return the seconds.

    Any failure is logged and left to the first run, which reports it to the user.
    """
    started = time.perf_counter()
    try:
        # Streamlit's emoji catalogue (0.03 s of CPU), read by the page's favicon at the top of
        # every first run; the other icons are Material symbols, drawn by the bundled font
        import streamlit.emojis  # noqa: F401

        from geobaro.app import resources
        from geobaro.app.shell import configure_logging  # the app: pages, views, maps, folium
        from geobaro.i18n import format_share
        from geobaro.maps.topology import arcs_json, build_topology

        configure_logging()
        units = resources.get_units("commune", "2018")
        resources.get_sample_indicators()
        arcs_json(build_topology(units)["arcs"])  # the prebuilt topology and its JSON
        for lang in LANGS:
            format_share(0.5, lang)  # Babel's locale data
        import geobaro.app.pages.explore  # noqa: F401  (the explore view and its exports)

        # Streamlit's first element of the process calls inspect.stack() (is it a REPL?),
        # which maps every loaded module to its real path once: 0.04 s of CPU, up to 0.2 s
        # of a first run while the browser loads the bundle
        inspect.stack()
    except Exception:  # the first run reports it to the user
        log.exception("warming up failed; the first run will load what it needs")
    seconds = time.perf_counter() - started
    log.info("warmed up in %.2f s", seconds)
    return seconds


@contextlib.asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Start `warm_up` in a thread (the ``st.App`` lifespan); the server answers at once."""
    threading.Thread(target=warm_up, name="geobaro-warm-up", daemon=True).start()
    yield
