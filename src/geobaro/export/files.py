"""Exports of what a user sees: standalone HTML map, PNG map, CSV table, GeoJSON data."""

from __future__ import annotations

import copy
import csv
import io
import logging
import textwrap
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geobaro.i18n import LANGS, t
from geobaro.maps.assets import apply_assets
from geobaro.maps.choropleth import (
    STATUS_STYLES,
    Classification,
    _drawable,
    _json_for_script,
    classify,
    status_style_of,
)
from geobaro.maps.legend import MARKED_OUTLINE
from geobaro.survey.normalize import neutralise_formula

if TYPE_CHECKING:
    import folium

    from geobaro.i18n import Lang

__all__ = [
    "export_csv",
    "export_geojson",
    "export_html",
    "export_png",
    "label_points",
]

log = logging.getLogger(__name__)

#: A spreadsheet cell starting with one of these is read as a formula (CSV injection).
_HATCHES = {"diagonal": "////", "cross": "xxxx"}
_PROJECTED = "EPSG:31370"


def export_html(fmap: folium.Map, *, title: str = "") -> bytes:
    """Return the map as one self-contained HTML page (Leaflet inlined, no CDN, UTF-8).

    The map itself is not changed: a copy is switched to inline assets and rendered.

    Parameters
    ----------
    fmap
        A map from `geobaro.maps.build_choropleth` (served or inline assets).
    title
        Text of the page's ``<title>`` (escaped).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> from geobaro.maps.choropleth import build_choropleth
    >>> units = gpd.GeoDataFrame({"nis_code": ["a"]}, geometry=[shapely.box(4, 50, 5, 51)],
    ...                          crs=4326)
    >>> fmap = build_choropleth(units, pd.DataFrame({"nis_code": ["a"], "value": [0.5]}),
    ...                         attribution="")
    >>> page = export_html(fmap, title="A & B")
    >>> b"/app/static/leaflet.js" in page, b"<title>A &amp; B</title>" in page
    (False, True)
    """
    import html as html_mod

    from branca.element import Element

    standalone = copy.deepcopy(fmap)
    apply_assets(standalone, "inline")
    root: Any = standalone.get_root()
    if title:
        root.header.add_child(
            Element(f"<title>{html_mod.escape(title)}</title>"), name="geobaro_title"
        )
    page: str = root.render()
    return page.encode("utf-8")


def export_png(  # noqa: PLR0913 - public API: one keyword-only option per text and size
    gdf_units: gpd.GeoDataFrame,
    values: pd.DataFrame,
    classification: Classification | None = None,
    *,
    title: str = "",
    subtitle: str = "",
    source: str = "",
    attribution: str | None = None,
    lang: Lang = "en",
    illustrative: bool = False,
    value_labels: bool = False,
    width_px: int = 1600,
    height_px: int = 1200,
    dpi: float | None = None,
) -> bytes:
    r"""Draw the map server-side (matplotlib) as a PNG of exactly ``width_px`` x ``height_px``.

    Same colours and status styles as the web map, a legend with counts, the title, a
    source line, the boundary attribution and, when ``illustrative``, the notice that the
    data are not the real survey responses. Units whose row has ``differs_from_belgium``
    (grouped shares of `geobaro.views.map_values`) get the web map's thick dark outline and
    a legend row saying their interval excludes Belgium's share.

    Parameters
    ----------
    gdf_units
        Units with ``nis_code`` and geometry (drawn in Belgian Lambert 72, EPSG:31370).
    values
        The values table of the map (see `geobaro.maps.choropleth`).
    classification
        The map's classification; computed from ``values`` (quantiles) when omitted.
    title, subtitle, source
        Texts above and below the map (drawn as plain text, never interpreted).
    attribution
        Boundary attribution; by default `geobaro.boundaries.attribution_text`.
    lang
        Language of the legend's status labels and of the notice.
    illustrative
        Print "Illustrative data — not the real survey responses".
    value_labels
        Write each shown value (``values["label"]``, rows with ``status == "ok"``) on its
        unit, as the published-figures map does (`geobaro.views.published`); units not
        published stay unlabelled.
    width_px, height_px, dpi
        Output size in pixels; resolution (default: 150 at 1600 px wide, scaled with the
        width so that the layout, and the text, keep their proportions at any size).

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely, io
    >>> units = gpd.GeoDataFrame({"nis_code": ["a", "b"]}, crs=4326,
    ...     geometry=[shapely.box(4, 50, 4.1, 50.1), shapely.box(4.1, 50, 4.2, 50.1)])
    >>> png = export_png(units, pd.DataFrame({"nis_code": ["a", "b"], "value": [0.1, 0.9]}),
    ...                  title="T", attribution="", width_px=400, height_px=300)
    >>> png[:8] == b"\x89PNG\r\n\x1a\n"
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    if width_px < 100 or height_px < 100:
        raise ValueError(f"image too small: {width_px} x {height_px} px (minimum 100 x 100)")
    if classification is None:
        kind = "sequential" if pd.api.types.is_numeric_dtype(values["value"]) else "categorical"
        classification = classify(values, kind=kind, lang=lang)  # type: ignore[arg-type]
    if attribution is None:
        from geobaro.maps.choropleth import _default_attribution

        attribution = _default_attribution(lang)

    if dpi is None:
        dpi = 150 * width_px / 1600
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    texts = _PngTexts(fig, canvas.get_renderer(), width_px, height_px, dpi)  # type: ignore[no-untyped-call]

    # texts first, stacked from the edges inwards, so the map gets the room left between them
    y_top = texts.put(0.975, title, top=True, size=15, fontweight="bold")
    y_top = texts.put(y_top, subtitle, top=True, size=10, color="#404040")
    y_bottom = 0.012
    if attribution:
        text = t("maps.boundaries", lang, attribution=attribution)
        y_bottom = texts.put(y_bottom, text, top=False, size=6.5, color="#555555")
    if source:
        y_bottom = texts.put(y_bottom, t("maps.source", lang, source=source), top=False, size=8)
    if illustrative:
        notice = t("maps.illustrative", lang)
        y_bottom = texts.put(
            y_bottom, notice, top=False, size=10, color="#b35806", fontweight="bold"
        )
    bottom, top = y_bottom + 0.01, y_top - 0.01
    ax = fig.add_axes((0.02, bottom, 0.66, max(top - bottom, 0.1)))
    ax.set_axis_off()
    ax.set_aspect("equal")
    _draw_units(ax, gdf_units, classification)
    marked = _draw_marks(ax, gdf_units, values)
    if value_labels:
        _draw_value_labels(ax, gdf_units, values, size=9)
    _draw_legend(fig, classification, lang, anchor_y=(bottom + top) / 2, marked=marked)

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def export_csv(df: pd.DataFrame, *, sep: str = ",") -> bytes:
    r"""Return a table as CSV for spreadsheets: UTF-8 with BOM, formulas neutralised.

    Text cells (and column names) starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return get a leading apostrophe, so Excel or LibreOffice shows them as text
    instead of running them (``=HYPERLINK(...)``). Numbers are written as numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> data = export_csv(pd.DataFrame({"name": ["=1+1", "Liège"], "share": [-0.5, 0.25]}))
    >>> data[:3] == b"\xef\xbb\xbf"
    True
    >>> data.decode("utf-8-sig").splitlines()
    ['name,share', "'=1+1,-0.5", 'Liège,0.25']
    """
    out = df.copy()
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            out[column] = series.map(lambda v: neutralise_formula(v) if isinstance(v, str) else v)
    text: str = out.to_csv(index=False, sep=sep, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return ("\ufeff" + text).encode("utf-8")


def export_geojson(gdf_units: gpd.GeoDataFrame, values: pd.DataFrame) -> bytes:
    """Return the units joined with their values as GeoJSON (EPSG:4326, UTF-8).

    Every unit is kept (units without values get nulls); value rows without a unit are
    dropped with a log message. ``<``, ``>`` and ``&`` are written as JSON escapes, so the
    file can be embedded in a page as it is.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely, json
    >>> units = gpd.GeoDataFrame({"nis_code": ["a", "b"]}, crs=4326,
    ...     geometry=[shapely.box(4, 50, 4.1, 50.1), shapely.box(4.1, 50, 4.2, 50.1)])
    >>> data = json.loads(export_geojson(units, pd.DataFrame({"nis_code": ["a"],
    ...                                                      "value": [0.4]})))
    >>> [f["properties"]["value"] for f in data["features"]]
    [0.4, None]
    """
    if "nis_code" not in gdf_units.columns or "nis_code" not in values.columns:
        raise ValueError("both gdf_units and values need a 'nis_code' column")
    gdf = gdf_units.to_crs("EPSG:4326") if gdf_units.crs is not None else gdf_units.copy()
    keep = [
        c
        for c in gdf.columns
        if c in {"nis_code", "region", "population", "area_km2"} or c.startswith("name_")
    ]
    gdf = gdf[[*keep, gdf.geometry.name]].copy()
    gdf["nis_code"] = gdf["nis_code"].astype(str)
    right = values.copy()
    right["nis_code"] = right["nis_code"].astype(str)
    right = right.drop(columns=[c for c in right.columns if c in keep and c != "nis_code"])
    unmatched = int((~right["nis_code"].isin(gdf["nis_code"])).sum())
    if unmatched:
        log.info("%d value rows have no unit and are left out of the GeoJSON", unmatched)
    joined = gdf.merge(right, on="nis_code", how="left")
    for column in joined.columns:
        if column != joined.geometry.name and joined[column].dtype.kind in "fc":
            joined[column] = joined[column].astype(object).where(joined[column].notna(), None)
    data = joined.__geo_interface__
    features = [
        {"type": "Feature", "properties": f["properties"], "geometry": f["geometry"]}
        for f in data["features"]
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return _json_for_script(_plain_json(collection)).encode("utf-8")


def _plain_json(obj: Any) -> Any:
    """Numpy scalars and tuples as JSON-ready Python values; NaN as null."""
    if isinstance(obj, dict):
        return {str(k): _plain_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain_json(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


class _PngTexts:
    """Lines of text stacked from the figure's edges inwards (wrapped to the width)."""

    def __init__(self, fig: Any, renderer: Any, width_px: int, height_px: int, dpi: float) -> None:
        self.fig, self.renderer = fig, renderer
        self.width_px, self.height_px, self.dpi = width_px, height_px, dpi

    def put(self, y: float, text: str, *, top: bool, size: float, **style: Any) -> float:
        """Draw ``text`` at ``y`` and return the next free ``y`` (inwards)."""
        if not text:
            return y
        chars = max(20, int(0.96 * self.width_px / (0.6 * size * self.dpi / 72)))
        wrapped = "\n".join(textwrap.fill(line, chars) for line in text.splitlines())
        obj = self.fig.text(
            0.02,
            y,
            wrapped,
            va="top" if top else "bottom",
            fontsize=size,
            parse_math=False,
            **style,
        )
        height = obj.get_window_extent(self.renderer).height / self.height_px + 0.008
        return float(y - height if top else y + height)


def _draw_units(ax: Any, gdf_units: gpd.GeoDataFrame, classification: Classification) -> None:
    """Draw the units in Belgian Lambert 72 with the map's colours and status styles."""
    gdf = gdf_units.loc[_drawable(gdf_units)]
    gdf = gdf.to_crs(_PROJECTED) if gdf.crs is not None else gdf
    codes = gdf["nis_code"].astype(str)
    colors = classification.colors.copy()
    colors.index = colors.index.astype(str)
    statuses = (
        classification.statuses.copy()
        if classification.statuses is not None
        else pd.Series("ok", index=colors.index)
    )
    statuses.index = statuses.index.astype(str)
    fill = colors.reindex(codes.to_numpy()).fillna(STATUS_STYLES["no_data"].fill).to_numpy()
    status = statuses.reindex(codes.to_numpy()).fillna("no_data").astype(str).to_numpy()
    for st, color in dict.fromkeys(zip(status, fill, strict=True)):
        part = gdf.loc[(status == st) & (fill == color)]
        style = STATUS_STYLES.get(st)
        if style is None:
            part.plot(ax=ax, facecolor=color, edgecolor="#ffffff", linewidth=0.25)
            continue
        part.plot(
            ax=ax,
            facecolor=style.fill,
            edgecolor=style.outline,
            linewidth=0.4,
            hatch=_HATCHES.get(style.hatch or ""),
            linestyle="--" if style.dashed else "-",
        )


def _draw_marks(ax: Any, gdf_units: gpd.GeoDataFrame, values: pd.DataFrame) -> bool:
    """Outline the units that differ from Belgium (as the web map does); tell if any."""
    if "differs_from_belgium" not in values.columns:
        return False
    differs = values["differs_from_belgium"].fillna(False).astype(bool)
    if "status" in values.columns:
        differs &= values["status"].eq("ok")
    codes = set(values.loc[differs, "nis_code"].astype(str))
    gdf = gdf_units.loc[_drawable(gdf_units) & gdf_units["nis_code"].astype(str).isin(codes)]
    if gdf.empty:
        return False
    gdf = gdf.to_crs(_PROJECTED) if gdf.crs is not None else gdf
    gdf.plot(ax=ax, facecolor="none", edgecolor=MARKED_OUTLINE, linewidth=1.6)
    return True


def label_points(gdf_units: gpd.GeoDataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Return where each shown value is written: ``nis_code``, ``label``, ``x``, ``y``.

    One row per unit whose value row has ``status == "ok"`` (every row when there is no
    ``status``), at a point inside the unit (Belgian Lambert 72, EPSG:31370).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> units = gpd.GeoDataFrame({"nis_code": ["a", "b"]}, crs=31370,
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> v = pd.DataFrame({"nis_code": ["a", "b"], "label": ["4.80/10", "not published"],
    ...                   "status": ["ok", "no_data"]})
    >>> label_points(units, v)[["nis_code", "label"]].values.tolist()
    [['a', '4.80/10']]
    """
    shown = values
    if "status" in values.columns:
        shown = values[values["status"].eq("ok")]
    texts = dict(zip(shown["nis_code"].astype(str), shown["label"].astype(str), strict=True))
    gdf = gdf_units.loc[_drawable(gdf_units) & gdf_units["nis_code"].astype(str).isin(texts)]
    gdf = gdf.to_crs(_PROJECTED) if gdf.crs is not None else gdf
    points = gdf.geometry.representative_point()
    codes = gdf["nis_code"].astype(str).tolist()
    return pd.DataFrame(
        {
            "nis_code": codes,
            "label": [texts[c] for c in codes],
            "x": points.x.to_numpy(),
            "y": points.y.to_numpy(),
        }
    )


def _draw_value_labels(
    ax: Any, gdf_units: gpd.GeoDataFrame, values: pd.DataFrame, *, size: float
) -> None:
    """Write the values on their units in boxes like the web map's (never as mathtext)."""
    if "label" not in values.columns:
        raise ValueError("value_labels needs a 'label' column in values (the text to write)")
    box = {"boxstyle": "round,pad=0.25", "facecolor": "white", "alpha": 0.88,
           "edgecolor": "#525252", "linewidth": 0.6}  # fmt: skip
    for row in label_points(gdf_units, values).itertuples(index=False):
        ax.text(
            row.x, row.y, row.label, ha="center", va="center", fontsize=size,
            fontweight="bold", color="#111111", bbox=box, parse_math=False, zorder=5,
        )  # fmt: skip


def _draw_legend(
    fig: Any, classification: Classification, lang: Lang, *, anchor_y: float, marked: bool = False
) -> None:
    """Draw the legend (swatch, label, count) right of the map; the marks' row if ``marked``."""
    from matplotlib.patches import Patch

    handles = []
    for entry in classification.legend:
        style = status_style_of(entry)
        handles.append(
            Patch(
                facecolor=entry.color,
                edgecolor=style.outline if style else "#bdbdbd",
                hatch=_HATCHES.get(style.hatch or "") if style else None,
                linestyle="--" if style and style.dashed else "-",
                label=f"{entry.label} ({entry.count})",
            )
        )
    if marked:
        handles.append(
            Patch(
                facecolor="#ffffff",
                edgecolor=MARKED_OUTLINE,
                linewidth=1.6,
                label=t("stats.differs.legend", lang),
            )
        )
    if not handles:
        return
    legend = fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.70, anchor_y),
        frameon=False,
        fontsize=9,
        title=t("maps.legend.title", lang),
        title_fontsize=10,
        alignment="left",
    )
    for text_obj in [*legend.get_texts(), legend.get_title()]:
        text_obj.set_parse_math(False)  # data text is never mathtext
