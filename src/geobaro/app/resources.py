"""Caches of the app: public data shared by every session, uploads kept per session.

Only public, read-only data goes into ``st.cache_resource``/``st.cache_data`` (boundaries, the
published figures, the illustrative sample and what is computed from it). A user's upload and
everything computed from it lives in that session's ``st.session_state`` only.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.config import get_settings
from geobaro.data.boundaries import attribution_text, load_units, prepare_boundaries
from geobaro.vocabulary import Lang

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "ensure_boundaries",
    "get_attribution",
    "get_communes",
    "get_key_figures",
    "get_sample",
    "get_sample_indicators",
    "get_units",
    "install_assets",
    "memo_session",
    "sample_compare",
    "sample_explore",
    "sample_profile_groups",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

_READY: set[str] = set()
_READY_LOCK = threading.Lock()
_SESSION_MEMO_SIZE = 6


def ensure_boundaries(progress: Callable[[float, str], None]) -> None:
    """Prepare the boundary cache once per process (``progress`` only shows on the first run).

    Raises whatever `geobaro.boundaries.prepare_boundaries` raises; nothing is remembered
    on failure, so the next run tries again.
    """
    key = str(get_settings().cache_dir)
    if key in _READY:
        return
    with _READY_LOCK:
        if key not in _READY:
            prepare_boundaries(progress=progress)
            _READY.add(key)


@st.cache_resource(show_spinner=False)
def install_assets(static_dir: str) -> bool:
    """Copy Leaflet into the served ``static`` folder once per process.

    Returns false (and logs) if the folder cannot be written: the maps then fail to load
    Leaflet, which the log says, but the rest of the app works.
    """
    from geobaro.maps.assets import install_static_assets

    try:
        install_static_assets(Path(static_dir))
    except OSError as exc:
        log.error("cannot copy Leaflet into %s: %s", static_dir, exc)
        return False
    return True


@st.cache_resource(show_spinner=False)
def get_units(level: str, vintage: str) -> gpd.GeoDataFrame:
    """Return the web geometry (EPSG:4326) of a level and vintage (shared, never mutated)."""
    return load_units(level=level, vintage=vintage, web=True)  # type: ignore[arg-type]


@st.cache_resource(show_spinner=False)
def get_communes() -> pd.DataFrame:
    """Return the 2018 commune reference table without geometry (shared, never mutated)."""
    # from the web geometry: the full-resolution file is never loaded by the app
    gdf = get_units("commune", "2018")
    return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))


@st.cache_data(show_spinner=False)
def get_attribution(lang: Lang = "en") -> str:
    """Return the attribution text of the boundary data, in ``lang``."""
    return attribution_text(lang=lang)


@st.cache_data(show_spinner=False)
def get_key_figures() -> pd.DataFrame:
    """Return the barometer's published 2017 key figures with their sources."""
    from geobaro.published import key_figures

    return key_figures()


@st.cache_resource(show_spinner=False)
def get_sample() -> Any:
    """Return the shipped illustrative sample, read and validated like any upload."""
    from geobaro.survey.sample import load_sample

    return load_sample(gdf_communes=get_communes())


@st.cache_resource(show_spinner=False)
def get_sample_indicators() -> pd.DataFrame:
    """Return the per-commune indicators of the illustrative sample."""
    from geobaro.indicators import compute_indicators

    return compute_indicators(get_sample(), get_communes())


@st.cache_resource(show_spinner=False, max_entries=32)
def sample_explore(request: views.ExploreRequest) -> views.ExploreResult:
    """Return the explore view of the sample (map, legend, table), shared by every session.

    The app shows the result's ``html`` (a string rendered once); the folium map inside is
    never rendered again (exports build their own), so sessions share nothing mutable.
    """
    return views.render_explore(
        request,
        views.ViewData(
            get_sample_indicators(),
            get_communes(),
            gdf_units=get_units(request.level, request.vintage),
        ),
    )


@st.cache_resource(show_spinner=False, max_entries=12)
def sample_compare(request: views.CompareRequest) -> views.CompareResult:
    """Return the compare view of the sample, shared by every session."""
    return views.render_compare(
        request,
        views.ViewData(
            get_sample_indicators(),
            get_communes(),
            gdf_units=get_units(request.level, request.vintage),
        ),
    )


@st.cache_resource(show_spinner=False)
def sample_profile_groups() -> dict[tuple[str, str], pd.DataFrame]:
    """Return every indicator of the sample aggregated by province, region and Belgium."""
    return views.compute_profile_groups(get_sample_indicators(), get_communes())


def memo_session(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """Return ``build()`` memoised in this session only (a few most recent entries).

    Used for everything computed from an upload, so nothing of it reaches another session.
    """
    memo: OrderedDict[tuple[Any, ...], Any] = st.session_state.setdefault("_memo", OrderedDict())
    if key in memo:
        memo.move_to_end(key)
        return memo[key]  # type: ignore[no-any-return]
    value = build()
    memo[key] = value
    while len(memo) > _SESSION_MEMO_SIZE:
        memo.popitem(last=False)
    return value
