"""The published-figures view: one wave's figure mapped at the level its source gives.

Every number shown is a row of ``barometer_figures.csv`` with its source and locator. Units
the source gives no figure for are drawn as *not published* (the neutral ``no_data`` style),
never as zero; regions a Walloon barometer did not ask are *not surveyed* (the ``not_reached``
style). Each value is written on its unit.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import branca.element
import folium
import numpy as np
import pandas as pd

from geobaro._units import PROVINCE_NAMES
from geobaro.i18n import format_integer, format_number, format_share, region_name, t, unit_name
from geobaro.maps import STATUS_STYLES, Classification, build_choropleth, classify, render_legend
from geobaro.published import MAP_LEVELS, WAVES, find_conflicts, group_nis_code, locate_figures
from geobaro.views.common import _framing, _map_html
from geobaro.vocabulary import LANG_INDEX, REGIONS

if TYPE_CHECKING:
    import geopandas as gpd

    from geobaro.vocabulary import Lang, Level

__all__ = [
    "DEFAULT_INDICATOR",
    "DEFAULT_WAVE",
    "PublishedRequest",
    "PublishedResult",
    "format_figure",
    "group_label",
    "list_published_choices",
    "published_label",
    "render_published",
    "resolve_published_request",
    "wave_label",
]

#: The view opens on the 2018 Belgian progress score, the figure with the finest breakdown.
DEFAULT_WAVE = "2018-BE"
DEFAULT_INDICATOR = "progress_score_mean"
_SIZE_GROUPS = {"small": "small", "large (OECD)": "large", "large (9 largest cities)": "large"}


@dataclass(frozen=True)
class PublishedRequest:
    """One published figure of one wave, mapped at one level.

    Attributes
    ----------
    wave
        A wave of `geobaro.published.WAVES` (``2018-BE``).
    indicator
        An indicator of ``barometer_figures.csv`` that the wave breaks down by place.
    level
        ``region`` or ``province``: the breakdown of the source.
    lang
        Language of names, labels and legend.
    standalone
        Make the map complete on its own (title, legend, full attribution), for exports and
        static pages; the app passes ``False`` and shows those beside the map.
    """

    wave: str = DEFAULT_WAVE
    indicator: str = DEFAULT_INDICATOR
    level: Level = "region"
    lang: Lang = "en"
    standalone: bool = True

    def to_params(self) -> dict[str, str]:
        """Return the query string of this view.

        Examples
        --------
        >>> PublishedRequest(level="province").to_params()["level"]
        'province'
        """
        return {
            "view": "published",
            "wave": self.wave,
            "indicator": self.indicator,
            "level": self.level,
            "lang": self.lang,
        }


@dataclass(frozen=True, eq=False)
class PublishedResult:
    """A published figure on a map, with its legend, table and sources.

    Attributes
    ----------
    map
        The Leaflet map: units coloured by value, each value written on its unit.
    legend_html
        The legend (`geobaro.maps.render_legend`) with the statuses named *not published*
        and *not surveyed*.
    values
        The map values (``nis_code``, ``value``, ``n``, ``status``, ``label``).
    table
        One row per unit: ``nis_code``, ``place`` (its name), ``value`` (as published, NaN when not
        published), ``text``, ``status`` (translated), ``source_url``, ``locator``, ``note``.
    sources
        The distinct ``source_url`` and ``locator`` of the mapped figures.
    others
        The same figure for groups without a unit (Belgium, rural/urban), with sources.
    unmapped
        Every figure of the wave without a geographic breakdown, with its source.
    conflicts
        Figures of the wave that sources give with different values, side by side.
    source_line
        "Source: ..." as one line of text (for the PNG export and the page).
    html
        The map rendered as one HTML page (what the app and the site cache and show).
    """

    request: PublishedRequest
    map: folium.Map
    classification: Classification
    legend_html: str
    values: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    sources: pd.DataFrame = field(repr=False)
    others: pd.DataFrame = field(repr=False)
    unmapped: pd.DataFrame = field(repr=False)
    conflicts: pd.DataFrame = field(repr=False)
    title: str = ""
    source_line: str = ""
    gdf_units: gpd.GeoDataFrame | None = field(default=None, repr=False)
    html: str = field(default="", repr=False)

    @property
    def sources_text(self) -> str:
        """Return the sources as one line without its "Source:" label (for the PNG export)."""
        return _sources_text(self.sources)


def list_published_choices(figures: pd.DataFrame) -> dict[str, dict[str, tuple[Level, ...]]]:
    """Return wave -> indicator -> map levels, for every figure with a geographic breakdown.

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> choices = list_published_choices(load_published())
    >>> choices["2018-BE"]["progress_score_mean"]
    ('region', 'province')
    >>> choices["2021-WAL"]["progress_score_mean"]
    ('region',)
    """
    located = locate_figures(figures)
    located = located[located["level"] != ""]
    out: dict[str, dict[str, tuple[Level, ...]]] = {}
    for wave in WAVES:
        part = located[located["wave"] == wave]
        if part.empty:
            continue
        out[wave] = {
            indicator: tuple(lv for lv in MAP_LEVELS if lv in set(rows["level"]))
            for indicator, rows in part.groupby("indicator", sort=True)
        }
    return out


def resolve_published_request(
    request: PublishedRequest, figures: pd.DataFrame
) -> tuple[PublishedRequest, tuple[str, ...]]:
    """Return the nearest request that has a map, and what was changed (for a URL's values).

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> fixed, notes = resolve_published_request(
    ...     PublishedRequest(wave="2021-WAL", level="province"), load_published())
    >>> fixed.wave, fixed.indicator, fixed.level, notes
    ('2021-WAL', 'progress_score_mean', 'region', ('level',))
    """
    choices = list_published_choices(figures)
    changed: list[str] = []
    wave, indicator, level = request.wave, request.indicator, request.level
    if wave not in choices:
        wave = DEFAULT_WAVE if DEFAULT_WAVE in choices else next(iter(choices))
        changed.append("wave")
    if indicator not in choices[wave]:
        indicator = DEFAULT_INDICATOR if DEFAULT_INDICATOR in choices[wave] else min(choices[wave])
        changed.append("indicator")
    levels = choices[wave][indicator]
    if level not in levels:
        level = levels[0]
        changed.append("level")
    fixed = PublishedRequest(wave, indicator, level, request.lang, request.standalone)
    return fixed, tuple(changed)


def render_published(
    request: PublishedRequest,
    figures: pd.DataFrame,
    *,
    gdf_units: gpd.GeoDataFrame,
) -> PublishedResult:
    """Build the published-figures view: map with values on the units, legend, table, sources.

    Parameters
    ----------
    request
        What to show; it must name a figure with that breakdown (`resolve_published_request`).
    figures
        `geobaro.published.load_published` rows.
    gdf_units
        Web geometry of ``request.level`` (2018 vintage), loaded by the caller
        (``load_units(level=request.level, web=True)``).

    Raises
    ------
    ValueError
        If the wave does not break the figure down by ``request.level``.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.published import load_published
    >>> view = render_published(PublishedRequest(level="province"), load_published(),
    ...                         gdf_units=load_units(level="province", web=True))
    >>> view.values["status"].value_counts().to_dict()
    {'no_data': 6, 'ok': 5}
    >>> view.table.dropna(subset=["value"])["text"].tolist()
    ['4.42/10', '3.00/10', '4.29/10', '4.80/10', '2.68/10']
    """
    lang = request.lang
    located = locate_figures(figures)
    wave_rows = located[located["wave"] == request.wave]
    rows = wave_rows[
        (wave_rows["indicator"] == request.indicator) & (wave_rows["level"] == request.level)
    ]
    if rows.empty:
        raise ValueError(
            f"{request.wave} gives no {request.indicator} figure by {request.level}; "
            "see list_published_choices"
        )
    values = _map_values(rows, gdf_units, request)
    classification = _classify(values, lang)
    legend_html = _legend(
        classification, lang, t("published.legend.title", lang, wave=wave_label(request.wave, lang))
    )
    title = f"{published_label(request.indicator, lang)} — {wave_label(request.wave, lang)}"
    sources = rows[["source_url", "locator"]].drop_duplicates().reset_index(drop=True)
    source_line = t("published.source_line", lang, sources=_sources_text(sources))
    fmap = build_choropleth(
        gdf_units,
        values,
        classification=classification,
        kind="sequential",
        lang=lang,
        **{**_framing(request.standalone, title, lang), "legend": False},
    )
    _add_value_labels(fmap, gdf_units, values)
    if request.standalone:
        _add_box(fmap, legend_html, corner="top:84px;right:10px")
        _add_box(fmap, html.escape(source_line), corner="top:10px;left:56px;max-width:40%")
    return PublishedResult(
        request=request,
        map=fmap,
        classification=classification,
        legend_html=legend_html,
        values=values,
        table=_table(values, rows, gdf_units, lang),
        sources=sources,
        others=_figure_rows(
            wave_rows[(wave_rows["indicator"] == request.indicator) & (wave_rows["level"] == "")],
            lang,
        ),
        unmapped=_figure_rows(_without_place(wave_rows), lang),
        conflicts=_figure_rows(find_conflicts(figures).query("wave == @request.wave"), lang),
        title=title,
        source_line=source_line,
        gdf_units=gdf_units,
        html=_map_html(fmap),
    )


def published_label(indicator: str, lang: Lang = "en") -> str:
    """Return the label of a published indicator (its id, made readable, if none is known).

    Examples
    --------
    >>> published_label("progress_score_mean", "fr")
    'Score moyen d’avancement (auto-évaluation, sur 10)'
    >>> published_label("some_new_figure", "en")
    'some new figure'
    """
    key = f"published.indicator.{indicator}"
    text = t(key, lang)
    return indicator.replace("_", " ") if text == key else text


def wave_label(wave: str, lang: Lang = "en") -> str:
    """Return the name of a wave.

    Examples
    --------
    >>> wave_label("2018-WAL", "nl")
    'Waalse barometer 2018'
    """
    key = f"published.wave.{wave}"
    text = t(key, lang)
    return wave if text == key else text


def group_label(group: str, lang: Lang = "en") -> str:
    """Return the name of a published group (Belgium, a region, a province, rural ...).

    Examples
    --------
    >>> group_label("Liege", "nl"), group_label("rural", "de"), group_label("Wallonia", "fr")
    ('Luik', 'ländlich', 'Région wallonne')
    """
    code = group_nis_code(group)
    if group in REGIONS:
        return region_name(group, lang)
    if code in PROVINCE_NAMES:
        return PROVINCE_NAMES[code][LANG_INDEX[lang]]
    key = f"published.group.{_SIZE_GROUPS.get(group, group)}"
    text = t(key, lang)
    return group if text == key else text


def format_figure(value: float, unit: str, lang: Lang = "en") -> str:
    """Write a published figure in its unit.

    Examples
    --------
    >>> format_figure(45, "percent", "en"), format_figure(3.64, "score_0_10", "nl")
    ('45%', '3,64/10')
    >>> format_figure(113, "count", "en"), format_figure(1, "rank", "en")
    ('113', '#1')
    """
    if unit == "percent":
        return format_share(value / 100, lang, decimals=0 if float(value).is_integer() else 1)
    if unit == "score_0_10":
        return t("published.unit.score", lang, value=format_number(value, lang, decimals=2))
    if unit == "rank":
        return t("published.unit.rank", lang, value=format_integer(value, lang))
    if unit == "minutes":
        return t("published.unit.minutes", lang, value=format_integer(value, lang))
    return format_integer(value, lang)


# --- private helpers -------------------------------------------------------------------------


def _map_values(
    rows: pd.DataFrame, gdf_units: gpd.GeoDataFrame, request: PublishedRequest
) -> pd.DataFrame:
    """One row per unit: the published value (a share in [0, 1] for percents) or a status."""
    lang = request.lang
    by_code = {str(r.nis_code): r for r in rows.itertuples(index=False)}
    asked = set(WAVES[request.wave].regions)
    out = []
    for code, region in zip(
        gdf_units["nis_code"].astype(str), gdf_units["region"].astype(str), strict=True
    ):
        row = by_code.get(code)
        if row is not None:
            value = float(row.value) / 100 if row.unit == "percent" else float(row.value)
            text = format_figure(float(row.value), str(row.unit), lang)
            out.append((code, value, row.base_n, "ok", text))
        elif region in asked:
            out.append((code, np.nan, pd.NA, "no_data", t("published.status.no_data", lang)))
        else:
            label = t("published.status.not_reached", lang)
            out.append((code, np.nan, pd.NA, "not_reached", label))
    values = pd.DataFrame(out, columns=["nis_code", "value", "n", "status", "label"])
    values["n"] = pd.array(values["n"], dtype="Int64")
    return values


def _classify(values: pd.DataFrame, lang: Lang) -> Classification:
    ok = values.loc[values["status"] == "ok", "value"].astype(float)
    k = max(1, min(4, int(ok.nunique())))
    classification = classify(values, kind="sequential", scheme="equal_interval", k=k, lang=lang)
    return _relabel(classification, values, lang)


def _relabel(
    classification: Classification,
    values: pd.DataFrame,
    lang: Lang,
    names: dict[str, str] | None = None,
) -> Classification:
    """Return the classification with its status entries named for published figures.

    The PNG export and tables read these labels (the web legend is relabelled by `_legend`).
    """
    names = names or _status_names(lang)
    by_color = {STATUS_STYLES[s].fill: n for s, n in names.items()}
    shown = values.loc[values["status"] == "ok", "label"].unique()
    legend = []
    for entry in classification.legend:
        if entry.kind == "status" and entry.color in by_color:
            legend.append(replace(entry, label=by_color[entry.color]))
        elif entry.kind == "class" and len(shown) == 1:
            legend.append(replace(entry, label=str(shown[0])))
        else:
            legend.append(entry)
    statuses = values.set_index("nis_code")["status"]
    labels = classification.labels.copy()
    for status, name in names.items():
        labels[statuses.reindex(labels.index).eq(status).to_numpy()] = name
    return replace(classification, legend=tuple(legend), labels=labels)


def _legend(
    classification: Classification, lang: Lang, title: str, names: dict[str, str] | None = None
) -> str:
    """Return the maps package's legend, its status rows named for published figures.

    Class rows read the classification's labels (`_relabel`: a lone value reads as published).
    """
    names = names or _status_names(lang)
    return render_legend(classification, lang=lang, title=title, status_labels=names)


def _status_names(lang: Lang) -> dict[str, str]:
    return {
        "no_data": t("published.status.no_data", lang),
        "not_reached": t("published.status.not_reached", lang),
    }


def _add_value_labels(fmap: folium.Map, gdf_units: gpd.GeoDataFrame, values: pd.DataFrame) -> None:
    """Write each published value on its unit, at a point inside it."""
    shown = values[values["status"] == "ok"].set_index("nis_code")
    units = gdf_units[gdf_units["nis_code"].astype(str).isin(shown.index)]
    if units.empty:
        return
    points = units.to_crs(31370).representative_point().to_crs(4326)
    for code, point in zip(units["nis_code"].astype(str), points, strict=True):
        text = html.escape(str(shown.at[code, "label"]))
        folium.Marker(
            location=[point.y, point.x],
            icon=folium.DivIcon(
                html=(
                    f'<span class="gb-value-label" data-nis="{html.escape(code)}" '
                    'style="display:inline-block;transform:translate(-50%,-50%);'
                    "background:rgba(255,255,255,.88);border:1px solid #525252;border-radius:3px;"
                    'padding:1px 4px;font:600 12px/1.3 sans-serif;color:#111;white-space:nowrap">'
                    f"{text}</span>"
                ),
                icon_size=(0, 0),
                class_name="gb-value-marker",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(fmap)


def _add_box(fmap: folium.Map, inner_html: str, *, corner: str) -> None:
    box = (
        f'<div class="gb-published-box" style="position:absolute;{corner};z-index:1000;'
        "max-width:45%;background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;"
        f'font:12px/1.4 sans-serif">{inner_html}</div>'
    )
    root = fmap.get_root()
    if isinstance(root, branca.element.Figure):
        root.html.add_child(branca.element.Element(box))


def _table(
    values: pd.DataFrame, rows: pd.DataFrame, gdf_units: gpd.GeoDataFrame, lang: Lang
) -> pd.DataFrame:
    by_code = rows.set_index("nis_code")
    names = {
        str(r["nis_code"]): unit_name(r, lang)
        for r in gdf_units.drop(columns="geometry").to_dict("records")
    }
    out = values[["nis_code", "status", "label"]].copy()
    out.insert(1, "place", out["nis_code"].map(names))
    out["value"] = out["nis_code"].map(by_code["value"]).astype(float)
    out["text"] = np.where(out["status"] == "ok", out["label"], "")
    out["status"] = np.where(out["status"] == "ok", t("published.status.ok", lang), out["label"])
    for column in ("source_url", "locator", "note"):
        out[column] = out["nis_code"].map(by_code[column]).fillna("")
    columns = ["nis_code", "place", "value", "text", "status", "source_url", "locator", "note"]
    return out[columns].reset_index(drop=True)


def _without_place(wave_rows: pd.DataFrame) -> pd.DataFrame:
    """Figures of the wave that no row of the same indicator places on a map."""
    placed = set(wave_rows.loc[wave_rows["level"] != "", "indicator"])
    return wave_rows[~wave_rows["indicator"].isin(placed)]


def _figure_rows(rows: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    columns = [
        "wave", "indicator", "label", "breakdown", "group", "value", "unit", "text",
        "source_url", "locator", "note",
    ]  # fmt: skip
    if rows.empty:
        return pd.DataFrame(columns=columns)
    out = rows.copy()
    out["label"] = [published_label(i, lang) for i in out["indicator"]]
    out["group"] = [group_label(g, lang) for g in out["group"]]
    out["text"] = [
        format_figure(float(v), str(u), lang)
        for v, u in zip(out["value"], out["unit"], strict=True)
    ]
    return out[columns].reset_index(drop=True)


def _sources_text(sources: pd.DataFrame) -> str:
    parts: list[str] = []
    for url, locator in sources.itertuples(index=False):
        parts.append(f"{url} ({locator})" if url else str(locator))
    return "; ".join(parts)
