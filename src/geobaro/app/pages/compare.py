"""Compare: Wallonia, Flanders and Brussels side by side, then urban versus rural."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app import resources
from geobaro.app.controls import (
    active_indicators,
    indicator_controls,
    map_choices,
    request_fields,
    upload_digest,
)
from geobaro.app.draw import draw_legend, draw_map
from geobaro.app.url import current_state
from geobaro.i18n import Lang, t

__all__ = ["show"]


def show(lang: Lang) -> None:
    """Show Wallonia, Flanders and Brussels side by side, then urban versus rural."""
    state = current_state("compare")
    st.title(t("app.view.compare", lang))
    indicators, source = active_indicators(state, lang)
    request = views.CompareRequest(
        **request_fields(state, lang, source),
        scale=state.scale,
        standalone=False,
    )
    if source == "sample":
        result = resources.sample_compare(request)
    else:
        result = resources.memo_session(
            ("compare", request, upload_digest()),
            lambda: views.render_compare(
                request,
                views.ViewData(
                    indicators,
                    resources.get_communes(),
                    gdf_units=resources.get_units(request.level, request.vintage),
                ),
            ),
        )
    values = pd.concat([panel.values for panel in result.panels], ignore_index=True)
    choices = map_choices(values, result.panels[0].classification, state, lang)
    indicator_controls(state, lang, choices=choices, with_scale=True)
    columns = st.container(key="wide_panels").columns(len(result.panels), gap="small")
    for column, panel in zip(columns, result.panels, strict=True):
        with column, st.container(key=f"panel_{panel.region.lower()}"):
            st.markdown(f"**{html.escape(panel.summary.label)}**")
            draw_map(panel.html, key=f"compare_map_{panel.region.lower()}", height=380)
            st.caption(panel.summary.describe(lang))
            _differs_note(panel.summary, lang)
            draw_legend(
                panel.classification,
                lang,
                key=f"legend_{panel.region.lower()}",
                level=request.level,
                marked=bool(panel.marked),
                note=result.estimate,
            )
    st.subheader(t("app.compare.urban_rural", lang))
    ur_columns = st.columns(max(1, len(result.urban_rural)))
    for column, summary in zip(ur_columns, result.urban_rural, strict=True):
        with column:
            st.metric(
                summary.label,
                summary.headline,
            )
            st.caption(summary.describe(lang))
            _differs_note(summary, lang)
    st.caption(t("app.compare.note", lang))
    if result.estimate:
        st.caption(t("stats.estimate.shown", lang, estimate=result.estimate))


def _differs_note(summary: views.GroupSummary, lang: Lang) -> None:
    """Say under a group's figures that its interval excludes Belgium's share."""
    if summary.differs:
        st.caption(f"◆ {t('stats.differs.legend', lang)}")
