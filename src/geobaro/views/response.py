"""The response view: who answered, compared with all communes, with the map of response status."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geobaro.i18n import format_integer, format_number, format_share, t
from geobaro.maps.choropleth import Classification, build_choropleth, classify
from geobaro.stats.representativeness import (
    POPULATION_CLASSES,
    compare_composition,
    population_class,
    r_indicator,
    response_propensities,
)
from geobaro.survey.schema import KEY_COLUMN, STATUS_COLUMN
from geobaro.views.common import ViewData, _framing, _group_label, _map_html
from geobaro.vocabulary import Lang, Source

if TYPE_CHECKING:
    import folium

__all__ = ["RESPONSE_DIMENSIONS", "ResponseRequest", "ResponseResult", "render_response"]

#: What respondents are compared with all communes on, in the order shown.
RESPONSE_DIMENSIONS = ("region", "province", "urban_rural", "population_class")
#: Colour of the communes that answered on the response map (ColorBrewer Paired blue);
#: refused and not reached keep the neutral status styles of every map.
ANSWERED_COLOR = "#1f78b4"


@dataclass(frozen=True)
class ResponseRequest:
    """The response view of one data source.

    Attributes
    ----------
    lang
        Language of names, labels, verdicts and legend.
    source
        ``sample`` (illustrative; labelled so) or ``upload``.
    tiles
        Draw a base map under the response map.
    standalone
        Legend and title inside the map (exports); the app passes ``False``.
    """

    lang: Lang = "en"
    source: Source = "sample"
    tiles: bool = False
    standalone: bool = True


@dataclass(frozen=True, eq=False)
class ResponseResult:
    """Respondents against all communes: table, bars, map, R-indicator and verdicts.

    Attributes
    ----------
    table
        One row per dimension and group: ``dimension``, ``group`` (code), ``label``,
        ``n_all``, ``n_respondents``, ``share_all``, ``share_respondents``,
        ``response_rate``, ``p_value``, ``verdict`` (``over``, ``under``, ``in_line``) and
        ``verdict_label``.
    bars
        The bar chart's data, long: ``dimension``, ``label``, ``series`` (localised "communes
        that answered" / "all communes"), ``share``.
    r_indicator
        Schouten's R-indicator of the fitted response propensities.
    propensities
        Each commune's fitted probability of answering, indexed by ``nis_code``.
    verdicts
        Plain-language sentences naming the over- and under-represented groups.
    explanations
        One sentence per figure: ``map``, ``bars``, ``test``, ``r``; ``illustrative`` (the
        notice, for the sample) and ``penalised`` (when the propensity model needed a
        penalty).
    counts
        ``total``, ``answered``, ``refused``, ``not_reached`` communes.
    html
        The map rendered once as a standalone page (a string callers may cache); ``map`` is
        the folium object it came from, built for this result only.
    """

    request: ResponseRequest
    map: folium.Map
    classification: Classification
    table: pd.DataFrame
    bars: pd.DataFrame
    r_indicator: float
    propensities: pd.Series
    verdicts: tuple[str, ...]
    explanations: dict[str, str]
    counts: dict[str, int]
    title: str
    html: str = ""


def render_response(request: ResponseRequest, data: ViewData) -> ResponseResult:
    """Build the response view: who answered, against all communes.

    Parameters
    ----------
    request
        What to show.
    data
        The indicators of the chosen source (``nis_code``, ``response_status``; communes
        missing from them count as not reached), the 2018 commune table (``region``,
        ``province_nis``, ``urban_rural``, ``population``, ``density``) and the web units
        of the 2018 communes (``gdf_units`` is required).

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> units = load_units(level="commune", web=True)
    >>> ref = units.drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> view = render_response(ResponseRequest(), ViewData(ind, ref, gdf_units=units))
    >>> view.counts["answered"], view.counts["total"], view.html.startswith("<!DOCTYPE html>")
    (113, 589, True)
    >>> print(view.verdicts[0])  # doctest: +NORMALIZE_WHITESPACE
    Brussels-Capital Region: communes over-represented — 89% of them answered, against 19%
    of all communes.
    """
    lang = request.lang
    gdf_units = data.require_units("commune", "2018")
    gdf_communes = data.gdf_communes
    status = _statuses(data.indicators, gdf_communes)
    responded = status.eq("answered").to_numpy()
    table = _composition(gdf_communes, responded, lang)
    with warnings.catch_warnings():
        # said in the view itself: explanations["penalised"]
        warnings.filterwarnings("ignore", message="response propensities", category=UserWarning)
        fit = response_propensities(gdf_communes, responded)
    r_value = r_indicator(fit.values)
    counts = {
        "total": len(status),
        "answered": int(responded.sum()),
        "refused": int(status.eq("refused").sum()),
        "not_reached": int(status.eq("not_reached").sum()),
    }
    overall = counts["answered"] / counts["total"] if counts["total"] else float("nan")
    title = t("stats.response.title", lang)
    if request.source == "sample":
        title += f" ({t('app.illustrative.short', lang)})"
    values = pd.DataFrame(
        {
            "nis_code": gdf_communes[KEY_COLUMN].astype(str).to_numpy(),
            "value": pd.Series(["answered"] * len(status)).where(responded).to_numpy(),
            "status": np.where(responded, "ok", status.to_numpy()),
        }
    )
    classification = classify(
        values,
        kind="categorical",
        categories={"answered": t("maps.status.answered", lang)},
        palette=[ANSWERED_COLOR],
        lang=lang,
    )
    fmap = build_choropleth(
        gdf_units,
        values,
        classification=classification,
        lang=lang,
        tiles=request.tiles,
        illustrative=request.source == "sample",
        **_framing(request.standalone, title, lang),
    )
    explanations = _explanations(counts, overall, r_value, fit.terms, lang)
    if request.source == "sample":
        explanations["illustrative"] = t("app.illustrative.notice", lang)
    if fit.penalised:
        explanations["penalised"] = t("stats.response.penalised", lang)
    return ResponseResult(
        request=request,
        map=fmap,
        classification=classification,
        table=table,
        bars=_bars(table, lang),
        r_indicator=r_value,
        propensities=pd.Series(
            fit.values.to_numpy(),
            index=pd.Index(gdf_communes[KEY_COLUMN].astype(str), name="nis_code"),
            name="propensity",
        ),
        verdicts=_verdicts(table, overall, counts["answered"], lang),
        explanations=explanations,
        counts=counts,
        title=title,
        html=_map_html(fmap),
    )


# --- helpers ---------------------------------------------------------------------------------


def _statuses(indicators_df: pd.DataFrame, gdf_communes: pd.DataFrame) -> pd.Series:
    """Response status of every reference commune (missing from the data: not reached)."""
    for column in (KEY_COLUMN, STATUS_COLUMN):
        if column not in indicators_df.columns:
            raise ValueError(f"indicators_df has no {column!r} column")
    lookup = pd.Series(
        indicators_df[STATUS_COLUMN].astype(str).to_numpy(),
        index=indicators_df[KEY_COLUMN].astype(str).to_numpy(),
    )
    codes = gdf_communes[KEY_COLUMN].astype(str)
    return pd.Series(lookup.reindex(codes.to_numpy()).fillna("not_reached").to_numpy())


def _composition(gdf: pd.DataFrame, responded: np.ndarray, lang: Lang) -> pd.DataFrame:
    missing = [
        c for c in ("region", "province_nis", "urban_rural", "population") if c not in gdf.columns
    ]
    if missing:
        raise ValueError(f"gdf_communes lacks {missing}, needed to compare respondents")
    parts = []
    keys = {
        "region": gdf["region"].astype(str),
        "province": gdf["province_nis"].astype(str),
        "urban_rural": gdf["urban_rural"].astype(str),
        "population_class": pd.Series(population_class(gdf["population"])).astype(str),
    }
    for dimension in RESPONSE_DIMENSIONS:
        part = compare_composition(keys[dimension].to_numpy(), responded)
        part.insert(0, "dimension", dimension)
        part = part.rename(columns={"category": "group"})
        part.insert(2, "label", [_label(dimension, g, lang) for g in part["group"]])
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table["verdict_label"] = [
        t(f"stats.response.verdict_label.{v}", lang) for v in table["verdict"]
    ]
    return table


def _label(dimension: str, group: str, lang: Lang) -> str:
    if dimension == "population_class":
        index = int(group)
        bounds = (0, *POPULATION_CLASSES)
        if index == 0:
            return t("stats.response.class.below", lang, high=format_integer(bounds[1], lang))
        if index >= len(POPULATION_CLASSES):
            return t("stats.response.class.above", lang, low=format_integer(bounds[-1], lang))
        return t(
            "stats.response.class.range",
            lang,
            low=format_integer(bounds[index], lang),
            high=format_integer(bounds[index + 1] - 1, lang),
        )
    return _group_label(group, dimension, lang)


def _bars(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Two bars per group (respondents first), in the table's order."""
    series = {
        "share_respondents": t("stats.response.series.respondents", lang),
        "share_all": t("stats.response.series.all", lang),
    }
    rows = [
        {"dimension": row.dimension, "label": row.label, "series": name, "share": getattr(row, c)}
        for row in table.itertuples()
        for c, name in series.items()
    ]
    return pd.DataFrame(rows, columns=["dimension", "label", "series", "share"])


def _verdicts(table: pd.DataFrame, overall: float, answered: int, lang: Lang) -> tuple[str, ...]:
    shown = table.loc[table["verdict"] != "in_line"].sort_values("p_value", kind="stable")
    sentences: list[str] = []
    seen: set[str] = set()
    for row in shown.itertuples():
        if row.label in seen:  # Brussels is a region and a province-level unit
            continue
        seen.add(str(row.label))
        sentences.append(
            t(
                f"stats.response.verdict.{row.verdict}",
                lang,
                group=row.label,
                rate=format_share(float(row.response_rate), lang),
                overall=format_share(overall, lang),
            )
        )
    if not sentences:
        sentences.append(t("stats.response.verdict.none", lang, n=format_integer(answered, lang)))
    return tuple(sentences)


def _explanations(
    counts: dict[str, int], overall: float, r_value: float, terms: tuple[str, ...], lang: Lang
) -> dict[str, str]:
    term_text = ", ".join(t(f"stats.response.term.{term}", lang) for term in terms)
    return {
        "map": t(
            "stats.response.explain.map",
            lang,
            n=format_integer(counts["answered"], lang),
            total=format_integer(counts["total"], lang),
            rate=format_share(overall, lang),
            refused=format_integer(counts["refused"], lang),
            not_reached=format_integer(counts["not_reached"], lang),
        ),
        "bars": t("stats.response.explain.bars", lang),
        "test": t("stats.response.explain.test", lang),
        "r": t(
            "stats.response.explain.r",
            lang,
            r=format_number(r_value, lang, decimals=2),
            terms=term_text,
        ),
    }
