"""Own survey files of several waves: split by wave, a commune's answers per wave, the change.

A file may carry a ``wave`` column (or two files are loaded, one per wave). `indicators_by_wave`
computes each wave's indicators; `commune_waves` gives a commune's answers per wave for its
profile; `wave_change_values` and `render_wave_change` map the change of an indicator for the
communes that answered both waves (the others are *no data*, never a change of zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from geobaro.i18n import format_number, t
from geobaro.indicators import compute_indicators
from geobaro.maps import Classification, build_choropleth, classify
from geobaro.views.common import _framing, _map_html, format_value, indicator_kind, indicator_label

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geobaro.survey.read import SurveyResult
    from geobaro.vocabulary import Lang, Source

__all__ = [
    "WaveChangeRequest",
    "WaveChangeResult",
    "commune_waves",
    "indicators_by_wave",
    "render_wave_change",
    "split_waves",
    "wave_change_values",
]


def split_waves(data: pd.DataFrame, *, column: str = "wave") -> dict[str, pd.DataFrame]:
    """Split one survey table with a ``wave`` column into one table per wave (in file order).

    Examples
    --------
    >>> df = pd.DataFrame({"nis_code": ["1", "1", "2"], "wave": ["2017", "2018", "2018"]})
    >>> {w: len(d) for w, d in split_waves(df).items()}
    {'2017': 1, '2018': 2}
    """
    if column not in data.columns:
        raise ValueError(f"the table has no {column!r} column; columns: {list(data.columns)[:12]}")
    blank = data[column].isna() | (data[column].astype(str).str.strip() == "")
    if blank.any():
        rows = [int(i) + 1 for i in np.flatnonzero(blank.to_numpy())[:10]]
        raise ValueError(f"data rows {rows} (from 1): the {column!r} column is empty")
    labels = data[column].astype(str).str.strip()
    return {
        wave: data[labels == wave].drop(columns=column).reset_index(drop=True)
        for wave in dict.fromkeys(labels)
    }


def commune_waves(
    indicators_by_wave: Mapping[str, pd.DataFrame],
    nis_code: str,
    *,
    indicators: tuple[str, ...] | None = None,
    lang: Lang = "en",
) -> pd.DataFrame:
    """Return one commune's answers per wave: one row per indicator, one column per wave.

    Parameters
    ----------
    indicators_by_wave
        Wave -> per-commune indicators (`geobaro.indicators.compute_indicators` of each wave).
    nis_code
        The commune.
    indicators
        Which indicators (default: those present in every wave).

    Examples
    --------
    >>> a = pd.DataFrame({"nis_code": ["11001"], "response_status": ["answered"],
    ...                   "feels_concerned": [1.0]})
    >>> b = a.assign(feels_concerned=[0.0])
    >>> table = commune_waves({"2017": a, "2018": b}, "11001")
    >>> table["indicator"].tolist(), table.iloc[1, 2:].tolist()
    (['response_status', 'feels_concerned'], ['yes', 'no'])
    """
    if not indicators_by_wave:
        raise ValueError("no wave given")
    common = set.intersection(*(set(df.columns) for df in indicators_by_wave.values()))
    chosen = indicators or tuple(
        c for c in next(iter(indicators_by_wave.values())).columns if c in common
        and c not in ("nis_code", "response_status")
    )  # fmt: skip
    rows: dict[str, dict[str, str]] = {i: {} for i in ("response_status", *chosen)}
    for wave, df in indicators_by_wave.items():
        match = df[df["nis_code"].astype(str) == nis_code]
        record = match.iloc[0] if len(match) else None
        status = "not_reached" if record is None else str(record["response_status"])
        rows["response_status"][wave] = t(f"maps.status.{status}", lang)
        for indicator in chosen:
            value = None if record is None else record.get(indicator)
            rows[indicator][wave] = _answer_text(indicator, value, lang)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.insert(0, "label", [_row_label(i, lang) for i in out.index])
    out.insert(0, "indicator", out.index)
    return out.reset_index(drop=True)


def wave_change_values(
    indicators_by_wave: Mapping[str, pd.DataFrame],
    *,
    indicator: str,
    wave_from: str,
    wave_to: str,
    lang: Lang = "en",
) -> pd.DataFrame:
    """Return map values of the change of an indicator for the communes that answered both waves.

    Communes that answered one wave only, or left the question blank in one, are ``no_data``
    with a label saying so (never a change of zero). Shares change by -1, 0 or +1 per commune
    (an answer that became yes or no); scores and counts by their difference.

    Returns
    -------
    pandas.DataFrame
        ``nis_code``, ``value`` (the change), ``n`` (1 where both answers are known),
        ``status`` (``ok``/``no_data``), ``label``; ready for `geobaro.maps.build_choropleth`.

    Examples
    --------
    >>> a = pd.DataFrame({"nis_code": ["1", "2", "3"], "response_status": ["answered"] * 3,
    ...                   "feels_concerned": [1.0, 0.0, 1.0]})
    >>> b = pd.DataFrame({"nis_code": ["1", "2", "3"],
    ...                   "response_status": ["answered", "answered", "not_reached"],
    ...                   "feels_concerned": [1.0, 1.0, np.nan]})
    >>> v = wave_change_values({"2017": a, "2018": b}, indicator="feels_concerned",
    ...                        wave_from="2017", wave_to="2018")
    >>> v[["value", "status"]].values.tolist()
    [[0.0, 'ok'], [1.0, 'ok'], [nan, 'no_data']]
    """
    kind = indicator_kind(indicator)
    if kind == "category":
        raise ValueError(f"{indicator} is a category: map each wave, a difference has no meaning")
    for wave in (wave_from, wave_to):
        if wave not in indicators_by_wave:
            raise ValueError(f"no wave {wave!r}; waves: {', '.join(indicators_by_wave)}")
    before = indicators_by_wave[wave_from].set_index(
        indicators_by_wave[wave_from]["nis_code"].astype(str)
    )
    after = indicators_by_wave[wave_to].set_index(
        indicators_by_wave[wave_to]["nis_code"].astype(str)
    )
    codes = list(dict.fromkeys([*before.index, *after.index]))
    a = before[indicator].reindex(codes).astype(float)
    b = after[indicator].reindex(codes).astype(float)
    change = b - a
    both = change.notna()
    labels = [
        _change_label(x, y, kind, lang, wave_from, wave_to)
        for x, y in zip(a.to_numpy(), b.to_numpy(), strict=True)
    ]
    return pd.DataFrame(
        {
            "nis_code": codes,
            "value": change.to_numpy(),
            "n": pd.array(np.where(both, 1, 0), dtype="Int64"),
            "status": np.where(both, "ok", "no_data"),
            "label": labels,
        }
    )


@dataclass(frozen=True)
class WaveChangeRequest:
    """The change of one indicator between two waves of one's own files, per commune."""

    indicator: str
    wave_from: str
    wave_to: str
    lang: Lang = "en"
    source: Source = "sample"
    standalone: bool = True


@dataclass(frozen=True, eq=False)
class WaveChangeResult:
    """A commune map of the change between two waves, its legend, table and counts."""

    request: WaveChangeRequest
    map: folium.Map
    classification: Classification
    values: pd.DataFrame = field(repr=False)
    title: str = ""
    both: int = 0
    html: str = field(default="", repr=False)


def indicators_by_wave(
    survey: SurveyResult | pd.DataFrame | Mapping[str, SurveyResult | pd.DataFrame],
    gdf_communes: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Return wave -> per-commune indicators, from one file with a ``wave`` column or several.

    Parameters
    ----------
    survey
        A survey (`geobaro.survey.load_survey` result or its ``data``) with a ``wave``
        column, or wave -> survey (e.g. `geobaro.survey.sample.load_sample_waves`).
    gdf_communes
        The 2018 commune reference table.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.survey.sample import load_sample_waves
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> by_wave = indicators_by_wave(load_sample_waves(gdf_communes=ref), ref)
    >>> {w: int(d["feels_concerned"].notna().sum()) for w, d in by_wave.items()}
    {'2017-BE': 113, '2018-BE': 123}
    """
    if isinstance(survey, Mapping):
        parts = {str(w): _data(s) for w, s in survey.items()}
    else:
        parts = split_waves(_data(survey))
    return {
        wave: compute_indicators(data.drop(columns="wave", errors="ignore"), gdf_communes)
        for wave, data in parts.items()
    }


def render_wave_change(
    request: WaveChangeRequest,
    by_wave: Mapping[str, pd.DataFrame],
    *,
    gdf_units: gpd.GeoDataFrame,
) -> WaveChangeResult:
    """Map the change of an indicator for the communes that answered both waves.

    Shares are three categories (became yes, unchanged, became no); scores and counts are
    classes of their difference. Communes that answered one wave only are *no data*.

    Parameters
    ----------
    request
        What to show; ``source`` ``sample`` marks the map illustrative.
    by_wave
        `indicators_by_wave`.
    gdf_units
        Web geometry of the 2018 communes.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.survey.sample import load_sample_waves
    >>> units = load_units(level="commune", web=True)
    >>> ref = units.drop(columns="geometry")
    >>> by_wave = indicators_by_wave(load_sample_waves(gdf_communes=ref), ref)
    >>> change = render_wave_change(
    ...     WaveChangeRequest("feels_concerned", "2017-BE", "2018-BE"), by_wave, gdf_units=units)
    >>> change.both, int((change.values["status"] == "ok").sum())
    (27, 27)
    """
    lang = request.lang
    values = wave_change_values(
        by_wave,
        indicator=request.indicator,
        wave_from=request.wave_from,
        wave_to=request.wave_to,
        lang=lang,
    )
    values = values[values["nis_code"].isin(gdf_units["nis_code"].astype(str))]
    ok = values["status"] == "ok"
    if indicator_kind(request.indicator) == "share":
        names = {1.0: "up", 0.0: "same", -1.0: "down"}
        values = values.assign(
            value=[names.get(v) if s else None for v, s in zip(values["value"], ok, strict=True)]
        )
        categories = {k: t(f"published.wave_change.{k}", lang) for k in ("up", "same", "down")}
        palette = ["#2166ac", "#d9d9d9", "#b2182b"]
        classification = classify(
            values, kind="categorical", categories=categories, palette=palette, lang=lang
        )
        kind: Literal["sequential", "categorical"] = "categorical"
    else:
        k = max(1, min(4, int(values.loc[ok, "value"].nunique())))
        classification = classify(
            values, kind="sequential", scheme="equal_interval", k=k, palette="RdBu", lang=lang
        )
        kind = "sequential"
    title = t(
        "published.wave_change.title", lang, indicator=indicator_label(request.indicator, lang),
        wave_from=request.wave_from, wave_to=request.wave_to,
    )  # fmt: skip
    fmap = build_choropleth(
        gdf_units, values, classification=classification, kind=kind, lang=lang,
        illustrative=request.source == "sample", **_framing(request.standalone, title, lang),
    )  # fmt: skip
    return WaveChangeResult(
        request, fmap, classification, values.reset_index(drop=True), title,
        both=int(ok.sum()), html=_map_html(fmap),
    )  # fmt: skip


# --- private helpers -------------------------------------------------------------------------


def _data(survey: Any) -> pd.DataFrame:
    data = getattr(survey, "data", survey)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"expected a survey result or a table, got {type(survey).__name__}")
    return data


def _answer_text(indicator: str, value: object, lang: Lang) -> str:
    try:
        kind = indicator_kind(indicator)
    except ValueError:
        return (
            "–" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        )
    if kind == "share" and value is not None and not pd.isna(value):
        return t("maps.answer.yes" if float(value) >= 0.5 else "maps.answer.no", lang)  # type: ignore[arg-type]
    return format_value(value, kind, lang, indicator=indicator)


def _row_label(indicator: str, lang: Lang) -> str:
    if indicator == "response_status":
        return t("published.column.status", lang)
    try:
        return indicator_label(indicator, lang)
    except ValueError:
        return indicator


def _change_label(a: float, b: float, kind: str, lang: Lang, wave_from: str, wave_to: str) -> str:
    if np.isnan(a) and np.isnan(b):
        return t("published.wave_change.neither", lang)
    if np.isnan(a):
        return t("published.wave_change.only", lang, wave=wave_to)
    if np.isnan(b):
        return t("published.wave_change.only", lang, wave=wave_from)
    if kind == "share":
        before = t("maps.answer.yes" if a >= 0.5 else "maps.answer.no", lang)
        after = t("maps.answer.yes" if b >= 0.5 else "maps.answer.no", lang)
        return f"{wave_from}: {before} → {wave_to}: {after}"
    before, after = format_number(a, lang, decimals=1), format_number(b, lang, decimals=1)
    return f"{wave_from}: {before} → {wave_to}: {after}"
