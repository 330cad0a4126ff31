"""Spatial patterns: Moran's I and clusters of an indicator, join counts of who answered."""

from __future__ import annotations

import html
from typing import Any, cast

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app.controls import active_indicators, default_indicator
from geobaro.app.draw import draw_legend, draw_map
from geobaro.app.pages.stats_common import download_table, statistics_view
from geobaro.app.state import PATTERNS_K_RANGE
from geobaro.app.url import PERSIST, current_state
from geobaro.i18n import Lang, format_integer, format_number, t
from geobaro.views.patterns import PATTERN_KINDS

__all__ = ["show"]

_MAP_HEIGHT = 560
_K_KEY = "patterns_k"


def show(lang: Lang) -> None:
    """Show Moran's I, the cluster map and the join counts of response status."""
    ss = st.session_state
    state = current_state("patterns")
    st.title(t("app.view.patterns", lang))
    indicators, source = active_indicators(state, lang)
    ids = [i for i in views.list_indicators() if views.indicator_kind(i) in PATTERN_KINDS]
    if ss.get("indicator") not in ids:
        fallback = default_indicator()
        ss["indicator"] = state.indicator if state.indicator in ids else fallback
    row = st.columns([3, 1])
    row[0].selectbox(
        t("app.control.indicator", lang),
        ids,
        key="indicator",
        format_func=lambda i: views.indicator_label(i, lang),
        persist_state=PERSIST,
    )
    row[1].number_input(
        t("stats.patterns.k_control", lang),
        min_value=PATTERNS_K_RANGE[0],
        max_value=PATTERNS_K_RANGE[1],
        step=1,
        key=_K_KEY,  # a URL field: its value comes from the link or the last choice
        help=t("stats.patterns.k_help", lang),
        persist_state=PERSIST,
    )
    request = views.PatternsRequest(
        indicator=str(ss["indicator"]),
        lang=lang,
        source=cast(Any, source),
        k=int(ss.get(_K_KEY) or state.patterns_k),
        tiles=state.tiles,
        standalone=False,
    )
    result = _result(request, indicators)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**{html.escape(result.title)}**")
        draw_map(result.map, key="patterns_map", height=_MAP_HEIGHT)
        st.caption(result.explanations.get("lisa", ""))
    with right:
        draw_legend(result.classification, lang, key="patterns_legend", level="commune")
        _figures(result, lang)
    _clusters(result, lang)
    columns = ["nis_code", "name", "value", "lag", "cluster", "p_value"]
    download_table(
        result.table[columns],
        name=f"geobaro_patterns_{request.indicator}_k{request.k}",
        source=request.source,
        lang=lang,
    )


def _result(request: views.PatternsRequest, indicators: pd.DataFrame) -> views.PatternsResult:
    result: views.PatternsResult = statistics_view("patterns", request, indicators)
    return result


def _figures(result: views.PatternsResult, lang: Lang) -> None:
    notes = result.explanations
    with st.container(key="patterns_moran"):
        if result.moran is not None:
            st.metric(
                t("stats.patterns.moran_label", lang),
                format_number(result.moran.i, lang, decimals=2),
            )
            st.caption(notes["moran"])
        else:
            st.info(notes.get("too_few") or notes.get("constant") or "")
        st.caption(notes["k"])
    with st.container(key="patterns_joins"):
        joins = result.joins
        expected = format_number(joins.expected_bb, lang, decimals=0)
        st.metric(t("stats.patterns.joins_label", lang), format_integer(joins.bb, lang))
        st.caption(t("stats.patterns.joins_expected", lang, expected=expected))
        st.caption(notes["joins"])
        st.caption(notes["neighbours"])
        if "islands" in notes:
            st.caption(notes["islands"])


def _clusters(result: views.PatternsResult, lang: Lang) -> None:
    st.subheader(t("stats.patterns.clusters_title", lang))
    table = result.table.loc[result.table["cluster"] != "ns"]
    if table.empty:
        st.caption(t("stats.patterns.none_significant", lang))
        return
    shown = table[["name", "value_text", "lag", "cluster_label", "p_value"]].copy()
    if views.indicator_kind(result.request.indicator) == "share":
        shown["lag"] = (shown["lag"] * 100).round(0)
    st.dataframe(
        shown.sort_values(["cluster_label", "p_value"], kind="stable"),
        hide_index=True,
        width="stretch",
        key="patterns_table",
        column_config={
            "name": st.column_config.TextColumn(t("stats.patterns.col.name", lang)),
            "value_text": st.column_config.TextColumn(t("stats.patterns.col.value", lang)),
            "lag": st.column_config.NumberColumn(t("stats.patterns.col.lag", lang), format="%.1f"),
            "cluster_label": st.column_config.TextColumn(t("stats.patterns.col.cluster", lang)),
            "p_value": st.column_config.NumberColumn(
                t("stats.patterns.col.p_value", lang), format="%.3f"
            ),
        },
    )
