"""Published figures: every barometer wave on the map, with sources, and the change over time."""

from __future__ import annotations

import functools
import html
from typing import Any, cast

import pandas as pd
import streamlit as st

from geobaro.app import resources
from geobaro.app.draw import draw_map, escape_markdown
from geobaro.app.url import PERSIST, current_state
from geobaro.i18n import Lang, t
from geobaro.maps import render_legend
from geobaro.published import list_series, list_waves, load_crosswalk, load_published
from geobaro.views.published import (
    PublishedRequest,
    PublishedResult,
    group_label,
    list_published_choices,
    published_label,
    render_published,
    resolve_published_request,
    wave_label,
)
from geobaro.views.trends import (
    ChangeRequest,
    ChangeResult,
    TrendsResult,
    WaveChangeRequest,
    WaveChangeResult,
    commune_waves,
    indicators_by_wave,
    list_headlines,
    render_change,
    render_trends,
    render_wave_change,
    series_label,
    trend_chart_png,
)

__all__ = [
    "is_published_figure",
    "show",
    "show_commune_waves",
    "show_headlines",
    "show_wave_change",
]

_MAP_HEIGHT = 520
_CHARTS_PER_ROW = 3
_CHART_HEIGHT = 230


def show(lang: Lang) -> None:
    """Show the published figures of one wave on a map, then the trends of recurring figures."""
    st.title(t("published.page.title", lang))
    st.markdown(t("published.page.intro", lang))
    request = _controls(lang)
    result = _published(request)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**{escape_markdown(result.title)}**")
        draw_map(result.html, key="published_map", height=_MAP_HEIGHT)
        with st.container(key="published_sources"):
            _sources(result.sources, lang)
    with right, st.container(key="published_legend"):
        st.html(result.legend_html)
    # the tables below map and legend, the page's full width: every source link fits
    _table(result, lang)
    if len(result.others):
        with st.container(key="published_others"):
            st.markdown(f"**{t('published.page.others', lang)}**")
            _figure_list(result.others, lang)
    if len(result.conflicts):
        with st.container(key="published_conflicts"):
            st.subheader(t("published.page.conflicts", lang))
            _conflicts(result.conflicts, lang)
    with st.expander(t("published.page.unmapped", lang), expanded=False):
        _figure_list(result.unmapped, lang)
    _trends(request, lang)


def show_commune_waves(nis_code: str, source: str, lang: Lang) -> None:
    """Show a commune's answers per wave (the commune profile calls this), when there are two.

    The sample has two illustrative waves; an upload has them when its file has a ``wave``
    column with two values or more.
    """
    by_wave = _waves_of(source)
    if len(by_wave) < 2 or not nis_code:
        return
    with st.container(key="commune_waves"):
        st.subheader(t("published.profile.waves", lang))
        if source == "sample":
            st.caption(t("published.profile.waves_sample", lang))
        table = commune_waves(by_wave, nis_code, lang=lang)
        st.dataframe(
            table.drop(columns="indicator"),
            hide_index=True,
            width="stretch",
            column_config={
                "label": st.column_config.TextColumn(t("published.column.figure", lang))
            },
        )


def show_wave_change(indicator: str, source: str, lang: Lang) -> None:
    """Map the change of Explore's indicator for the communes that answered two waves.

    Offered under Explore's map (a toggle, off by default) when the data have two waves or
    more (the sample's two illustrative waves, or an upload with a ``wave`` column); not for
    answer categories.
    """
    from geobaro.views import indicator_kind

    waves = _wave_names(source)
    if len(waves) < 2 or not indicator or indicator_kind(indicator) == "category":
        return
    with st.container(key="wave_change"):
        # off by default: Explore's page keeps one map unless the change is asked for; the
        # waves' indicators are computed only then (not on every first map)
        if not st.toggle(t("published.explore.change", lang), key="show_wave_change"):
            return
        by_wave = _waves_of(source)
        row = st.columns(2)
        before = row[0].selectbox(t("published.explore.from", lang), waves, key="wave_from")
        later = [w for w in waves if w != before]
        after = row[1].selectbox(t("published.explore.to", lang), later, key="wave_to")
        request = WaveChangeRequest(
            indicator, before, after, lang, source=cast(Any, source), standalone=False
        )
        change = _wave_change(request, by_wave)
        st.markdown(f"**{escape_markdown(change.title)}**")
        if source == "sample":
            st.caption(t("published.profile.waves_sample", lang))
        st.caption(t("published.explore.both", lang, n=change.both))
        left, right = st.columns([3, 2], gap="medium")
        with left:
            draw_map(change.html, key="wave_change_map", height=420)
        with right:
            st.html(render_legend(change.classification, lang=lang))


def show_headlines(lang: Lang, *, limit: int = 6) -> None:
    """Show what changed across waves, each with its sources (the overview page calls this).

    Changes that the respondent counts can judge come first, then the others, then the
    respondent counts; a button opens the published figures.
    """
    heads = _headlines(lang)
    order = {"beyond_noise": 0, "within_noise": 1, "not_assessable": 2, "exact": 3}
    heads = heads.assign(_o=heads["verdict"].map(order)).sort_values("_o", kind="stable")
    with st.container(key="home_headlines"):
        st.subheader(t("published.page.headlines", lang))
        for row in heads.head(limit).itertuples(index=False):
            links = " · ".join(
                f"[{t('published.column.source', lang)}]({str(u).replace(')', '%29')})"
                for u in dict.fromkeys([row.source_from, row.source_to])
                if str(u).startswith(("https://", "http://"))
            )
            st.markdown(f"- {escape_markdown(row.text)} {links}")
        if st.button(
            t("published.page.title", lang), key="open_published", icon=":material/arrow_forward:"
        ):
            from geobaro.app.router import go_to

            go_to("published")


def is_published_figure(indicator: str) -> bool:
    """Return whether an indicator id is a published figure (the shell leaves it to this page)."""
    return indicator in set(_figures()["indicator"])


def _is_explore(indicator: str) -> bool:
    from geobaro.views import list_indicators

    return indicator in list_indicators()


# --- controls --------------------------------------------------------------------------------


def _controls(lang: Lang) -> PublishedRequest:
    """Draw wave, figure and breakdown, each holding its URL field; return the request."""
    ss = st.session_state
    state = current_state("published")
    figures = _figures()
    asked = PublishedRequest(state.wave, state.indicator, state.level, lang)
    request, changed = resolve_published_request(asked, figures)
    # an explore indicator or level left by another view is replaced without a note
    bad_wave = bool(state.wave) and "wave" in changed
    bad_level = "level" in changed and state.level in ("region", "province")
    bad_figure = (
        "indicator" in changed and bool(state.indicator) and not _is_explore(state.indicator)
    )
    if bad_wave or bad_figure or bad_level:
        st.info(t("published.page.adjusted", lang), icon=":material/info:")
    ss["wave"], ss["indicator"], ss["level"] = request.wave, request.indicator, request.level
    choices = list_published_choices(figures)
    row = st.columns([2, 4, 2])
    row[0].selectbox(
        t("published.page.wave", lang),
        [w for w in list_waves(figures) if w in choices],
        key="wave",
        format_func=lambda w: wave_label(w, lang),
        persist_state=PERSIST,
    )
    wave = ss["wave"]
    if ss["indicator"] not in choices[wave]:
        ss["indicator"] = resolve_published_request(
            PublishedRequest(wave, ss["indicator"], ss["level"], lang), figures
        )[0].indicator
    row[1].selectbox(
        t("published.page.figure", lang),
        sorted(choices[wave], key=lambda i: published_label(i, lang)),
        key="indicator",
        format_func=lambda i: published_label(i, lang),
        persist_state=PERSIST,
    )
    levels = choices[wave][ss["indicator"]]
    if ss["level"] not in levels:
        ss["level"] = levels[0]
    row[2].radio(
        t("published.page.level", lang),
        levels,
        key="level",
        horizontal=True,
        format_func=lambda v: t(f"published.page.level.{v}", lang),
        persist_state=PERSIST,
    )
    return PublishedRequest(ss["wave"], ss["indicator"], ss["level"], lang, standalone=False)


# --- sections --------------------------------------------------------------------------------


def _sources(sources: pd.DataFrame, lang: Lang) -> None:
    lines = []
    for url, locator in sources.itertuples(index=False):
        where = escape_markdown(str(locator))
        if str(url).startswith(("https://", "http://")):
            lines.append(f"[{escape_markdown(str(url))}]({str(url).replace(')', '%29')}) — {where}")
        else:
            lines.append(where)
    st.caption(f"**{t('published.page.sources', lang)}:** " + " · ".join(lines))


def _figure_list(rows: pd.DataFrame, lang: Lang) -> None:
    if rows.empty:
        return
    st.dataframe(
        rows[["wave", "label", "group", "text", "source_url", "locator", "note"]],
        hide_index=True,
        width="stretch",
        column_config={
            "wave": st.column_config.TextColumn(t("published.column.wave", lang)),
            "label": st.column_config.TextColumn(t("published.column.figure", lang)),
            "group": st.column_config.TextColumn(t("published.column.group", lang)),
            "text": st.column_config.TextColumn(t("published.column.value", lang)),
            "source_url": st.column_config.LinkColumn(t("published.column.source", lang)),
            "locator": st.column_config.TextColumn(t("published.column.locator", lang)),
            "note": st.column_config.TextColumn(t("published.column.note", lang)),
        },
    )


def _table(result: PublishedResult, lang: Lang) -> None:
    st.markdown(f"**{t('published.page.table', lang)}**")
    table = result.table[["place", "text", "status", "source_url", "locator", "note"]]
    with st.container(key="published_table_box"):
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="published_table",
            column_config={
                "place": st.column_config.TextColumn(t("published.column.unit", lang)),
                "text": st.column_config.TextColumn(t("published.column.value", lang)),
                "status": st.column_config.TextColumn(t("published.column.status", lang)),
                "source_url": st.column_config.LinkColumn(t("published.column.source", lang)),
                "locator": st.column_config.TextColumn(t("published.column.locator", lang)),
                "note": st.column_config.TextColumn(t("published.column.note", lang)),
            },
        )
    stem = f"geobaro_{result.request.wave}_{result.request.indicator}_{result.request.level}"
    csv_col, png_col = st.columns(2)
    csv_col.download_button(
        t("published.page.download", lang),
        data=result.table.to_csv(index=False).encode("utf-8"),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="published_download",
        on_click="ignore",
    )
    png_col.download_button(
        t("published.page.download_png", lang),
        data=lambda: _map_png(result, lang),
        file_name=f"{stem}.png",
        mime="image/png",
        key="published_download_png",
        on_click="ignore",
    )


def _conflicts(conflicts: pd.DataFrame, lang: Lang) -> None:
    for (indicator, group), rows in conflicts.groupby(["indicator", "group"], sort=False):
        values = ", ".join(
            f"{v} ({html.escape(str(u or loc))})"
            for v, u, loc in zip(rows["text"], rows["source_url"], rows["locator"], strict=True)
        )
        name = f"{published_label(str(indicator), lang)} ({group})"
        note = t("published.conflict_note", lang, values=escape_markdown(values))
        st.warning(f"{escape_markdown(name)}: {note}")
    _figure_list(conflicts, lang)


def _trends(request: PublishedRequest, lang: Lang) -> None:
    crosswalk = _crosswalk()
    st.subheader(t("published.page.trends", lang))
    with st.container(key="published_headlines"):
        st.markdown(f"**{t('published.page.headlines', lang)}**")
        heads = _headlines(lang)
        st.markdown("\n".join(f"- {escape_markdown(text)}" for text in heads["text"]))
    series = list_series(crosswalk)
    here = crosswalk[
        (crosswalk["wave"] == request.wave) & (crosswalk["indicator"] == request.indicator)
    ]
    if "trend_series" not in st.session_state or st.session_state.get("_trend_for") != (
        request.wave,
        request.indicator,
    ):
        st.session_state["trend_series"] = here["series"].iloc[0] if len(here) else series[0]
        st.session_state["_trend_for"] = (request.wave, request.indicator)
    chosen = st.selectbox(
        t("published.page.series", lang),
        series,
        key="trend_series",
        format_func=lambda s: series_label(s, lang),
    )
    trends = _trend(chosen, lang)
    groups = list(trends.charts)
    with st.container(key="published_trends"):
        for start in range(0, len(groups), _CHARTS_PER_ROW):
            cols = st.columns(_CHARTS_PER_ROW)
            for col, group in zip(cols, groups[start : start + _CHARTS_PER_ROW], strict=False):
                with col:
                    st.vega_lite_chart(trends.charts[group], width="stretch", height=_CHART_HEIGHT)
                    points = trends.points[trends.points["group"] == group]
                    st.download_button(
                        "PNG",
                        data=functools.partial(trend_chart_png, points, lang=lang),
                        file_name=f"geobaro_trend_{chosen}_{group}.png",
                        mime="image/png",
                        key=f"trend_png_{group}",
                        on_click="ignore",
                    )
    if len(trends.changes):
        _changes_table(trends, lang)
    st.caption(t("published.page.noise_help", lang))
    st.download_button(
        t("published.page.download_trend", lang),
        data=trends.points.drop(columns=["wave_label"]).to_csv(index=False).encode("utf-8"),
        file_name=f"geobaro_trend_{chosen}.csv",
        mime="text/csv",
        key="trend_download",
        on_click="ignore",
    )
    st.markdown(f"**{t('published.page.change_map', lang)}**")
    if not trends.pairs:
        st.caption(t("published.page.no_change_map", lang))
        return
    pair = st.selectbox(
        t("published.page.change_map", lang),
        trends.pairs,
        key="change_pair",
        format_func=lambda p: _pair_label(p, lang),
        label_visibility="collapsed",
    )
    change = _change(ChangeRequest(chosen, pair[0], pair[1], pair[2], lang, standalone=False))  # type: ignore[arg-type]
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**{escape_markdown(change.title)}**")
        draw_map(change.html, key="change_map", height=420)
        st.caption(escape_markdown(change.source_line))
    with right, st.container(key="change_legend"):
        st.html(change.legend_html)


def _pair_label(pair: tuple[str, str, str], lang: Lang) -> str:
    level = t(f"published.page.level.{pair[2]}", lang)
    return f"{wave_label(pair[0], lang)} → {wave_label(pair[1], lang)} ({level})"


def _changes_table(trends: TrendsResult, lang: Lang) -> None:
    table = trends.changes.assign(
        group=[group_label(g, lang) for g in trends.changes["group"]],
        waves=[
            f"{a} → {b}"
            for a, b in zip(trends.changes["wave_from"], trends.changes["wave_to"], strict=True)
        ],
        match=[t(f"published.match.{m}", lang) for m in trends.changes["match"]],
    )
    st.dataframe(
        table[["group", "waves", "text", "verdict_text", "match", "source_from", "source_to"]],
        hide_index=True,
        width="stretch",
        key="trend_changes",
        column_config={
            "group": st.column_config.TextColumn(t("published.column.group", lang)),
            "waves": st.column_config.TextColumn(t("published.column.wave", lang)),
            "text": st.column_config.TextColumn(t("published.column.change", lang)),
            "verdict_text": st.column_config.TextColumn(t("published.column.verdict", lang)),
            "match": st.column_config.TextColumn(t("published.column.match", lang)),
            "source_from": st.column_config.LinkColumn(t("published.column.source", lang)),
            "source_to": st.column_config.LinkColumn(t("published.column.source", lang)),
        },
    )


def _map_png(result: PublishedResult, lang: Lang) -> bytes:
    from geobaro.export.files import export_png

    if result.gdf_units is None:
        raise ValueError("the view holds no units to draw")
    return export_png(
        result.gdf_units,
        result.values,
        result.classification,
        title=result.title,
        source=result.sources_text,
        attribution=resources.get_attribution(lang),
        lang=lang,
        value_labels=True,  # a published map says its numbers on the units, as on screen
    )


def _wave_names(source: str) -> tuple[str, ...]:
    """Return the waves of the data (without computing their indicators)."""
    if source == "sample":
        from geobaro.survey.sample import SAMPLE_WAVES

        return SAMPLE_WAVES
    result = _upload_result()
    return () if result is None else tuple(getattr(result, "waves", ()))


def _upload_result() -> Any:
    """Return the survey read from this session's upload, or ``None``."""
    from geobaro.app.upload import current_upload

    upload = current_upload()
    return None if upload is None else upload.result


def _waves_of(source: str) -> dict[str, pd.DataFrame]:
    if source == "sample":
        return _sample_waves()
    if len(_wave_names(source)) < 2:
        return {}
    from geobaro.app.controls import upload_digest

    result = _upload_result()
    return resources.memo_session(
        ("waves", upload_digest()),
        lambda: indicators_by_wave(result, resources.get_communes()),
    )


# --- caches ----------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _figures() -> pd.DataFrame:
    return load_published()


@st.cache_data(show_spinner=False)
def _crosswalk() -> pd.DataFrame:
    return load_crosswalk()


@st.cache_resource(show_spinner=False, max_entries=64)
def _published(request: PublishedRequest) -> PublishedResult:
    return render_published(
        request, _figures(), gdf_units=resources.get_units(request.level, "2018")
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def _trend(series: str, lang: Lang) -> TrendsResult:
    return render_trends(series, _figures(), _crosswalk(), lang=lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def _change(request: ChangeRequest) -> ChangeResult:
    return render_change(
        request, _figures(), _crosswalk(), gdf_units=resources.get_units(request.level, "2018")
    )


@st.cache_resource(show_spinner=False)
def _sample_waves() -> dict[str, pd.DataFrame]:
    from geobaro.survey.sample import load_sample_waves

    communes = resources.get_communes()
    return indicators_by_wave(load_sample_waves(gdf_communes=communes), communes)


def _wave_change(request: WaveChangeRequest, by_wave: dict[str, pd.DataFrame]) -> WaveChangeResult:
    if request.source == "sample":
        return _sample_wave_change(request)
    from geobaro.app.controls import upload_digest

    return resources.memo_session(
        ("wave_change", request, upload_digest()),
        lambda: render_wave_change(
            request, by_wave, gdf_units=resources.get_units("commune", "2018")
        ),
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _sample_wave_change(request: WaveChangeRequest) -> WaveChangeResult:
    return render_wave_change(
        request, _sample_waves(), gdf_units=resources.get_units("commune", "2018")
    )


@st.cache_data(show_spinner=False)
def _headlines(lang: Lang) -> pd.DataFrame:
    return list_headlines(_figures(), _crosswalk(), lang=lang)
