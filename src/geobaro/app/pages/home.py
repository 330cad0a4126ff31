"""Home: the barometer's published 2017 key figures with their sources, and the region map."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app import resources
from geobaro.app.draw import draw_legend, draw_map
from geobaro.i18n import Lang, format_number, format_share, t

__all__ = ["show"]


def show(lang: Lang) -> None:
    """Show the landing view: published 2017 key figures with sources, and the region map."""
    st.title(t("app.home.title", lang))
    st.markdown(t("app.home.intro", lang))
    figures = resources.get_key_figures()
    st.subheader(t("app.home.figures", lang))
    _key_figures(figures, lang)
    st.subheader(t("app.home.map_title", lang))
    landing = _landing(lang)
    left, right = st.columns([3, 2])
    with left:
        draw_map(landing.html, key="home_map", height=460)
    with right:
        draw_legend(landing.classification, lang, key="home_legend", level="region")
        st.caption(t("app.home.map_note", lang))


def _key_figures(figures: pd.DataFrame, lang: Lang) -> None:
    label_col = f"label_{lang}" if f"label_{lang}" in figures else "label_en"
    records = figures.to_dict("records")
    with st.container(key="key_figures"):
        for start in range(0, len(records), 3):
            cols = st.columns(3)
            for col, rec in zip(cols, records[start : start + 3], strict=False):
                value = float(rec["value"])
                text = (
                    format_share(value / 100, lang)
                    if rec["unit"] == "percent"
                    else format_number(value, lang)
                )
                col.metric(str(rec[label_col]), text)
                url = str(rec.get("source_url") or "")
                if url.startswith(("https://", "http://")):
                    col.caption(f"[{t('app.home.source', lang)}]({url.replace(')', '%29')})")
                else:
                    locator = html.escape(str(rec.get("locator") or ""))
                    col.caption(f"{t('app.home.source', lang)}: {locator}")


@st.cache_resource(show_spinner=False)
def _landing(lang: Lang) -> views.LandingResult:
    from geobaro.published import load_published

    return views.render_landing(
        views.LandingRequest(lang, standalone=False),
        views.LandingData(
            resources.get_key_figures(), load_published(), resources.get_units("region", "2018")
        ),
    )
