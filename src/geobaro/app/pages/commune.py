"""Commune profile: a commune found by any name, its answers beside province, region, Belgium."""

from __future__ import annotations

import html

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
    weighted_control,
)
from geobaro.app.draw import CLICK_EVENTS, draw_map, escape_markdown, new_click
from geobaro.app.url import PERSIST, current_state
from geobaro.i18n import Lang, t
from geobaro.survey.match import rank_communes
from geobaro.vocabulary import Source

__all__ = ["SEARCH_KEY", "show"]

#: Widget key of the search box.
SEARCH_KEY = "commune_search"
_NOTE_KEY = "_search_note"
# exact, prefix and substring matches open; lower scores are only close spellings
_GOOD_MATCH = 0.7


def show(lang: Lang) -> None:
    """Show a commune found by any name: its answers next to province, region, Belgium.

    Typing a name and Enter opens the best match; a click on the map opens that commune.
    With no commune chosen yet (and none viewed before), the view asks for one.
    """
    ss = st.session_state
    state = current_state("commune")
    st.title(t("app.view.commune", lang))
    indicators, source = active_indicators(state, lang)
    communes = resources.get_communes()
    st.text_input(
        t("app.commune.search", lang),
        key=SEARCH_KEY,
        placeholder=t("app.commune.search_hint", lang),
        on_change=_search,
        args=(lang,),
    )
    head, side = st.container(key="wide_commune").columns([1, 1], gap="medium")
    with side:
        # drawn first so that a click can select the commune before the selectbox exists
        current = str(ss.get("commune") or "")
        region = region_of(current)
        request_map = views.ExploreRequest(
            indicator=state.indicator or default_indicator(),
            level="commune",
            lang=lang,
            source=source,
            region=region,
            standalone=False,
            highlight=current or None,
        )
        result = explore_result(request_map, indicators)
        st.markdown(f"**{html.escape(result.title)}**")
        st.caption(t("app.commune.click_hint", lang))
        returned = draw_map(result.html, key="commune_map", height=520, returned=CLICK_EVENTS)
    clicked = new_click(returned, key="commune_map")
    if clicked is not None and clicked in set(communes["nis_code"]):
        ss["commune"] = clicked
        ss.pop(SEARCH_KEY, None)
        if region_of(clicked) != region:
            st.rerun()  # redraw the map zoomed to the clicked commune's region
    with head:
        nis_code = _pick(lang)
        weighted_control(lang)
        profile = _profile(nis_code, indicators, source, lang) if nis_code else None
    if profile is not None:
        _profile_table(profile, lang)  # the page's full width: province, region, Belgium fit
        from geobaro.app.pages.published import show_commune_waves

        show_commune_waves(nis_code, source, lang)


def _search(lang: Lang) -> None:
    """Open the best match of what was typed (on Enter), or say there is none."""
    ss = st.session_state
    query = str(ss.get(SEARCH_KEY) or "").strip()
    ss.pop(_NOTE_KEY, None)
    if not query:
        return
    ranked = rank_communes(query, resources.get_communes(), lang=lang)
    close = ranked.loc[ranked["score"] >= _GOOD_MATCH]
    if close.empty:
        ss[_NOTE_KEY] = (query, ranked["label"].head(5).tolist())
        return
    ss["commune"] = str(close["nis_code"].iloc[0])


def _pick(lang: Lang) -> str:
    """Draw the chooser among the matches of the search; return the chosen code ("" if none)."""
    ss = st.session_state
    query = str(ss.get(SEARCH_KEY) or "").strip()
    note = ss.get(_NOTE_KEY)
    if note is not None and note[0] == query:
        suggestions = ", ".join(escape_markdown(s) for s in note[1])
        key = "app.commune.none_found_suggest" if suggestions else "app.commune.none_found"
        with st.container(key="search_note"):
            st.info(t(key, lang, query=escape_markdown(query[:60]), names=suggestions))
    communes = resources.get_communes()
    ranked = rank_communes(query, communes, lang=lang) if query else None
    options: list[str] = []
    labels: dict[str, str] = {}
    if ranked is not None:
        good = ranked.loc[ranked["score"] >= _GOOD_MATCH]
        options = good["nis_code"].tolist()
        labels = dict(zip(good["nis_code"], good["label"], strict=True))
    current = str(ss.get("commune") or "")
    if current and current not in labels:
        own = rank_communes(current, communes, lang=lang)
        labels[current] = str(own["label"].iloc[0]) if not own.empty else current
        options = [current, *options]
    if not options:
        st.info(t("app.commune.choose", lang))
        return ""
    if ss.get("commune") not in options:
        ss["commune"] = None  # none chosen: the chooser shows its placeholder
    chosen = st.selectbox(
        t("app.commune.pick", lang),
        options,
        index=None,
        key="commune",
        format_func=lambda c: labels.get(c, c),
        placeholder=t("app.commune.pick_hint", lang),
        persist_state=PERSIST,
    )
    return str(chosen or "")


def _profile(
    nis_code: str, indicators: pd.DataFrame, source: Source, lang: Lang
) -> views.CommuneProfile:
    communes = resources.get_communes()
    request = views.CommuneRequest(
        nis_code=nis_code,
        lang=lang,
        source=source,
        weighted=bool(st.session_state.get("weighted")),
    )
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
        f"{t('maps.status.' + _status_key(profile.response_status), lang)}"
    )
    st.caption(t("stats.estimate.shown", lang, estimate=profile.estimate))
    return profile


def _profile_table(profile: views.CommuneProfile, lang: Lang) -> None:
    text = st.column_config.TextColumn
    with st.container(key="commune_table_box"):
        st.dataframe(
            profile.table.drop(columns="indicator"),
            hide_index=True,
            width="stretch",
            height=460,
            key="commune_table",
            column_config={
                "label": text(t("app.table.indicator", lang), width="large"),
                "commune": text(
                    t("app.profile.commune_col", lang, name=profile.name), width="medium"
                ),
                "province": text(
                    t("app.profile.province_col", lang, name=profile.province), width="medium"
                ),
                "region": text(profile.region, width="medium"),
                "belgium": text(t("app.group.BE", lang), width="medium"),
            },
        )


def _status_key(status: str) -> str:
    return status if status in {"answered", "refused", "not_reached"} else "no_data"
