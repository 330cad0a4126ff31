"""Who answered: respondents against all communes, the response map, R-indicator, verdicts."""

from __future__ import annotations

import html
from typing import Any, cast

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app.controls import active_indicators
from geobaro.app.draw import draw_legend, draw_map, escape_markdown
from geobaro.app.pages.stats_common import download_table, statistics_view
from geobaro.app.url import current_state
from geobaro.i18n import Lang, format_number, format_share, t
from geobaro.views.response import RESPONSE_DIMENSIONS

__all__ = ["show"]

_MAP_HEIGHT = 520


def show(lang: Lang) -> None:
    """Show who answered: verdicts, the response map, the R-indicator and the comparison."""
    state = current_state("response")
    st.title(t("app.view.response", lang))
    indicators, source = active_indicators(state, lang)
    request = views.ResponseRequest(
        lang=lang, source=cast(Any, source), tiles=state.tiles, standalone=False
    )
    result = _result(request, indicators)
    st.markdown(f"**{html.escape(result.title)}**")
    with st.container(key="response_verdicts"):
        st.subheader(t("stats.response.verdicts_title", lang))
        st.markdown("\n".join(f"- {escape_markdown(v)}" for v in result.verdicts))
        st.caption(result.explanations["test"])
    left, right = st.columns([3, 2], gap="medium")
    with left:
        draw_map(result.map, key="response_map", height=_MAP_HEIGHT)
        st.caption(result.explanations["map"])
    with right:
        draw_legend(result.classification, lang, key="response_legend", level="commune")
        counts = result.counts
        rate = format_share(counts["answered"] / max(counts["total"], 1), lang)
        st.metric(
            t("stats.response.rate_label", lang),
            f"{counts['answered']} / {counts['total']} ({rate})",
        )
        with st.container(key="response_r"):
            st.metric(
                t("stats.response.r_label", lang),
                format_number(result.r_indicator, lang, decimals=2),
            )
            st.caption(result.explanations["r"])
            if "penalised" in result.explanations:
                st.caption(result.explanations["penalised"])
    st.subheader(t("stats.response.bars_title", lang))
    st.caption(result.explanations["bars"])
    tabs = st.tabs([t(f"stats.response.dimension.{d}", lang) for d in RESPONSE_DIMENSIONS])
    for tab, dimension in zip(tabs, RESPONSE_DIMENSIONS, strict=True):
        with tab:
            _dimension(result, dimension, lang)
    columns = ["dimension", "group", "label", "n_all", "n_respondents", "share_all"]
    columns += ["share_respondents", "response_rate", "p_value", "verdict"]
    download_table(result.table[columns], name="geobaro_response", source=request.source, lang=lang)


def _result(request: views.ResponseRequest, indicators: pd.DataFrame) -> views.ResponseResult:
    result: views.ResponseResult = statistics_view("response", request, indicators)
    return result


def _dimension(result: views.ResponseResult, dimension: str, lang: Lang) -> None:
    bars = result.bars.loc[result.bars["dimension"] == dimension].copy()
    bars["share"] = (bars["share"] * 100).round(1)
    order = list(dict.fromkeys(bars["label"]))
    series = list(dict.fromkeys(bars["series"]))  # respondents first, then all communes
    spec = {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": order,
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "yOffset": {"field": "series", "type": "nominal", "sort": series},
            "x": {"field": "share", "type": "quantitative", "title": "%"},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": series, "range": ["#1f78b4", "#bdbdbd"]},
                "legend": {"orient": "bottom", "labelLimit": 320},
            },
        },
        "height": {"step": 14},
    }
    st.vega_lite_chart(bars, spec, width="stretch", key=f"response_bars_{dimension}")
    table = result.table.loc[result.table["dimension"] == dimension].copy()
    for column in ("share_all", "share_respondents", "response_rate"):
        table[column] = (table[column] * 100).round(1)
    columns = ["label", "n_all", "n_respondents", "share_respondents", "share_all"]
    columns += ["response_rate", "verdict_label"]
    percent = "%.1f%%"
    st.dataframe(
        table[columns],
        hide_index=True,
        width="stretch",
        key=f"response_table_{dimension}",
        column_config={
            "label": st.column_config.TextColumn(t("stats.response.col.group", lang)),
            "n_all": st.column_config.NumberColumn(t("stats.response.col.n_all", lang)),
            "n_respondents": st.column_config.NumberColumn(
                t("stats.response.col.n_respondents", lang)
            ),
            "share_respondents": st.column_config.NumberColumn(
                t("stats.response.col.share_respondents", lang), format=percent
            ),
            "share_all": st.column_config.NumberColumn(
                t("stats.response.col.share_all", lang), format=percent
            ),
            "response_rate": st.column_config.NumberColumn(
                t("stats.response.col.response_rate", lang), format=percent
            ),
            "verdict_label": st.column_config.TextColumn(t("stats.response.col.verdict", lang)),
        },
    )
