"""Choropleth maps: classes, colour-blind-safe palettes, legends and escaped tooltips.

`classify` turns a table of values into colours and legend entries; `build_choropleth` draws
them on a Leaflet map (`folium.Map`) that loads nothing from a CDN. The geometry goes to the
browser as a quantised TopoJSON topology: each border between two neighbours is sent once,
so neighbours stay gap- and overlap-free and the 589-commune map stays small.

The ``values`` table taken by both functions has one row per unit:

``nis_code``
    The unit's code (as in the boundary table).
``value``
    A number (a share in [0, 1], a count or a score) for sequential maps; an answer string
    (``yes``, ``partly`` ...) for categorical maps.
``n``
    Respondents behind the value (optional).
``status``
    ``ok``, ``not_reached``, ``refused``, ``too_small`` or ``no_data`` (optional: ``ok`` where
    a value is present, ``no_data`` elsewhere). Units that are not ``ok`` get a neutral style
    of their own and their own legend entry.
``label``
    Optional display text of the value (e.g. ``66% (n=113)``); shown in the tooltip.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import logging
import math
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import branca.utilities
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geobaro.i18n import (
    LANGS,
    format_number,
    format_share,
    load_catalog,
    region_name,
    t,
    unit_name,
)
from geobaro.maps.assets import DEFAULT_PREFIX, AssetMode, apply_assets
from geobaro.maps.legend import STATUS_STYLES, StatusStyle, render_legend, status_style_of
from geobaro.vocabulary import MAP_STATUSES, SCHEMES, MapStatus, Scheme

if TYPE_CHECKING:
    from geobaro.i18n import Lang

__all__ = [
    "CATEGORY_COLORS",
    "SCHEMES",
    "STATUSES",
    "STATUS_STYLES",
    "Classification",
    "LegendEntry",
    "MapKind",
    "Scheme",
    "Status",
    "StatusStyle",
    "build_choropleth",
    "build_topology",
    "classify",
    "status_style_of",
]

log = logging.getLogger(__name__)

MapKind = Literal["sequential", "categorical"]
Status = MapStatus
STATUSES = MAP_STATUSES


#: Colours of known ordered answers: a diverging ColorBrewer scheme (BrBG), colour-blind safe.
CATEGORY_COLORS: dict[str, str] = {
    "yes": "#018571",
    "partly": "#80cdc1",
    "no": "#a6611a",
    "dont_know": "#c2a5cf",
    "dedicated_plan": "#018571",
    "in_global_strategy": "#80cdc1",
    "intends_to_write": "#dfc27d",
    "none": "#a6611a",
}
_ORDERED_ANSWERS: tuple[tuple[str, ...], ...] = (
    ("yes", "partly", "no", "dont_know"),
    ("dedicated_plan", "in_global_strategy", "intends_to_write", "none"),
)
# ColorBrewer "Paired" (colour-blind safe up to 4 classes), then "Dark2".
_QUALITATIVE = (
    "#1f78b4", "#a6cee3", "#33a02c", "#b2df8a",
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
)  # fmt: skip
_DEFAULT_SEQUENTIAL = "YlGnBu"
_OUTLINE = "#ffffff"
_TRANSPARENT_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_QUANTUM = 1e-5  # the web geometry has 5 decimals: integer steps of 1e-5 degrees are exact


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a class, a category or a status, with its unit count."""

    label: str
    color: str
    count: int
    kind: Literal["class", "category", "status"]
    hatched: bool = False
    status: MapStatus | None = None


@dataclass(frozen=True, eq=False)
class Classification:
    """Colours and legend of one map.

    Attributes
    ----------
    kind
        ``sequential`` (classes of numbers) or ``categorical`` (answers).
    bins
        Upper bounds of the sequential classes (``None`` for categorical maps); pass them as
        ``bins=`` to `classify` to give other panels the same colour scale.
    legend
        Classes or categories in order, then the statuses present, each with its count.
    colors
        Index ``nis_code`` -> hex fill colour of each unit (status colours included).
    labels
        Index ``nis_code`` -> legend label of each unit.
    statuses
        Index ``nis_code`` -> status of each unit (``ok``, ``refused`` ...).
    percent
        Values are shares written as percentages.
    """

    kind: MapKind
    bins: tuple[float, ...] | None
    legend: tuple[LegendEntry, ...]
    colors: pd.Series
    labels: pd.Series
    statuses: pd.Series | None = None
    percent: bool = False

    def counts(self) -> dict[str, int]:
        """Return legend label -> number of units.

        Examples
        --------
        >>> import pandas as pd
        >>> v = pd.DataFrame({"nis_code": ["1", "2"], "value": ["yes", None],
        ...                   "status": ["ok", "refused"]})
        >>> classify(v, kind="categorical").counts()
        {'yes': 1, 'refused': 1}
        """
        return {entry.label: entry.count for entry in self.legend}


def classify(
    values: pd.DataFrame,
    *,
    kind: MapKind,
    scheme: Scheme = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    bins: Sequence[float] | None = None,
    categories: Sequence[str] | Mapping[str, str] | None = None,
    palette: str | Sequence[str] | None = None,
    lang: Lang = "en",
    percent: bool | None = None,
) -> Classification:
    """Assign each unit a class (or category) colour, and build the legend with counts.

    Parameters
    ----------
    values
        ``nis_code``, ``value`` and optionally ``n``, ``status``, ``label`` (module docs).
    kind
        ``sequential`` for numbers, ``categorical`` for answers.
    scheme
        Sequential classes: ``quantiles``, ``natural_breaks`` (Fisher-Jenks, deterministic),
        ``equal_interval`` (mapclassify) or ``user_defined`` (``breaks``).
    k
        Number of classes; lowered, with a log message, when there are fewer distinct values.
    breaks
        Upper class bounds for ``user_defined``; the largest value closes the last class.
    bins
        Precomputed upper bounds (``Classification.bins`` of another map): overrides
        ``scheme``, ``k`` and ``breaks`` so that several panels share one colour scale.
    categories
        Categorical order (a sequence of values) or value -> legend label mapping. Values of
        the data missing from it are added after it. Entries may also name a category by its
        label, as found in another map's legend.
    palette
        A ColorBrewer name (sequential default ``YlGnBu``) or a list of hex colours.
    lang
        Language of legend labels.
    percent
        Write class bounds as percentages; by default when every value and bound is in [0, 1].

    Returns
    -------
    Classification

    Raises
    ------
    ValueError
        If ``values`` lacks ``nis_code``/``value``, repeats a code, holds an unknown status,
        or arguments are out of their allowed sets.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"nis_code": list("abcdef"),
    ...                   "value": [0.1, 0.2, 0.4, 0.8, None, None],
    ...                   "status": ["ok"] * 4 + ["refused", "not_reached"]})
    >>> c = classify(v, kind="sequential", scheme="equal_interval", k=2)
    >>> c.bins
    (0.45, 0.8)
    >>> [(e.label, e.count) for e in c.legend]
    [('10% – 45%', 3), ('45% – 80%', 1), ('not reached', 1), ('refused', 1)]
    >>> c.colors["e"] == STATUS_STYLES["refused"].fill
    True
    """
    if kind not in get_args(MapKind):
        raise ValueError(f"unknown map kind {kind!r}; allowed: sequential, categorical")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    frame = _normalize_values(values, kind)
    if kind == "categorical":
        return _classify_categorical(frame, categories, palette, lang)
    return _classify_sequential(
        frame,
        scheme=scheme,
        k=k,
        breaks=breaks,
        bins=bins,
        palette=palette,
        lang=lang,
        percent=percent,
    )


def build_choropleth(
    gdf_units: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    classification: Classification | None = None,
    kind: MapKind = "sequential",
    scheme: Scheme = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    bins: Sequence[float] | None = None,
    lang: Lang = "en",
    title: str = "",
    tiles: bool = False,
    fit_to: gpd.GeoDataFrame | gpd.GeoSeries | Sequence[float] | None = None,
    assets: AssetMode = "served",
    static_prefix: str = DEFAULT_PREFIX,
    legend: bool = True,
    illustrative: bool = False,
    attribution: str | None = None,
    height: int | str = "100%",
) -> folium.Map:
    r"""Draw a choropleth of ``values`` over ``gdf_units`` as a Leaflet map with no CDN.

    Parameters
    ----------
    gdf_units
        Units with ``nis_code``, name columns (``name_fr`` ...), ``region`` and geometry
        (the web geometry of `geobaro.boundaries.load_units`; other CRSs are reprojected).
    values
        Values per unit (module docs). Units without a row are drawn as ``no_data``.
    classification
        A ready `Classification` (e.g. shared by panels); else one is computed with
        ``kind``, ``scheme``, ``k``, ``breaks`` and ``bins`` (see `classify`).
    lang
        Language of names, tooltips and legend.
    title
        Shown at the top right of the map (escaped).
    tiles
        Draw OpenStreetMap tiles under the shapes. Off by default: the map reads well on its
        plain background, and a tile that fails to load leaves the background, not a hole.
    fit_to
        Zoom to these units (a GeoDataFrame/GeoSeries) or bounds ``(minx, miny, maxx, maxy)``
        in EPSG:4326; by default all of ``gdf_units``.
    assets
        ``served`` (default, for the app): Leaflet is loaded from ``static_prefix``, where the
        app serves the files copied by `geobaro._assets.install_static_assets`. ``inline``:
        Leaflet is embedded, for a self-contained page (see `geobaro.export.export_html`).
    static_prefix
        URL prefix of the served files (Streamlit static serving: ``/app/static``).
    legend
        Draw the legend (with counts) inside the map.
    illustrative
        Show the notice that the data are illustrative, not the real survey responses.
    attribution
        Boundary attribution shown in the attribution control; by default
        `geobaro.boundaries.attribution_text`. Escaped.
    height
        Height of the map element (pixels or CSS length).

    Returns
    -------
    folium.Map
        Render with ``fmap.get_root().render()`` or give it to ``streamlit_folium.st_folium``;
        each feature's properties carry ``nis_code`` (for click handling), ``name``,
        ``label`` and ``n``.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> units = gpd.GeoDataFrame({"nis_code": ["a", "b"], "name_en": ["A", "<b>B</b>"],
    ...                           "region": ["Flanders", "Wallonia"]},
    ...                          geometry=[shapely.box(4, 50, 4.1, 50.1),
    ...                                    shapely.box(4.1, 50, 4.2, 50.1)], crs=4326)
    >>> v = pd.DataFrame({"nis_code": ["a", "b"], "value": [0.2, 0.7], "n": [3, 4]})
    >>> page = build_choropleth(units, v, k=2, attribution="test").get_root().render()
    >>> "\\u0026lt;b\\u0026gt;B" in page, "<b>B" in page
    (True, False)
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    if "nis_code" not in gdf_units.columns:
        raise ValueError("gdf_units needs a 'nis_code' column")
    gdf = gdf_units.loc[_drawable(gdf_units)]
    if gdf.crs is None:
        raise ValueError("gdf_units has no CRS; set it (EPSG:4326 for web geometry)")
    if not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    codes = gdf["nis_code"].astype(str)
    if codes.duplicated().any():
        dupes = sorted(set(codes[codes.duplicated()]))[:5]
        raise ValueError(f"gdf_units repeats nis_code values: {', '.join(dupes)}")

    map_kind = classification.kind if classification is not None else kind
    frame = _normalize_values(values, map_kind)
    frame = _align(frame, codes)
    if classification is None:
        classification = classify(
            frame, kind=map_kind, scheme=scheme, k=k, breaks=breaks, bins=bins, lang=lang
        )
    topology = _feature_topology(gdf, codes, frame, classification, lang)

    minx, miny, maxx, maxy = _bounds(gdf if fit_to is None else fit_to)
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=8,
        tiles=None,
        height=height,
        prefer_canvas=False,
        zoomSnap=0.25,
    )
    apply_assets(fmap, assets, prefix=static_prefix)
    if tiles:
        folium.TileLayer(
            _OSM_URL,
            attr=html.escape(t("maps.tiles", lang)),
            name="OpenStreetMap",
            max_zoom=19,
            errorTileUrl=_TRANSPARENT_GIF,
        ).add_to(fmap)
    if attribution is None:
        attribution = _default_attribution()
    _ChoroplethLayer(
        topology=topology,
        styles=[
            # see-through over a base map, opaque (as the legend and PNG) without one
            {**style, "fillOpacity": 0.75} if tiles else style
            for style in topology.pop("_styles")
        ],
        fields={
            "code": html.escape(t("maps.tooltip.code", lang)),
            "region": html.escape(t("maps.tooltip.region", lang)),
            "value": html.escape(t("maps.tooltip.value", lang)),
            "n": html.escape(t("maps.tooltip.n", lang)),
        },
        title=html.escape(title),
        legend_html=render_legend(classification, lang=lang) if legend else "",
        notice=html.escape(t("maps.illustrative", lang)) if illustrative else "",
        attribution=html.escape(attribution),
    ).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def build_topology(gdf_units: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the quantised TopoJSON topology of units in EPSG:4326 (cached by geometry).

    Shared borders become shared arcs; coordinates are integers of 1e-5 degree,
    delta-encoded, so 5-decimal web geometry round-trips exactly.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoSeries([shapely.box(4, 50, 4.1, 50.1), shapely.box(4.1, 50, 4.2, 50.1)],
    ...                   crs=4326)
    >>> topo = build_topology(gpd.GeoDataFrame(geometry=g))
    >>> topo["type"], len(topo["objects"]["units"]["geometries"])
    ('Topology', 2)
    """
    gdf = gdf_units if gdf_units.crs is None else gdf_units.to_crs("EPSG:4326")
    geoms = np.asarray(gdf.geometry.values)
    key = hashlib.blake2b(b"".join(shapely.to_wkb(geoms)), digest_size=16).hexdigest()
    with _TOPO_LOCK:
        cached = _TOPO_CACHE.get(key)
        if cached is not None:
            _TOPO_CACHE.move_to_end(key)
            return _copy_topology(cached)
    topo = _compute_topology(geoms)
    with _TOPO_LOCK:
        _TOPO_CACHE[key] = topo
        while len(_TOPO_CACHE) > _TOPO_CACHE_SIZE:
            _TOPO_CACHE.popitem(last=False)
    return _copy_topology(topo)


# --- classification ----------------------------------------------------------------------------


def _normalize_values(values: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Return a validated copy with ``nis_code`` (str), ``value``, ``n``, ``status``, ``label``."""
    problems: list[str] = []
    for column in ("nis_code", "value"):
        if column not in values.columns:
            problems.append(f"missing column {column!r}")
    if problems:
        raise ValueError(
            "values table: " + "; ".join(problems) + " (needs nis_code, value; optional "
            "n, status, label)"
        )
    frame = pd.DataFrame(
        {"nis_code": values["nis_code"].astype(str).to_numpy()}, index=values.index
    )
    if kind == "sequential":
        raw = pd.to_numeric(values["value"], errors="coerce").astype(float)
        bad = values["value"].notna() & raw.isna()
        if bad.any():
            sample = values.loc[bad, "value"].astype(str).head(3).tolist()
            problems.append(f"non-numeric values for a sequential map: {sample}")
        frame["value"] = raw
        present = raw.notna() & np.isfinite(raw)
    else:
        text = values["value"].astype(object)
        present = text.notna() & text.astype(str).str.strip().ne("")
        frame["value"] = text.where(present, None).map(lambda v: None if v is None else str(v))
    if "status" in values.columns:
        status = values["status"].astype(object).where(values["status"].notna(), "no_data")
        status = status.astype(str)
        unknown = sorted(set(status) - set(STATUSES))
        if unknown:
            problems.append(f"unknown status {unknown}; allowed: {', '.join(STATUSES)}")
    else:
        status = pd.Series("ok", index=values.index)
    # an "ok" without a value cannot be coloured: it is missing data
    frame["status"] = status.where(~(status.eq("ok") & ~present), "no_data").to_numpy()
    n = pd.to_numeric(values["n"], errors="coerce") if "n" in values.columns else np.nan
    frame["n"] = n
    if "label" in values.columns:
        frame["label"] = values["label"].astype(object).where(values["label"].notna(), None)
    else:
        frame["label"] = None
    dupes = frame["nis_code"][frame["nis_code"].duplicated()]
    if len(dupes):
        problems.append(f"repeated nis_code {sorted(set(dupes))[:5]}")
    if problems:
        raise ValueError("values table: " + "; ".join(problems))
    return frame.reset_index(drop=True)


def _classify_sequential(
    frame: pd.DataFrame,
    *,
    scheme: str,
    k: int,
    breaks: Sequence[float] | None,
    bins: Sequence[float] | None,
    palette: str | Sequence[str] | None,
    lang: Lang,
    percent: bool | None,
) -> Classification:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; allowed: {', '.join(SCHEMES)}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    ok = frame["status"].eq("ok").to_numpy()
    x = frame.loc[ok, "value"].to_numpy(dtype=float)
    external = bins is not None
    if bins is not None:
        upper = _sorted_bounds(bins, "bins")
        if len(x) and x.max() > upper[-1]:
            log.warning("values above the last shared bin %s: class extended", upper[-1])
            upper = (*upper, float(x.max()))
    elif scheme == "user_defined":
        if not breaks:
            raise ValueError("scheme 'user_defined' needs breaks=(b1, b2, ...)")
        upper = _sorted_bounds(breaks, "breaks")
        if len(x) and x.max() > upper[-1]:
            upper = (*upper, float(x.max()))
    else:
        upper = _scheme_bounds(x, scheme, k)
    if percent is None:
        percent = bool(
            (len(x) == 0 or (x.min() >= 0 and x.max() <= 1))
            and all(0 <= b <= 1 for b in upper)
            and (len(x) or len(upper))
        )
    colors_of_class = _sequential_colors(palette, len(upper))
    index = np.searchsorted(np.asarray(upper), x, side="left") if len(upper) else np.array([])
    index = np.minimum(index, max(len(upper) - 1, 0)).astype(int)
    lowest = None if external or not len(x) else float(x.min())
    class_labels = _class_labels(upper, lowest, percent, lang)

    codes = frame["nis_code"]
    colors = pd.Series("", index=codes.to_numpy(), dtype=object)
    labels = pd.Series("", index=codes.to_numpy(), dtype=object)
    ok_codes = codes[ok].to_numpy()
    colors.loc[ok_codes] = [colors_of_class[i] for i in index]
    labels.loc[ok_codes] = [class_labels[i] for i in index]
    counts = np.bincount(index, minlength=len(upper)) if len(upper) else np.array([], int)
    entries = [
        LegendEntry(class_labels[i], colors_of_class[i], int(counts[i]), "class")
        for i in range(len(upper))
    ]
    entries += _status_entries(frame, colors, labels, lang)
    return Classification(
        kind="sequential",
        bins=tuple(float(b) for b in upper),
        legend=tuple(entries),
        colors=colors.astype(str).rename("color"),
        labels=labels.astype(str).rename("label"),
        statuses=pd.Series(frame["status"].to_numpy(), index=codes.to_numpy(), name="status"),
        percent=percent,
    )


def _classify_categorical(
    frame: pd.DataFrame,
    categories: Sequence[str] | Mapping[str, str] | None,
    palette: str | Sequence[str] | None,
    lang: Lang,
) -> Classification:
    ok = frame["status"].eq("ok").to_numpy()
    observed = list(dict.fromkeys(frame.loc[ok, "value"].astype(str)))
    given: list[str] = []
    names: dict[str, str] = {}
    if isinstance(categories, Mapping):
        given = [str(c) for c in categories]
        names = {str(c): str(label) for c, label in categories.items()}
    elif categories is not None:
        given = [str(c) for c in categories]
    # a category may be given by its legend label (from another map's legend)
    by_label = {_answer_label(c, lang): c for c in observed}
    for key, text in load_catalog(lang).items():
        if key.startswith("maps.answer."):
            by_label.setdefault(text, key.removeprefix("maps.answer."))
    given = [by_label.get(c, c) if c not in observed else c for c in given]
    extra = [c for c in observed if c not in given]
    if given and extra:
        log.info("categories not in the given order, appended: %s", extra)
    order = list(dict.fromkeys(given + _order_categories(extra)))
    colors_of = _category_colors(order, palette)
    label_of = {c: names.get(c) or _answer_label(c, lang) for c in order}

    codes = frame["nis_code"]
    colors = pd.Series("", index=codes.to_numpy(), dtype=object)
    labels = pd.Series("", index=codes.to_numpy(), dtype=object)
    ok_values = frame.loc[ok, "value"].astype(str).to_numpy()
    ok_codes = codes[ok].to_numpy()
    colors.loc[ok_codes] = [colors_of[v] for v in ok_values]
    labels.loc[ok_codes] = [label_of[v] for v in ok_values]
    counts = pd.Series(ok_values).value_counts()
    entries = [
        LegendEntry(label_of[c], colors_of[c], int(counts.get(c, 0)), "category") for c in order
    ]
    entries += _status_entries(frame, colors, labels, lang)
    return Classification(
        kind="categorical",
        bins=None,
        legend=tuple(entries),
        colors=colors.astype(str).rename("color"),
        labels=labels.astype(str).rename("label"),
        statuses=pd.Series(frame["status"].to_numpy(), index=codes.to_numpy(), name="status"),
    )


def _status_entries(
    frame: pd.DataFrame, colors: pd.Series, labels: pd.Series, lang: Lang
) -> list[LegendEntry]:
    """Fill status colours and labels in place (of the new Series) and return their entries."""
    entries = []
    for status in STATUSES[1:]:
        mask = frame["status"].eq(status).to_numpy()
        if not mask.any():
            continue
        style = STATUS_STYLES[status]
        label = t(f"maps.status.{status}", lang)
        codes = frame.loc[mask, "nis_code"].to_numpy()
        colors.loc[codes] = style.fill
        labels.loc[codes] = label
        entries.append(
            LegendEntry(
                label, style.fill, int(mask.sum()), "status", style.hatch is not None, status
            )
        )
    return entries


def _scheme_bounds(x: np.ndarray, scheme: str, k: int) -> tuple[float, ...]:
    import mapclassify

    if not len(x):
        return ()
    distinct = np.unique(x)
    k_eff = min(k, len(distinct))
    if k_eff < k:
        log.info("%d distinct values: %d classes instead of %d", len(distinct), k_eff, k)
    if k_eff <= 1:
        return (float(distinct[-1]),)
    if k_eff == len(distinct) and scheme != "equal_interval":
        return tuple(float(v) for v in distinct)
    classifier = {
        "quantiles": mapclassify.Quantiles,
        "natural_breaks": mapclassify.FisherJenks,
        "equal_interval": mapclassify.EqualInterval,
    }[scheme]
    with warnings.catch_warnings():
        # "Numba not installed" and "not enough unique values": both handled here
        warnings.simplefilter("ignore", UserWarning)
        found = classifier(x, k=k_eff).bins
    # 10 significant digits: no 0.45000000000000007 in legends and shared bins
    bounds = sorted({float(f"{b:.10g}") for b in np.asarray(found, dtype=float)})
    bounds[-1] = max(bounds[-1], float(x.max()))
    return tuple(bounds)


def _sorted_bounds(bounds: Sequence[float], name: str) -> tuple[float, ...]:
    try:
        out = tuple(float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {bounds!r}") from None
    if not out or any(not math.isfinite(b) for b in out):
        raise ValueError(f"{name} must be finite numbers, got {bounds!r}")
    if any(b >= c for b, c in itertools.pairwise(out)):
        raise ValueError(f"{name} must increase strictly, got {bounds!r}")
    return out


def _class_labels(
    upper: Sequence[float], lowest: float | None, percent: bool, lang: Lang
) -> list[str]:
    """``low – high`` per class; the first is ``≤ high`` when the data minimum is unknown.

    Bounds get as many decimals as it takes to tell them apart (values a hair apart, like
    0 and 1e-308, fall back to significant digits), so no two classes share a label.
    """
    if not upper:
        return []
    points = list(upper) if lowest is None else [lowest, *upper]
    decimals = _decimals(points, percent)

    def rounded(v: float) -> str:
        if percent:
            return format_share(v, lang, decimals=decimals)
        return format_number(v, lang, decimals=decimals)

    def significant(digits: int) -> Callable[[float], str]:
        def fmt(v: float) -> str:
            text = f"{v * 100 if percent else v:.{digits}g}"
            text = text.replace(".", "," if lang != "en" else ".")
            if not percent:
                return text
            return f"{text}\u00a0%" if lang in {"fr", "de"} else f"{text}%"

        return fmt

    for fmt in (rounded, significant(6), significant(17)):
        labels = []
        for i, high in enumerate(upper):
            low = upper[i - 1] if i else lowest
            if low is None:
                labels.append(f"≤ {fmt(high)}")
            elif fmt(low) == fmt(high):
                labels.append(fmt(high))
            else:
                labels.append(t("maps.legend.range", lang, low=fmt(low), high=fmt(high)))
        if len(set(labels)) == len(labels):
            break
    return labels


def _decimals(points: Sequence[float], percent: bool) -> int:
    scale = 100 if percent else 1
    for decimals in range(3):
        rounded = [round(p * scale, decimals) for p in points]
        if len(set(rounded)) == len(set(points)):
            return decimals
    return 3


def _sequential_colors(palette: str | Sequence[str] | None, n: int) -> list[str]:
    if n == 0:
        return []
    if palette is not None and not isinstance(palette, str):
        colors = list(palette)
        if len(colors) < n:
            raise ValueError(f"palette has {len(colors)} colours, {n} classes need more")
        if len(colors) == n:
            return colors
        picks = np.linspace(0, len(colors) - 1, n).round().astype(int)
        return [colors[i] for i in picks]
    name = palette or _DEFAULT_SEQUENTIAL
    if n < 3:  # ColorBrewer starts at 3 classes: take the light and dark ends of that set
        three = branca.utilities.color_brewer(name, 3)
        return [three[1]] if n == 1 else [three[0], three[2]]
    return list(branca.utilities.color_brewer(name, n))


def _category_colors(order: Sequence[str], palette: str | Sequence[str] | None) -> dict[str, str]:
    if palette is not None:
        colors = (
            list(branca.utilities.color_brewer(palette, max(3, len(order))))
            if isinstance(palette, str)
            else list(palette)
        )
        return {c: colors[i % len(colors)] for i, c in enumerate(order)}
    known = [c for c in order if c in CATEGORY_COLORS]
    out: dict[str, str] = {}
    if known and len(known) == len(order):
        for group in _ORDERED_ANSWERS:
            if set(order) <= set(group):
                return {c: CATEGORY_COLORS[c] for c in order}
    free = iter(c for c in _QUALITATIVE)
    for c in order:
        out[c] = next(free, "#666666")
    if len(order) > 4:
        log.info("%d categories: colours beyond 4 are not all colour-blind safe", len(order))
    return out


def _order_categories(cats: Sequence[str]) -> list[str]:
    for group in _ORDERED_ANSWERS:
        if set(cats) <= set(group):
            return [c for c in group if c in cats]
    return sorted(cats)


def _answer_label(value: str, lang: Lang) -> str:
    key = f"maps.answer.{value}"
    text = t(key, lang)
    return value if text == key else text


# --- map -------------------------------------------------------------------------------------


def _align(frame: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Values in the order of the units; units without a row get ``no_data``."""
    known = set(frame["nis_code"])
    unmatched = len(known - set(codes))
    if unmatched:
        log.info("%d value rows have no unit on the map and are not drawn", unmatched)
    missing = [c for c in codes if c not in known]
    if missing:
        extra = pd.DataFrame(
            {"nis_code": missing, "value": None, "status": "no_data", "n": np.nan, "label": None}
        )
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame.set_index("nis_code").reindex(codes.to_numpy()).reset_index()


def _feature_topology(
    gdf: gpd.GeoDataFrame,
    codes: pd.Series,
    frame: pd.DataFrame,
    classification: Classification,
    lang: Lang,
) -> dict[str, Any]:
    """Return the topology with only what the map shows per unit: code, name, value label, style.

    ``frame`` is aligned with ``codes`` (see `_align`); plain lists keep this loop fast.
    """
    topo = build_topology(gdf)
    keys = codes.to_numpy()
    statuses = _by_code(classification.statuses, keys)
    fallback = frame["status"].astype(str).tolist()
    status_list = [
        s if isinstance(s, str) and s in STATUSES else f
        for s, f in zip(statuses, fallback, strict=True)
    ]
    colors = _by_code(classification.colors, keys)
    classes = _by_code(classification.labels, keys)
    regions = gdf["region"].astype(str).tolist() if "region" in gdf else [""] * len(gdf)
    name_columns = [c for c in gdf.columns if c.startswith("name") or c == "nis_code"]
    names = gdf[name_columns].to_dict("records")
    region_names = {r: html.escape(region_name(r, lang)) if r else "" for r in set(regions)}
    status_names = {s: t(f"maps.status.{s}", lang) for s in STATUSES[1:]}
    styles: list[dict[str, Any]] = []
    style_ids: dict[tuple[str, str], int] = {}
    rows = zip(
        topo["objects"]["units"]["geometries"],
        keys,
        status_list,
        colors,
        classes,
        frame["label"].tolist(),
        frame["value"].tolist(),
        frame["n"].tolist(),
        regions,
        names,
        strict=True,
    )
    for geom, code, status, color, klass, label, value, n, region, name_row in rows:
        fill = STATUS_STYLES[status].fill if status != "ok" else str(color or "#000000")
        key = (status, fill)
        if key not in style_ids:
            style_ids[key] = len(styles)
            styles.append(_leaflet_style(status, fill))
        if _present(label):
            text = str(label)
        elif status != "ok":
            text = status_names[status]
        else:
            text = _value_text(value, klass, classification.percent, lang)
        geom["properties"] = {
            "nis_code": html.escape(str(code)),
            "name": html.escape(unit_name(name_row, lang)),
            "region": region_names[region],
            "label": html.escape(text),
            "n": int(n) if _present(n) else None,
            "s": style_ids[key],
        }
    topo["_styles"] = styles
    return topo


def _by_code(series: pd.Series | None, keys: np.ndarray) -> list[Any]:
    """Values of a ``nis_code``-indexed Series in the order of ``keys`` (``None`` if absent)."""
    if series is None:
        return [None] * len(keys)
    aligned = series.copy()
    aligned.index = aligned.index.astype(str)
    aligned = aligned[~aligned.index.duplicated()]
    out: list[Any] = aligned.reindex(keys).astype(object).where(lambda s: s.notna(), None).tolist()
    return out


def _present(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    return not (isinstance(value, float) and math.isnan(value))


def _value_text(value: Any, class_label: str | None, percent: bool, lang: Lang) -> str:
    if isinstance(value, str):
        return class_label or _answer_label(value, lang)
    if not _present(value):
        return class_label or "–"
    number = float(value)
    if percent:
        return format_share(number, lang)
    return format_number(number, lang, decimals=0 if number.is_integer() else 2)


def _leaflet_style(status: str, fill: str) -> dict[str, Any]:
    if status == "ok":
        # opaque: the same colours as the legend and the PNG export
        return {"fillColor": fill, "fillOpacity": 1.0, "color": _OUTLINE, "weight": 0.6}
    style = STATUS_STYLES[status]
    out: dict[str, Any] = {
        "fillColor": fill,
        "fillOpacity": 1.0,
        "color": style.outline,
        "weight": 0.6,
    }
    if style.hatch:
        out["pattern"] = style.hatch
    if style.dashed:
        out["dashArray"] = "3 3"
        out["weight"] = 0.9
    return out


def _drawable(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Rows with a non-empty geometry (missing and empty shapes cannot be drawn)."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    drawable: np.ndarray = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    return drawable


def _bounds(
    target: gpd.GeoDataFrame | gpd.GeoSeries | Sequence[float],
) -> tuple[float, float, float, float]:
    if isinstance(target, gpd.GeoDataFrame | gpd.GeoSeries):
        if target.crs is not None and not target.crs.equals("EPSG:4326"):
            target = target.to_crs("EPSG:4326")
        if len(target) == 0:
            return (2.5, 49.5, 6.4, 51.5)  # Belgium
        minx, miny, maxx, maxy = (float(v) for v in target.total_bounds)
        return minx, miny, maxx, maxy
    values = [float(v) for v in target]
    if len(values) != 4:
        raise ValueError("fit_to bounds must be (minx, miny, maxx, maxy)")
    return values[0], values[1], values[2], values[3]


def _default_attribution() -> str:
    from geobaro.data.boundaries import attribution_text

    try:
        return attribution_text()
    except Exception as exc:
        log.warning("no boundary attribution: %s", exc)
        return ""


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>``, ``&`` or line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


# --- topology ----------------------------------------------------------------------------------

_TOPO_CACHE: OrderedDict[str, dict[str, Any]] = OrderedDict()
_TOPO_CACHE_SIZE = 24
_TOPO_LOCK = threading.Lock()
_ARCS_JSON: OrderedDict[int, tuple[list[Any], str]] = OrderedDict()


def _compute_topology(geoms: np.ndarray) -> dict[str, Any]:
    import topojson

    if len(geoms) == 0:
        return {
            "type": "Topology",
            "transform": {"scale": [_QUANTUM, _QUANTUM], "translate": [0.0, 0.0]},
            "objects": {"units": {"type": "GeometryCollection", "geometries": []}},
            "arcs": [],
        }
    frame = gpd.GeoDataFrame(geometry=list(geoms), crs="EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        topology = topojson.Topology(frame, prequantize=False, topology=True)  # type: ignore[attr-defined]
        raw = topology.to_dict()
    minx, miny = (float(v) for v in shapely.total_bounds(geoms)[:2])
    tx, ty = round(minx, 5), round(miny, 5)
    arcs = []
    for arc in raw["arcs"]:
        pts = np.asarray(arc, dtype=float)
        q = np.column_stack(
            [np.round((pts[:, 0] - tx) / _QUANTUM), np.round((pts[:, 1] - ty) / _QUANTUM)]
        ).astype(np.int64)
        keep = np.ones(len(q), dtype=bool)
        keep[1:] = np.any(np.diff(q, axis=0) != 0, axis=1)
        q = q[keep]
        if len(q) < 2:
            q = np.vstack([q, q[-1:]])
        delta = np.vstack([q[:1], np.diff(q, axis=0)])
        arcs.append(delta.tolist())
    members = next(iter(raw["objects"].values()))["geometries"]
    members = sorted(members, key=lambda g: int(g.get("id", 0)))
    geometries = [{"type": g["type"], "arcs": g.get("arcs", [])} for g in members]
    return {
        "type": "Topology",
        "transform": {"scale": [_QUANTUM, _QUANTUM], "translate": [tx, ty]},
        "objects": {"units": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }


def _arcs_json(arcs: list[Any]) -> str:
    """JSON of a cached topology's arcs, serialised once (they do not change per indicator)."""
    with _TOPO_LOCK:
        hit = _ARCS_JSON.get(id(arcs))
        if hit is not None and hit[0] is arcs:
            return hit[1]
    text = json.dumps(arcs, separators=(",", ":"))
    with _TOPO_LOCK:
        _ARCS_JSON[id(arcs)] = (arcs, text)
        while len(_ARCS_JSON) > _TOPO_CACHE_SIZE:
            _ARCS_JSON.popitem(last=False)
    return text


def _copy_topology(topo: dict[str, Any]) -> dict[str, Any]:
    """Return a copy whose per-unit geometries can take properties; arcs are shared, read-only."""
    geometries = [dict(g) for g in topo["objects"]["units"]["geometries"]]
    return {
        "type": "Topology",
        "transform": topo["transform"],
        "objects": {"units": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": topo["arcs"],
    }


class _ChoroplethLayer(MacroElement):
    """The units as one ``L.geoJSON`` layer, decoded from TopoJSON in the browser."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function (map) {
  var topo = {{ this.topology_json }};
  var styles = {{ this.styles_json }};
  var F = {{ this.fields_json }};
  var uid = "gb" + Math.random().toString(36).slice(2, 10);
  var t = topo.transform, arcs = [];
  topo.arcs.forEach(function (a) {
    var x = 0, y = 0, pts = [];
    a.forEach(function (p) {
      x += p[0]; y += p[1];
      pts.push([x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]]);
    });
    arcs.push(pts);
  });
  function ring(ids) {
    var pts = [];
    ids.forEach(function (i) {
      var a = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      pts = pts.length ? pts.concat(a.slice(1)) : pts.concat(a);
    });
    return pts;
  }
  var features = topo.objects.units.geometries.map(function (g) {
    var c = g.type === "Polygon" ? g.arcs.map(ring)
      : g.arcs.map(function (p) { return p.map(ring); });
    return {type: "Feature", properties: g.properties, geometry: {type: g.type, coordinates: c}};
  });
  function style(f) {
    var s = L.extend({}, styles[f.properties.s]);
    if (s.pattern) { s.fillColor = "url(#" + uid + s.pattern + ") " + s.fillColor; }
    delete s.pattern;
    return s;
  }
  function tip(p) {
    var h = "<strong>" + p.name + "</strong>";
    if (p.region) { h += "<br>" + F.region + ": " + p.region; }
    h += "<br>" + F.value + ": " + p.label;
    if (p.n !== null && p.n !== undefined) { h += "<br>" + F.n + ": " + p.n; }
    return h + "<br><small>" + F.code + " " + p.nis_code + "</small>";
  }
  var layer = L.geoJSON({type: "FeatureCollection", features: features}, {
    style: style,
    onEachFeature: function (f, l) {
      l.bindTooltip(tip(f.properties), {sticky: true});
      l.on("mouseover", function () { l.setStyle({weight: 2, color: "#252525"}); });
      l.on("mouseout", function () { layer.resetStyle(l); });
    }
  }).addTo(map);
  var box0 = map.getContainer(), plain = document.createElement("div");
  box0.style.background = "#ffffff";
  plain.innerHTML = {{ this.title_json }};  // escaped text: entities only, no markup
  box0.setAttribute("role", "region");
  box0.setAttribute("aria-label", plain.textContent || "map");
  var svg = map.getPanes().overlayPane.querySelector("svg");
  if (svg) {
    var NS = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(NS, "defs");
    [["diagonal", [[0, 6, 6, 0]]], ["cross", [[0, 6, 6, 0], [0, 0, 6, 6]]]].forEach(function (d) {
      var p = document.createElementNS(NS, "pattern");
      p.setAttribute("id", uid + d[0]);
      p.setAttribute("patternUnits", "userSpaceOnUse");
      p.setAttribute("width", "6"); p.setAttribute("height", "6");
      var bg = document.createElementNS(NS, "rect");
      bg.setAttribute("width", "6"); bg.setAttribute("height", "6");
      bg.setAttribute("fill", d[0] === "cross" ? "#ffffff" : "#f0f0f0");
      p.appendChild(bg);
      d[1].forEach(function (c) {
        var ln = document.createElementNS(NS, "line");
        ln.setAttribute("x1", c[0]); ln.setAttribute("y1", c[1]);
        ln.setAttribute("x2", c[2]); ln.setAttribute("y2", c[3]);
        ln.setAttribute("stroke", "#737373"); ln.setAttribute("stroke-width", "1");
        p.appendChild(ln);
      });
      defs.appendChild(p);
    });
    svg.insertBefore(defs, svg.firstChild);
  }
  map.attributionControl.setPrefix("Leaflet");
  var credit = {{ this.attribution_json }};
  if (credit) { map.attributionControl.addAttribution(credit); }
  function box(position, cls, content) {
    if (!content) { return; }
    var c = L.control({position: position});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "gb-box " + cls);
      d.style.cssText = "background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;" +
        "font:12px/1.35 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:22em";
      d.innerHTML = content;
      L.DomEvent.disableClickPropagation(d);
      return d;
    };
    c.addTo(map);
  }
  var title = {{ this.title_json }}, notice = {{ this.notice_json }};
  box("topright", "gb-title", title ? "<strong>" + title + "</strong>" : "");
  box("topleft", "gb-notice",
    notice ? "<strong style='color:#b35806'>" + notice + "</strong>" : "");
  box("bottomright", "gb-legend-box", {{ this.legend_json }});
  var css = document.createElement("style");
  css.textContent = ".leaflet-control-attribution{font-size:9px;line-height:1.3;max-width:60%}";
  document.head.appendChild(css);
  return layer;
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        *,
        topology: dict[str, Any],
        styles: list[dict[str, Any]],
        fields: dict[str, str],
        title: str,
        legend_html: str,
        notice: str,
        attribution: str,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "GeobaroChoropleth"
        rest = {key: value for key, value in topology.items() if key != "arcs"}
        head = _json_for_script(rest)
        self.topology_json = f'{head[:-1]},"arcs":{_arcs_json(topology["arcs"])}}}'
        self.styles_json = _json_for_script(styles)
        self.fields_json = _json_for_script(fields)
        self.title_json = _json_for_script(title)
        self.legend_json = _json_for_script(legend_html)
        self.notice_json = _json_for_script(notice)
        self.attribution_json = _json_for_script(attribution)
