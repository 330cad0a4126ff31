"""Home: the barometer's published 2017 key figures with their sources, and the region map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app import resources
from geobaro.app.draw import draw_legend, draw_map, escape_markdown
from geobaro.i18n import Lang, t

__all__ = ["show"]


def show(lang: Lang) -> None:
    """Show the landing view: published 2017 key figures with sources, and the region map."""
    st.title(t("app.home.title", lang))
    st.markdown(t("app.home.intro", lang))
    from geobaro.app.pages.published import show_headlines

    show_headlines(lang)
    landing = _landing(lang)
    st.subheader(t("app.home.figures", lang))
    _key_figures(landing.figures, lang)
    st.subheader(t("app.home.map_title", lang))
    left, right = st.container(key="wide_home").columns([3, 2])
    with left:
        draw_map(landing.html, key="home_map", height=460)
    with right:
        draw_legend(landing.classification, lang, key="home_legend", level="region")
        st.caption(t("app.home.map_note", lang))


def _key_figures(figures: pd.DataFrame, lang: Lang) -> None:
    """Each figure: what it counts and for whom (in full, wrapped), its value, its source."""
    records = figures.to_dict("records")
    with st.container(key="key_figures"):
        for start in range(0, len(records), 3):
            cols = st.columns(3)
            for col, rec in zip(cols, records[start : start + 3], strict=False):
                label = f"{rec['label']} — {rec['group_label']}"
                col.markdown(f"**{escape_markdown(label)}**")
                col.metric(label, str(rec["value_text"]), label_visibility="collapsed")
                url = str(rec.get("source_url") or "")
                if url.startswith(("https://", "http://")):
                    col.caption(f"[{t('app.home.source', lang)}]({url.replace(')', '%29')})")
                else:
                    locator = escape_markdown(str(rec.get("locator") or ""))
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
