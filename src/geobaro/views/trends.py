"""Change over time: trends of the recurring published figures, change maps and headlines.

Published waves: `render_trends` draws one small chart per group (Belgium, the regions, the
provinces given) of one series of the crosswalk, each point with its source; `render_change`
maps the change between two waves where both give the same places; `list_headlines` says what
changed across waves, for the landing page. Own files of several waves: `split_waves`,
`indicators_by_wave`, `commune_waves` (a commune's answers per wave), `wave_change_values` and
`render_wave_change` (the change for the communes that answered both waves, for Explore),
defined in `geobaro.views._waves`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from geobaro.i18n import format_number, t
from geobaro.maps import Classification, build_choropleth, classify
from geobaro.published import WAVES, change_verdict, list_changes, list_series, trend_points
from geobaro.views._trend_charts import series_label, trend_chart_png, trend_chart_spec
from geobaro.views._waves import (
    WaveChangeRequest,
    WaveChangeResult,
    commune_waves,
    indicators_by_wave,
    render_wave_change,
    split_waves,
    wave_change_values,
)
from geobaro.views.common import _framing, _map_html
from geobaro.views.published import (
    PublishedRequest,
    PublishedResult,
    _add_box,
    _add_value_labels,
    _legend,
    _relabel,
    format_figure,
    group_label,
    list_published_choices,
    render_published,
    wave_label,
)

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geobaro.vocabulary import Lang, Level

__all__ = [
    "ChangeRequest",
    "ChangeResult",
    "PublishedPage",
    "TrendPage",
    "TrendsResult",
    "WaveChangeRequest",
    "WaveChangeResult",
    "commune_waves",
    "indicators_by_wave",
    "list_change_pairs",
    "list_headlines",
    "list_site_pages",
    "render_change",
    "render_trends",
    "render_wave_change",
    "series_label",
    "split_waves",
    "trend_chart_png",
    "trend_chart_spec",
    "wave_change_values",
]

#: Order of the groups' charts: the country, the regions, then provinces and other groups.
_GROUP_ORDER = ("Belgium", "Wallonia", "Flanders", "Brussels")


@dataclass(frozen=True, eq=False)
class TrendsResult:
    """The trend of one recurring figure: a chart per group, its points and its changes.

    Attributes
    ----------
    charts
        Group -> Vega-Lite specification (`trend_chart_spec`), in display order.
    points
        Every published point of the series with its source (`geobaro.published.trend_points`)
        plus ``text`` (the value as written) and ``wave_label``.
    changes
        Consecutive changes per group (`geobaro.published.list_changes`) plus ``text`` and
        ``verdict_text``.
    pairs
        ``(wave_from, wave_to, level)`` for which `render_change` can draw a map.
    """

    series: str
    lang: Lang
    title: str
    charts: dict[str, dict[str, Any]] = field(repr=False)
    points: pd.DataFrame = field(repr=False)
    changes: pd.DataFrame = field(repr=False)
    pairs: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class ChangeRequest:
    """The change of one series between two waves, mapped at one level."""

    series: str
    wave_from: str
    wave_to: str
    level: Level = "region"
    lang: Lang = "en"
    standalone: bool = True


@dataclass(frozen=True, eq=False)
class ChangeResult:
    """A map of the change between two waves, its legend, table and sources."""

    request: ChangeRequest
    map: folium.Map
    classification: Classification
    legend_html: str
    values: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    title: str = ""
    source_line: str = ""
    html: str = field(default="", repr=False)


def render_trends(
    series: str, figures: pd.DataFrame, crosswalk: pd.DataFrame, *, lang: Lang = "en"
) -> TrendsResult:
    """Return the trend of one series: a small chart per group, the points and the changes.

    Examples
    --------
    >>> from geobaro.published import load_crosswalk, load_published
    >>> tr = render_trends("progress_score", load_published(), load_crosswalk())
    >>> list(tr.charts)[:3], tr.pairs[0]
    (['Belgium', 'Wallonia', 'Flanders'], ('2018-WAL', '2018-BE', 'region'))
    """
    if series not in list_series(crosswalk):
        raise ValueError(f"unknown series {series!r}; known: {', '.join(list_series(crosswalk))}")
    points = _with_texts(trend_points(figures, crosswalk), lang)
    points = points[points["series"] == series].reset_index(drop=True)
    changes = _changes_with_texts(list_changes(points), lang)
    groups = sorted(set(points["group"]), key=_group_key)
    charts = {g: trend_chart_spec(points[points["group"] == g], lang=lang) for g in groups}
    return TrendsResult(
        series=series,
        lang=lang,
        title=series_label(series, lang),
        charts=charts,
        points=points,
        changes=changes,
        pairs=list_change_pairs(points),
    )


def list_change_pairs(points: pd.DataFrame) -> tuple[tuple[str, str, str], ...]:
    """Return ``(wave_from, wave_to, level)`` pairs whose waves give the series for a same place.

    Examples
    --------
    >>> from geobaro.published import load_crosswalk, load_published
    >>> pts = trend_points(load_published(), load_crosswalk())
    >>> list_change_pairs(pts[pts["series"] == "obstacle_budget"])
    (('2018-WAL', '2021-WAL', 'region'),)
    """
    placed = points[points["level"] != ""]
    waves = sorted(set(placed["wave"]), key=lambda w: WAVES[w].published)
    pairs = []
    for i, before in enumerate(waves):
        for after in waves[i + 1 :]:
            for level in ("region", "province"):
                a = placed[(placed["wave"] == before) & (placed["level"] == level)]
                b = placed[(placed["wave"] == after) & (placed["level"] == level)]
                if set(a["nis_code"]) & set(b["nis_code"]):
                    pairs.append((before, after, level))
    return tuple(pairs)


def render_change(
    request: ChangeRequest,
    figures: pd.DataFrame,
    crosswalk: pd.DataFrame,
    *,
    gdf_units: gpd.GeoDataFrame,
) -> ChangeResult:
    """Map the change of a series between two waves; places not in both are *not published*.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.published import load_crosswalk, load_published
    >>> ch = render_change(ChangeRequest("obstacle_expertise", "2018-WAL", "2021-WAL"),
    ...                    load_published(), load_crosswalk(),
    ...                    gdf_units=load_units(level="region", web=True))
    >>> ch.table[["place", "text", "verdict_text"]].iloc[0].tolist()
    ['Wallonia', '+11 pts', 'within noise']
    """
    lang = request.lang
    points = trend_points(figures, crosswalk)
    points = points[(points["series"] == request.series) & (points["level"] == request.level)]
    pair = points[points["wave"].isin([request.wave_from, request.wave_to])]
    changes = _changes_with_texts(_pair_changes(pair, request), lang)
    if changes.empty:
        raise ValueError(
            f"{request.wave_from} and {request.wave_to} give no {request.series} figure for a "
            f"same {request.level}; see list_change_pairs"
        )
    primary = changes.drop_duplicates("nis_code").set_index("nis_code")
    codes = gdf_units["nis_code"].astype(str)
    values = pd.DataFrame({"nis_code": codes.to_numpy()})
    values["value"] = values["nis_code"].map(primary["change"]).astype(float)
    values["n"] = pd.array([pd.NA] * len(values), dtype="Int64")
    values["status"] = np.where(values["value"].notna(), "ok", "no_data")
    values["label"] = (
        values["nis_code"]
        .map(primary["text"] + " (" + primary["verdict_text"] + ")")
        .fillna(t("published.change.status.no_data", lang))
    )
    title = t(
        "published.change.title", lang, series=series_label(request.series, lang),
        wave_from=wave_label(request.wave_from, lang), wave_to=wave_label(request.wave_to, lang),
    )  # fmt: skip
    classification = _classify_change(values, lang)
    legend_html = _legend(
        classification,
        lang,
        t("published.column.change", lang),
        {"no_data": t("published.change.status.no_data", lang)},
    )
    sources = "; ".join(
        dict.fromkeys(
            f"{u} ({loc})" if u else loc
            for u, loc in zip(
                [*changes["source_from"], *changes["source_to"]],
                [*changes["locator_from"], *changes["locator_to"]],
                strict=True,
            )
        )
    )
    source_line = t("published.source_line", lang, sources=sources)
    fmap = build_choropleth(
        gdf_units, values, classification=classification, lang=lang,
        **{**_framing(request.standalone, title, lang), "legend": False},
    )  # fmt: skip
    _add_value_labels(fmap, gdf_units, values)
    if request.standalone:
        _add_box(fmap, legend_html, corner="top:84px;right:10px")
        _add_box(fmap, source_line.replace("<", "&lt;"), corner="top:10px;left:56px;max-width:40%")
    table = changes.assign(place=[group_label(g, lang) for g in changes["group"]])
    return ChangeResult(
        request, fmap, classification, legend_html, values, table, title, source_line,
        html=_map_html(fmap),
    )  # fmt: skip


def list_headlines(
    figures: pd.DataFrame, crosswalk: pd.DataFrame, *, lang: Lang = "en"
) -> pd.DataFrame:
    """Return "what changed across waves": first and last wave of each series, per group.

    One row per series and group published in at least two waves (groups with a place, and
    Belgium), in crosswalk order: ``series``, ``group``, ``wave_from``, ``wave_to``, values,
    ``change``, ``verdict``, ``conflict``, the sources and locators of both ends, and
    ``text``, the headline sentence in ``lang``.

    Examples
    --------
    >>> from geobaro.published import load_crosswalk, load_published
    >>> heads = list_headlines(load_published(), load_crosswalk())
    >>> heads.iloc[0]["text"]
    'Self-assessed progress score (out of 10) (Wallonia): 3.67/10 in Walloon barometer 2018 → 4.31/10 in Walloon barometer 2021 (+0.64, noise cannot be assessed)'
    """  # noqa: E501
    points = trend_points(figures, crosswalk)
    points = points[(points["level"] != "") | points["group"].isin(_GROUP_ORDER)]
    rows = []
    for (series, group), part in points.groupby(["series", "group"], sort=False):
        ordered = part.sort_values(["published", "value"])
        if ordered["wave"].nunique() < 2:
            continue
        first = ordered.iloc[0]
        last = ordered[ordered["wave"] == ordered["wave"].iloc[-1]].iloc[0]
        verdict = change_verdict(
            (first["value"], first["low"], first["high"]),
            (last["value"], last["low"], last["high"]),
            base=str(first["base"]),
        )
        rows.append(
            {
                "series": series,
                "group": group,
                "unit": last["unit"],
                "wave_from": first["wave"],
                "wave_to": last["wave"],
                "value_from": float(first["value"]),
                "value_to": float(last["value"]),
                "change": round(float(last["value"]) - float(first["value"]), 6),
                "verdict": verdict,
                "conflict": bool(part["conflict"].any()),
                "match": "close" if (part["match"] == "close").any() else "same",
                "source_from": first["source_url"],
                "locator_from": first["locator"],
                "source_to": last["source_url"],
                "locator_to": last["locator"],
            }
        )
    heads = _changes_with_texts(pd.DataFrame(rows), lang)
    if heads.empty:
        return heads
    heads["text"] = [
        t(
            "published.headline",
            lang,
            series=series_label(r.series, lang),
            group=group_label(r.group, lang),
            before=format_figure(r.value_from, r.unit, lang),
            after=format_figure(r.value_to, r.unit, lang),
            wave_from=wave_label(r.wave_from, lang),
            wave_to=wave_label(r.wave_to, lang),
            change=r.text,
            verdict=_headline_notes(r, lang),
        )
        for r in heads.itertuples(index=False)
    ]
    return heads.reset_index(drop=True)


# --- pages of the static site ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PublishedPage:
    """One page of the static site: a published figure of a wave at one level.

    Attributes
    ----------
    slug
        File name stem, e.g. ``published-2018-BE-progress_score_mean-province``.
    result
        The standalone view (``result.html`` is the map page; ``legend_html``, ``table``,
        ``sources``, ``others``, ``unmapped`` and ``conflicts`` go beside it).
    series
        The crosswalk series this figure belongs to ("" when it does not recur).
    """

    slug: str
    title: str
    result: PublishedResult
    series: str = ""


@dataclass(frozen=True, eq=False)
class TrendPage:
    """One page of the static site: the trend of a recurring figure.

    Attributes
    ----------
    pngs
        Group -> PNG chart with its numbered sources (`trend_chart_png`), in display order.
    change_maps
        Every change map the series has (`render_change`, standalone).
    """

    slug: str
    title: str
    trends: TrendsResult
    pngs: dict[str, bytes] = field(repr=False)
    change_maps: tuple[ChangeResult, ...] = field(default=(), repr=False)


def list_site_pages(
    figures: pd.DataFrame,
    crosswalk: pd.DataFrame,
    *,
    units: Mapping[str, gpd.GeoDataFrame],
    lang: Lang = "en",
) -> tuple[tuple[PublishedPage, ...], tuple[TrendPage, ...]]:
    """Return every published view and every trend, standalone, for the static export.

    Parameters
    ----------
    figures, crosswalk
        `geobaro.published.load_published` and `geobaro.published.load_crosswalk`.
    units
        ``{"region": ..., "province": ...}``: web geometry of the 2018 regions and provinces.
    lang
        Language of the pages.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.published import load_crosswalk, load_published
    >>> units = {lv: load_units(level=lv, web=True) for lv in ("region", "province")}
    >>> figures, crosswalk = load_published(), load_crosswalk()
    >>> wave = figures[figures["wave"] == "2021-WAL"]
    >>> one = crosswalk.query("wave == '2021-WAL' and series == 'obstacle_budget'")
    >>> maps, trends = list_site_pages(wave, one, units=units)
    >>> maps[0].slug, maps[0].result.html.startswith("<!DOCTYPE html>"), list(trends[0].pngs)
    ('published-2021-WAL-assoc_digitalisation-region', True, ['Wallonia'])
    """
    series_of = {(w, i): s for s, w, i in crosswalk[["series", "wave", "indicator"]].to_numpy()}
    maps = []
    for wave, indicators in list_published_choices(figures).items():
        for indicator, levels in indicators.items():
            for level in levels:
                request = PublishedRequest(wave, indicator, level, lang)
                result = render_published(request, figures, gdf_units=units[level])
                slug = f"published-{wave}-{indicator}-{level}"
                maps.append(
                    PublishedPage(slug, result.title, result, series_of.get((wave, indicator), ""))
                )
    pages = []
    for series in list_series(crosswalk):
        trends = render_trends(series, figures, crosswalk, lang=lang)
        pngs = {
            g: trend_chart_png(trends.points[trends.points["group"] == g], lang=lang)
            for g in trends.charts
        }
        changes = tuple(
            render_change(
                ChangeRequest(series, a, b, cast("Level", lv), lang),
                figures,
                crosswalk,
                gdf_units=units[lv],
            )
            for a, b, lv in trends.pairs
        )
        pages.append(TrendPage(f"trend-{series}", trends.title, trends, pngs, changes))
    return tuple(maps), tuple(pages)


# --- private helpers -------------------------------------------------------------------------


def _headline_notes(row: Any, lang: Lang) -> str:
    notes = [row.verdict_text]
    if row.match == "close":
        notes.append(t("published.match.close", lang))
    if row.conflict:
        notes.append(t("published.conflict", lang))
    return t("published.notes_sep", lang).join(notes)


def _classify_change(values: pd.DataFrame, lang: Lang) -> Classification:
    """Blues for rises, reds for falls, a diverging scale when both occur."""
    ok = values.loc[values["status"] == "ok", "value"]
    k = max(1, min(4, int(ok.nunique())))
    rises, falls = (
        ["#c6dbef", "#6baed6", "#2171b5", "#08306b"],
        ["#fcbba1", "#fb6a4a", "#cb181d", "#67000d"],
    )
    if (ok >= 0).all():
        palette: str | list[str] = rises[-k:] if k > 1 else [rises[2]]
    elif (ok <= 0).all():
        palette = falls[::-1][:k] if k > 1 else [falls[2]]
    else:
        palette = "RdBu"
    classification = classify(
        values, kind="sequential", scheme="equal_interval", k=k, palette=palette, lang=lang,
        percent=False,
    )  # fmt: skip
    return _relabel(
        classification, values, lang, {"no_data": t("published.change.status.no_data", lang)}
    )


def _group_key(group: str) -> tuple[int, str]:
    return (_GROUP_ORDER.index(group), "") if group in _GROUP_ORDER else (len(_GROUP_ORDER), group)


def _with_texts(points: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    out = points.copy()
    out["text"] = [
        format_figure(float(v), str(u), lang)
        for v, u in zip(out["value"], out["unit"], strict=True)
    ]
    out["wave_label"] = [wave_label(w, lang) for w in out["wave"]]
    return out


def _pair_changes(pair: pd.DataFrame, request: ChangeRequest) -> pd.DataFrame:
    """Return the changes between the two waves of a request, per place (list_changes' form)."""
    keep = pair.copy()
    # one wave before the other, whatever waves lie between them
    keep["published"] = np.where(keep["wave"] == request.wave_from, "0", "1")
    changes = list_changes(keep)
    return changes[
        (changes["wave_from"] == request.wave_from) & (changes["wave_to"] == request.wave_to)
    ]


def _changes_with_texts(changes: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    if changes.empty:
        return changes.assign(text=pd.Series(dtype=str), verdict_text=pd.Series(dtype=str))
    out = changes.copy()
    out["text"] = [
        _change_text(c, u, lang) for c, u in zip(out["change"], out["unit"], strict=True)
    ]
    out["verdict_text"] = [t(f"published.verdict.{v}", lang) for v in out["verdict"]]
    return out


def _change_text(change: float, unit: str, lang: Lang) -> str:
    decimals = 0 if float(change).is_integer() else 2 if unit == "score_0_10" else 1
    number = format_number(abs(change), lang, decimals=decimals)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if unit == "percent":
        return sign + t("published.change.points", lang, value=number)
    return sign + number
