"""The choropleth map: units coloured by their class on a Leaflet map that loads no CDN.

`build_choropleth` draws a values table (see `geobaro.maps.classify`) over the units as a
`folium.Map`: the geometry goes to the browser as TopoJSON (`geobaro.maps.topology`), the
layer's script is the package resource ``choropleth.js``, the legend is
`geobaro.maps.legend.render_legend`. Each call builds a new map that nothing else holds, so
maps can be built and rendered in parallel; `render_html` gives the page as a string to cache.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, TypeAlias

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

from geobaro.i18n import format_number, format_share, region_name, t, unit_name
from geobaro.maps.assets import DEFAULT_PREFIX, apply_assets
from geobaro.maps.classify import (
    CATEGORY_COLORS,
    SCHEMES,
    STATUSES,
    Classification,
    LegendEntry,
    MapKind,
    Scheme,
    Status,
    answer_label,
    classify,
    normalize_values,
)
from geobaro.maps.legend import (
    HATCH_STEP,
    MARKED_OUTLINE,
    MARKED_WEIGHT,
    STATUS_STYLES,
    StatusStyle,
    render_legend,
    status_style_of,
)
from geobaro.maps.topology import arcs_json, build_topology
from geobaro.vocabulary import ASSET_MODES, LANGS, AssetMode, Lang

__all__ = [
    "CATEGORY_COLORS",
    "SCHEMES",
    "STATUSES",
    "STATUS_STYLES",
    "Classification",
    "LegendEntry",
    "MapKind",
    "MapOptions",
    "Scheme",
    "Status",
    "StatusStyle",
    "build_choropleth",
    "build_topology",
    "classify",
    "render_html",
    "status_style_of",
]

log = logging.getLogger(__name__)

Bounds = tuple[float, float, float, float]
#: What a map can be fitted to: units (their bounds) or ``(minx, miny, maxx, maxy)``.
FitTarget: TypeAlias = Bounds | Sequence[float] | gpd.GeoDataFrame | gpd.GeoSeries

_OUTLINE = "#ffffff"
_TRANSPARENT_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_BELGIUM: Bounds = (2.5, 49.5, 6.4, 51.5)
_FIT_MARGIN = 8  # pixels between the data and the frame or a control
_HIGHLIGHT = "#111111"
#: Options of `classify` that `build_choropleth` passes on when it classifies itself.
_CLASSIFY_OPTIONS = ("scheme", "k", "breaks", "bins")


@dataclass(frozen=True, kw_only=True)
class MapOptions:
    """How a choropleth is drawn (everything but the data and its classes).

    Frozen and hashable: a request can hold one, and a cache can key on it.

    Attributes
    ----------
    lang
        Language of names, tooltips, notice and legend.
    title
        Shown at the top right of the map (escaped).
    tiles
        Draw OpenStreetMap tiles under the shapes. Off by default: the map reads well on its
        plain background, and a tile that fails to load leaves the background, not a hole.
    fit_to
        Zoom to these units (a GeoDataFrame/GeoSeries, stored as its bounds) or bounds
        ``(minx, miny, maxx, maxy)`` in EPSG:4326; by default all the units drawn.
    assets
        ``served`` (default, for the app): Leaflet is loaded from ``static_prefix``, where the
        app serves the files copied by `geobaro.maps.assets.install_static_assets`.
        ``inline``: Leaflet is embedded, for a self-contained page
        (`geobaro.export.export_html`).
    static_prefix
        URL prefix of the served files (Streamlit static serving: ``/app/static``).
    legend
        Draw the legend (with counts) inside the map.
    illustrative
        Show the notice that the data are illustrative, not the real survey responses.
    attribution
        Boundary attribution shown in the attribution control; by default
        `geobaro.data.boundaries.attribution_text`. Escaped.
    height
        Height of the map element (pixels or CSS length).
    highlight
        ``nis_code`` of a unit to outline (the commune of a profile); unless ``fit_to`` is
        given, the map opens on it and its neighbours.
    marked, marked_label
        ``nis_code`` of units drawn with a thick dark outline (e.g. groups that differ from
        Belgium), and the legend row that says what the outline means (shown when some unit
        is marked). Codes absent from the map are ignored.
    legend_note
        One line of small text under the legend (e.g. which estimate the map shows).

    Examples
    --------
    >>> MapOptions(lang="nl", fit_to=(4.0, 50.0, 5.0, 51.0)).fit_to
    (4.0, 50.0, 5.0, 51.0)
    >>> MapOptions(lang="xx")
    Traceback (most recent call last):
    ...
    ValueError: unknown language 'xx'; allowed: fr, nl, en, de
    """

    lang: Lang = "en"
    title: str = ""
    tiles: bool = False
    fit_to: FitTarget | None = None
    assets: AssetMode = "served"
    static_prefix: str = DEFAULT_PREFIX
    legend: bool = True
    illustrative: bool = False
    attribution: str | None = None
    height: int | str = "100%"
    highlight: str | None = None
    marked: tuple[str, ...] = ()
    marked_label: str = ""
    legend_note: str = ""

    def __post_init__(self) -> None:
        # any iterable of codes is kept as a tuple of strings: the options stay hashable
        object.__setattr__(self, "marked", tuple(str(c) for c in self.marked))
        if self.lang not in LANGS:
            raise ValueError(f"unknown language {self.lang!r}; allowed: {', '.join(LANGS)}")
        if self.assets not in ASSET_MODES:
            allowed = ", ".join(ASSET_MODES)
            raise ValueError(f"unknown asset mode {self.assets!r}; allowed: {allowed}")
        if self.fit_to is not None:
            # a frame or series is kept as its bounds: the options stay small and hashable
            object.__setattr__(self, "fit_to", _bounds(self.fit_to))


def build_choropleth(
    gdf_units: gpd.GeoDataFrame,
    values: pd.DataFrame,
    classification: Classification | None = None,
    *,
    kind: MapKind = "sequential",
    options: MapOptions | None = None,
    **keywords: Any,
) -> folium.Map:
    r"""Draw a choropleth of ``values`` over ``gdf_units`` as a Leaflet map with no CDN.

    Parameters
    ----------
    gdf_units
        Units with ``nis_code``, name columns (``name_fr`` ...), ``region`` and geometry
        (the web geometry of `geobaro.data.boundaries.load_units`; other CRSs are
        reprojected). Missing and empty shapes are left out.
    values
        Values per unit (see `geobaro.maps.classify`). Units without a row are drawn as
        ``no_data``.
    classification
        A ready `Classification` (e.g. shared by panels); else one is computed by `classify`
        with ``kind`` and the keywords ``scheme``, ``k``, ``breaks`` and ``bins``.
    kind
        ``sequential`` or ``categorical``, when ``classification`` is not given.
    options
        How the map is drawn (`MapOptions`); default ``MapOptions()``.
    **keywords
        Fields of `MapOptions` (``lang=``, ``title=``, ``fit_to=`` ...) override those of
        ``options``; ``scheme``, ``k``, ``breaks``, ``bins`` go to `classify`.

    Returns
    -------
    folium.Map
        A new map, shared with nothing: render it with `render_html` or give it to
        the app's map frame (`geobaro.app.draw`). Each feature's properties carry ``nis_code`` (for
        click handling), ``name``, ``label`` and ``n``.

    Raises
    ------
    ValueError
        For units without ``nis_code`` or CRS, repeated codes, a bad values table or options.
    TypeError
        For a keyword that is neither a `MapOptions` field nor a `classify` option.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> units = gpd.GeoDataFrame({"nis_code": ["a", "b"], "name_en": ["A", "<b>B</b>"],
    ...                           "region": ["Flanders", "Wallonia"]},
    ...                          geometry=[shapely.box(4, 50, 4.1, 50.1),
    ...                                    shapely.box(4.1, 50, 4.2, 50.1)], crs=4326)
    >>> v = pd.DataFrame({"nis_code": ["a", "b"], "value": [0.2, 0.7], "n": [3, 4]})
    >>> page = render_html(build_choropleth(units, v, k=2, attribution="test"))
    >>> "\\u0026lt;b\\u0026gt;B" in page, "<b>B" in page
    (True, False)
    """
    opts, classify_options = _resolve_options(options, keywords)
    gdf, codes = _drawable_units(gdf_units)
    map_kind = classification.kind if classification is not None else kind
    frame = _align(normalize_values(values, map_kind), codes)
    if classification is None:
        classification = classify(frame, kind=map_kind, lang=opts.lang, **classify_options)
    topology = _feature_topology(gdf, codes, frame, classification, opts.lang)
    fit = _fit_bounds(gdf, codes, opts)
    minx, miny, maxx, maxy = fit
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=8,
        tiles=None,
        height=opts.height,
        prefer_canvas=False,
        zoomSnap=0.25,
    )
    apply_assets(fmap, opts.assets, prefix=opts.static_prefix)
    if opts.tiles:
        folium.TileLayer(
            _OSM_URL,
            attr=html.escape(t("maps.tiles", opts.lang)),
            name="OpenStreetMap",
            max_zoom=19,
            errorTileUrl=_TRANSPARENT_GIF,
        ).add_to(fmap)
    # the layer's script fits the map to ``fit`` (at any frame size), clear of its controls
    _ChoroplethLayer(_layer_config(topology, classification, opts, fit)).add_to(fmap)
    return fmap


def render_html(fmap: folium.Map) -> str:
    """Return the whole page of a map as a string (for a cache, an ``iframe`` or a file).

    Rendering does not change what the map draws; the string can be kept and served to any
    number of sessions.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> units = gpd.GeoDataFrame({"nis_code": ["a"]}, geometry=[shapely.box(4, 50, 5, 51)],
    ...                          crs=4326)
    >>> page = render_html(build_choropleth(units, pd.DataFrame({"nis_code": ["a"],
    ...                                                          "value": [1.0]}),
    ...                                     attribution=""))
    >>> page.startswith("<!DOCTYPE html>"), "geobaroChoropleth(" in page
    (True, True)
    """
    return str(fmap.get_root().render())


# --- options and units -------------------------------------------------------------------------


def _resolve_options(
    options: MapOptions | None, keywords: dict[str, Any]
) -> tuple[MapOptions, dict[str, Any]]:
    """Split the keywords of `build_choropleth` into map options and `classify` options."""
    fields = {f.name for f in dataclasses.fields(MapOptions)}
    unknown = sorted(set(keywords) - fields - set(_CLASSIFY_OPTIONS))
    if unknown:
        allowed = ", ".join([*sorted(fields), *_CLASSIFY_OPTIONS])
        raise TypeError(
            f"build_choropleth() got unexpected keywords {', '.join(unknown)}; allowed: {allowed}"
        )
    base = options if options is not None else MapOptions()
    opts = dataclasses.replace(base, **{k: v for k, v in keywords.items() if k in fields})
    return opts, {k: v for k, v in keywords.items() if k in _CLASSIFY_OPTIONS}


def _drawable_units(gdf_units: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Return the units that can be drawn, in EPSG:4326, and their codes (checked unique)."""
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
    return gdf, codes


def _fit_bounds(gdf: gpd.GeoDataFrame, codes: pd.Series, opts: MapOptions) -> Bounds:
    """Return what the map opens on: ``fit_to``, else the highlighted unit in context, else all."""
    if opts.fit_to is not None:
        return _bounds(opts.fit_to)
    if opts.highlight is not None:
        chosen = gdf.loc[codes.eq(str(opts.highlight)).to_numpy()]
        if len(chosen):
            minx, miny, maxx, maxy = _bounds(chosen)
            # the unit with its neighbours: its own size again on each side (0.05° at least)
            pad = max(maxx - minx, maxy - miny, 0.05)
            return minx - pad, miny - pad, maxx + pad, maxy + pad
        warnings.warn(
            f"highlight: no unit with nis_code {opts.highlight} on the map; nothing outlined",
            UserWarning,
            stacklevel=4,
        )
    return _bounds(gdf)


def _layer_config(
    topology: dict[str, Any], classification: Classification, opts: MapOptions, fit: Bounds
) -> dict[str, Any]:
    """Return what the layer's script gets: topology, styles, patterns, texts (escaped)."""
    lang = opts.lang
    attribution = opts.attribution
    if attribution is None:
        attribution = _default_attribution(lang)
    return {
        "topology": topology,
        "styles": [
            # see-through over a base map, opaque (as the legend and PNG) without one
            {**style, "fillOpacity": 0.75} if opts.tiles else style
            for style in topology.pop("_styles")
        ],
        "patterns": _patterns(),
        "hatchStep": HATCH_STEP,
        "fields": {
            "code": html.escape(t("maps.tooltip.code", lang)),
            "region": html.escape(t("maps.tooltip.region", lang)),
            "value": html.escape(t("maps.tooltip.value", lang)),
            "n": html.escape(t("maps.tooltip.n", lang)),
        },
        "title": html.escape(opts.title),
        "legend": render_legend(
            classification,
            lang=lang,
            marked=opts.marked_label if opts.marked else None,
            note=opts.legend_note or None,
        )
        if opts.legend
        else "",
        "notice": html.escape(t("maps.illustrative", lang)) if opts.illustrative else "",
        "attribution": html.escape(attribution),
        "fit": list(fit),
        "height": opts.height if isinstance(opts.height, str) else f"{int(opts.height)}px",
        "margin": _FIT_MARGIN,
        "highlight": html.escape(str(opts.highlight)) if opts.highlight is not None else "",
        "highlightStyle": {"color": _HIGHLIGHT, "weight": 3, "dashArray": None},
        "marked": [html.escape(code) for code in opts.marked],
        "markedStyle": {"color": MARKED_OUTLINE, "weight": MARKED_WEIGHT, "dashArray": None},
    }


def _patterns() -> list[dict[str, Any]]:
    """Return the SVG hatch patterns of the statuses, from their styles (as in the legend)."""
    step = HATCH_STEP
    lines = {"diagonal": [[0, step, step, 0]], "cross": [[0, step, step, 0], [0, 0, step, step]]}
    out = []
    for style in STATUS_STYLES.values():
        if style.hatch is not None:
            out.append(
                {
                    "name": style.hatch,
                    "fill": style.fill,
                    "stroke": style.outline,
                    "lines": lines[style.hatch],
                }
            )
    return out


# --- features ----------------------------------------------------------------------------------


def _align(frame: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Values in the order of the units; units without a row get ``no_data``."""
    known = set(frame["nis_code"])
    unmatched = sorted(known - set(codes))
    if unmatched:
        shown = ", ".join(unmatched[:5]) + (" ..." if len(unmatched) > 5 else "")
        warnings.warn(
            f"{len(unmatched)} value rows have no unit (or no shape) on the map and are not drawn "
            f"(nis_code {shown})",
            UserWarning,
            stacklevel=3,
        )
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
        return class_label or answer_label(value, lang)
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


def _bounds(target: FitTarget) -> Bounds:
    """Bounds ``(minx, miny, maxx, maxy)`` in EPSG:4326 of units or of given bounds."""
    if isinstance(target, gpd.GeoDataFrame | gpd.GeoSeries):
        if target.crs is not None and not target.crs.equals("EPSG:4326"):
            target = target.to_crs("EPSG:4326")
        if len(target) == 0:
            return _BELGIUM
        minx, miny, maxx, maxy = (float(v) for v in target.total_bounds)
        return minx, miny, maxx, maxy
    values = [float(v) for v in target]
    if len(values) != 4:
        raise ValueError("fit_to bounds must be (minx, miny, maxx, maxy)")
    return values[0], values[1], values[2], values[3]


def _default_attribution(lang: Lang) -> str:
    from geobaro.data.boundaries import attribution_text

    try:
        return attribution_text(lang=lang)
    except Exception as exc:
        log.warning("no boundary attribution: %s", exc)
        return ""


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script>`` (Jinja's ``htmlsafe_json_dumps``), compact."""
    text = str(
        htmlsafe_json_dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    )
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@lru_cache(maxsize=1)
def _layer_script() -> str:
    """Return the layer's JavaScript, read once from the package resource ``choropleth.js``."""
    return resources.files("geobaro.maps").joinpath("choropleth.js").read_text(encoding="utf-8")


class _ChoroplethLayer(MacroElement):
    """The units as one ``L.geoJSON`` layer, decoded from TopoJSON in the browser."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this.script }}
var {{ this.get_name() }} = geobaroChoropleth(
  {{ this._parent.get_name() }}, {{ this.config_json }});
{% endmacro %}
"""
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "GeobaroChoropleth"
        self.script = _layer_script()
        topology = config["topology"]
        rest = {key: value for key, value in topology.items() if key != "arcs"}
        head = _json_for_script(rest)
        topology_json = f'{head[:-1]},"arcs":{arcs_json(topology["arcs"])}}}'
        others = _json_for_script({k: v for k, v in config.items() if k != "topology"})
        self.config_json = f'{{"topology":{topology_json},{others[1:]}'
