"""Explore: one indicator at one level, with its legend, a sortable table and the exports."""

from __future__ import annotations

import functools
import html
from typing import Any

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app import resources
from geobaro.app.controls import (
    active_indicators,
    explore_result,
    indicator_controls,
    map_choices,
    request_fields,
)
from geobaro.app.draw import CLICK_EVENTS, clicked_code, draw_legend, draw_map
from geobaro.app.pages.commune import SEARCH_KEY
from geobaro.app.router import go_to
from geobaro.app.url import current_state, set_state
from geobaro.i18n import Lang, t
from geobaro.survey.match import rank_communes

__all__ = ["offer_profile", "show"]

_MAP_HEIGHT = 560


def show(lang: Lang) -> None:
    """Show the explore view: one indicator, one level; legend and sortable table beside."""
    state = current_state("explore")
    st.title(t("app.view.explore", lang))
    indicators, source = active_indicators(state, lang)
    # the widgets' values are known before they are drawn: the map first tells which
    # controls can change it
    request = views.ExploreRequest(
        **request_fields(state, lang, source),
        region=None if state.region == "all" else state.region,
        tiles=state.tiles,
        standalone=False,
    )
    result = explore_result(request, indicators)
    choices = map_choices(result.values, result.classification, state, lang)
    indicator_controls(state, lang, choices=choices, with_region=True)
    left, right = st.container(key="wide_explore").columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**{html.escape(result.title)}**")
        # above the map and always one button high: a click never moves the page
        slot = st.container(key="profile_slot")
        returned = draw_map(
            result.html, key="explore_map", height=_MAP_HEIGHT, returned=CLICK_EVENTS
        )
        with slot:
            offer_profile(returned, lang)
    with right:
        draw_legend(
            result.classification,
            lang,
            key="explore_legend",
            level=request.level,
            marked=bool(result.marked),
            note=result.estimate,
        )
    # the table below map and legend, the page's full width: every column and name fits
    with st.container(key="explore_table_box"):
        st.dataframe(
            _blanks_last(result.table),
            hide_index=True,
            width="stretch",
            height=380,
            key="explore_table",
            column_config=_table_config(request, lang),
        )
    _exports(result, indicators, lang)
    from geobaro.app.pages.published import show_wave_change

    show_wave_change(request.indicator, source, lang)


def offer_profile(returned: dict[str, Any], lang: Lang) -> None:
    """Offer the profile of the commune clicked last (a hint until a commune is clicked)."""
    code = clicked_code(returned)
    communes = resources.get_communes()
    if code is None or code not in set(communes["nis_code"]):
        st.button(
            t("app.explore.click_hint", lang),
            key="open_profile_hint",
            disabled=True,
            icon=":material/touch_app:",
        )
        return
    name = rank_communes(code, communes, lang=lang)
    label = str(name["label"].iloc[0]) if not name.empty else code
    if st.button(
        t("app.explore.open_profile", lang, name=label),
        key="open_profile",
        type="primary",
        icon=":material/arrow_forward:",
    ):
        st.session_state.pop(SEARCH_KEY, None)
        set_state(commune=code)
        go_to("commune")


def _table_config(request: views.ExploreRequest, lang: Lang) -> dict[str, Any]:
    kind = views.indicator_kind(request.indicator)
    value_label = views.indicator_label(request.indicator, lang)
    text, number = st.column_config.TextColumn, st.column_config.NumberColumn
    config: dict[str, Any] = {
        "nis_code": text(t("app.table.nis_code", lang), width="small"),
        "name": text(t("app.table.name", lang), width="medium"),
        "region": text(t("app.table.region", lang), width="medium"),
        "n": number(t("app.table.n", lang), format="%d", width="small"),
        "status": text(t("app.table.status", lang), width="small"),
        "class": text(t("app.table.class", lang), width="small"),
        "response_rate": number(t("app.table.response_rate", lang), format="%.0f%%", width="small"),
        "ci_low": number(t("app.table.ci_low", lang), format="%.0f%%", width="small"),
        "ci_high": number(t("app.table.ci_high", lang), format="%.0f%%", width="small"),
        "differs_from_belgium": st.column_config.CheckboxColumn(
            t("stats.table.differs", lang), help=t("stats.differs.legend", lang), width="small"
        ),
        "estimate": text(t("stats.table.estimate", lang), width="medium"),
    }
    # the indicator's full label is also the column's tooltip (a long header is cut)
    if kind == "share" and not (request.level == "commune" and request.vintage == "2018"):
        config["value"] = number(value_label, format="%.0f%%", width="medium", help=value_label)
    elif kind in {"count", "score"}:
        config["value"] = number(value_label, format="%.1f", width="medium", help=value_label)
    else:
        config["value"] = text(value_label, width="medium", help=value_label)
    return config


def _blanks_last(table: pd.DataFrame) -> pd.DataFrame:
    """Return the table with empty texts as missing values, which every sort puts last."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].mask(out[column].astype("string").str.strip().eq(""))
    return out


def _exports(result: views.ExploreResult, indicators: pd.DataFrame, lang: Lang) -> None:
    """Download buttons: map as HTML and PNG, table as CSV, joined data as GeoJSON.

    Each file is built only when its button is clicked, from a map built for that file: the
    cached result (shared by sessions) is never rendered again.
    """
    files = _list_exports(result, indicators)
    with st.container(key="exports"):
        st.markdown(f"**{t('app.export.title', lang)}**")
        cols = st.columns(len(files))
        for col, file in zip(cols, files, strict=True):
            col.download_button(
                t(f"app.export.{file.kind}", lang),
                data=functools.partial(_build_export, result.request, indicators, file.kind),
                file_name=file.file_name,
                mime=file.mime,
                key=f"download_{file.kind}",
                on_click="ignore",
            )


def _list_exports(result: views.ExploreResult, indicators: pd.DataFrame) -> list[Any]:
    from geobaro.export import files as export_files

    request = result.request
    return list(
        views.list_exports(
            result,
            views.ViewData(
                indicators,
                resources.get_communes(),
                gdf_units=resources.get_units(request.level, request.vintage),
            ),
            exporters=export_files,
            attribution=resources.get_attribution(request.lang),
        )
    )


def _build_export(request: views.ExploreRequest, indicators: pd.DataFrame, kind: str) -> Any:
    """Build one export from a fresh result (its own map object, rendered for this file)."""
    fresh = views.render_explore(
        request,
        views.ViewData(
            indicators,
            resources.get_communes(),
            gdf_units=resources.get_units(request.level, request.vintage),
        ),
    )
    file = next(f for f in _list_exports(fresh, indicators) if f.kind == kind)
    return file.build()
