"""Commune profile: a commune found by any name, its answers beside province, region, Belgium."""

from __future__ import annotations

import html
from typing import Any, cast

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app import resources
from geobaro.app.controls import (
    active_indicators,
    default_indicator,
    explore_result,
    region_of,
    upload_digest,
)
from geobaro.app.draw import clicked_code, draw_map
from geobaro.app.url import PERSIST, current_state
from geobaro.i18n import Lang, t

__all__ = ["show"]


def show(lang: Lang) -> None:
    """Show a commune found by any name: its answers next to province, region, Belgium.

    Clicking a commune on the map beside the profile opens that commune.
    """
    ss = st.session_state
    state = current_state("commune")
    st.title(t("app.view.commune", lang))
    indicators, source = active_indicators(state, lang)
    communes = resources.get_communes()
    query = st.text_input(
        t("app.commune.search", lang),
        key="commune_search",
        placeholder=t("app.commune.search_hint", lang),
    )
    known = set(communes["nis_code"])
    current = str(ss.get("commune") or "")
    region = region_of(current) if current in known else None
    head, side = st.columns([1, 1], gap="medium")
    with side:
        # drawn first so that a click can select the commune before the selectbox exists
        request_map = views.ExploreRequest(
            indicator=state.indicator or default_indicator(),
            level="commune",
            lang=lang,
            source=cast(Any, source),
            region=region,
            standalone=False,
        )
        result = explore_result(request_map, indicators)
        st.markdown(f"**{html.escape(result.title)}**")
        st.caption(t("app.commune.click_hint", lang))
        returned = draw_map(
            result.map, key="commune_map", height=520, returned=["last_active_drawing"]
        )
    clicked = clicked_code(returned)
    if clicked in known and clicked != ss.get("_last_click"):
        ss["_last_click"] = clicked
        ss["commune"] = clicked
        if region_of(clicked) != region:
            st.rerun()  # redraw the map zoomed to the clicked commune's region
    wanted = str(ss.get("commune") or "")
    found = views.search_communes(query, communes, lang=lang)
    options = found["nis_code"].tolist()
    labels = dict(zip(found["nis_code"], found["label"], strict=True))
    if wanted in known and wanted not in labels:
        every = views.search_communes(wanted, communes, lang=lang)
        match = every.loc[every["nis_code"] == wanted]
        options = [wanted, *options]
        labels[wanted] = str(match["label"].iloc[0]) if not match.empty else wanted
    if not options:
        with head:
            st.info(t("app.commune.none_found", lang))
        return
    if ss.get("commune") not in options:
        ss["commune"] = wanted if wanted in options else options[0]
    with head:
        nis_code = st.selectbox(
            t("app.commune.pick", lang),
            options,
            key="commune",
            format_func=lambda c: labels.get(c, c),
            persist_state=PERSIST,
        )
        _profile(str(nis_code), indicators, source, lang)


def _profile(nis_code: str, indicators: pd.DataFrame, source: str, lang: Lang) -> None:
    communes = resources.get_communes()
    request = views.CommuneRequest(nis_code=nis_code, lang=lang, source=cast(Any, source))
    if source == "sample":
        groups = resources.sample_profile_groups()
    else:
        groups = resources.memo_session(
            ("groups", upload_digest()),
            lambda: views.compute_profile_groups(indicators, communes),
        )
    profile = views.render_commune(request, views.ViewData(indicators, communes, groups=groups))
    st.subheader(profile.name)
    st.markdown(
        f"{html.escape(profile.province)} · {html.escape(profile.region)} · "
        f"{t('app.status.' + _status_key(profile.response_status), lang)}"
    )
    with st.container(key="commune_table_box"):
        st.dataframe(
            profile.table.drop(columns="indicator"),
            hide_index=True,
            width="stretch",
            height=460,
            key="commune_table",
            column_config={
                "label": st.column_config.TextColumn(t("app.table.indicator", lang)),
                "commune": st.column_config.TextColumn(
                    t("app.profile.commune_col", lang, name=profile.name)
                ),
                "province": st.column_config.TextColumn(
                    t("app.profile.province_col", lang, name=profile.province)
                ),
                "region": st.column_config.TextColumn(profile.region),
                "belgium": st.column_config.TextColumn(t("app.group.BE", lang)),
            },
        )


def _status_key(status: str) -> str:
    return status if status in {"answered", "refused", "not_reached"} else "no_data"
