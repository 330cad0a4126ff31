"""The five views of the app; each turns its widgets into one request for `geobaro.views.core`."""

from __future__ import annotations

import hashlib
import html
import logging
import re
import threading
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geobaro import views
from geobaro.app import resources
from geobaro.app.session import seed_widget, set_state, view_state
from geobaro.app.state import LEVELS, REGIONS, SCALES, SCHEMES, SOURCES, VINTAGES, parse_breaks
from geobaro.app.upload import (
    Upload,
    clear_upload,
    current_upload,
    process_upload,
    store_upload,
)
from geobaro.i18n import Lang, format_number, format_share, t

if TYPE_CHECKING:
    from geobaro.app.state import ViewState
    from geobaro.maps.choropleth import Classification

__all__ = [
    "ILLUSTRATIVE_KEY",
    "NOTICE_FLAG",
    "PENDING_SOURCE_KEY",
    "active_indicators",
    "escape_markdown",
    "show_commune",
    "show_compare",
    "show_data",
    "show_explore",
    "show_home",
    "show_report",
    "survey_template",
]

log = logging.getLogger(__name__)

#: Key of the container holding the "illustrative data" notice (for browser tests).
ILLUSTRATIVE_KEY = "illustrative_notice"
#: Session flag: the notice was shown in this run.
NOTICE_FLAG = "_notice_shown"
#: Source to switch to at the start of the next run (set after an upload or its removal).
PENDING_SOURCE_KEY = "_pending_source"
#: Digest of a file the user removed while the uploader still holds it.
CLEARED_KEY = "_cleared_digest"
_HEX = re.compile(r"#[0-9a-fA-F]{3,8}")
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:]")
_MAP_HEIGHT = 560
# st_folium renders a map to HTML; shared cached maps are rendered one session at a time
_RENDER_LOCK = threading.Lock()


# --- views -----------------------------------------------------------------------------------


def show_home(lang: Lang) -> None:
    """Show the landing view: published 2017 key figures with sources, and the region map."""
    st.title(t("app.home.title", lang))
    st.markdown(t("app.home.intro", lang))
    figures = resources.get_key_figures()
    st.subheader(t("app.home.figures", lang))
    _key_figures(figures, lang)
    st.subheader(t("app.home.map_title", lang))
    landing = _cached_landing(lang)
    left, right = st.columns([3, 2])
    with left:
        _draw_map(landing.map, key="home_map", height=460)
    with right:
        _legend(landing.classification, lang, key="home_legend", level="region")
        st.caption(t("app.home.map_note", lang))


def show_explore(lang: Lang) -> None:
    """Show the explore view: one indicator, one level; legend and sortable table beside."""
    state = view_state()
    st.title(t("app.view.explore", lang))
    indicators, source = active_indicators(state, lang)
    _indicator_controls(state, lang, with_region=True)
    state = view_state()
    request = views.ExploreRequest(
        **_request_fields(state, lang, source),
        region=None if state.region == "all" else cast(Any, state.region),
        tiles=bool(st.session_state.get("tiles", False)),
        standalone=False,
    )
    result = _explore(request, indicators)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**{html.escape(result.title)}**")
        returned = _draw_map(
            result.map, key="explore_map", height=_MAP_HEIGHT, returned=["last_active_drawing"]
        )
        _offer_profile(returned, lang)
    with right:
        _legend(result.classification, lang, key="explore_legend", level=request.level)
        with st.container(key="explore_table_box"):
            st.dataframe(
                result.table,
                hide_index=True,
                width="stretch",
                height=380,
                key="explore_table",
                column_config=_table_config(request, lang),
            )
    _exports(result, indicators, lang)


def show_compare(lang: Lang) -> None:
    """Show Wallonia, Flanders and Brussels side by side, then urban versus rural."""
    state = view_state()
    st.title(t("app.view.compare", lang))
    indicators, source = active_indicators(state, lang)
    _indicator_controls(state, lang, with_scale=True)
    state = view_state()
    request = views.CompareRequest(
        **_request_fields(state, lang, source),
        scale=cast(Any, state.scale),
        standalone=False,
    )
    if source == "sample":
        result = resources.sample_compare(request)
    else:
        result = resources.memo_session(
            ("compare", request, _digest()),
            lambda: views.render_compare(
                request,
                indicators,
                gdf_communes=resources.get_communes(),
                gdf_units=resources.get_units(request.level, request.vintage),
            ),
        )
    columns = st.columns(len(result.panels), gap="small")
    for column, panel in zip(columns, result.panels, strict=True):
        with column, st.container(key=f"panel_{panel.region.lower()}"):
            st.markdown(f"**{html.escape(panel.summary.label)}**")
            _draw_map(panel.map, key=f"compare_map_{panel.region.lower()}", height=380)
            st.caption(panel.summary.describe(lang))
            _legend(
                panel.classification,
                lang,
                key=f"legend_{panel.region.lower()}",
                level=request.level,
            )
    st.subheader(t("app.compare.urban_rural", lang))
    ur_columns = st.columns(max(1, len(result.urban_rural)))
    for column, summary in zip(ur_columns, result.urban_rural, strict=True):
        with column:
            st.metric(
                summary.label,
                "–" if summary.share is None else f"{summary.share:.0%}",
            )
            st.caption(summary.describe(lang))
    st.caption(t("app.compare.note", lang))


def show_commune(lang: Lang) -> None:
    """Show a commune found by any name: its answers next to province, region, Belgium.

    Clicking a commune on the map beside the profile opens that commune.
    """
    state = view_state()
    st.title(t("app.view.commune", lang))
    indicators, source = active_indicators(state, lang)
    communes = resources.get_communes()
    query = st.text_input(
        t("app.commune.search", lang),
        key="commune_search",
        placeholder=t("app.commune.search_hint", lang),
    )
    known = set(communes["nis_code"])
    current = str(st.session_state.get("commune") or state.commune or "")
    region = None
    if current in known:
        region = str(communes.loc[communes["nis_code"] == current, "region"].iloc[0])
    head, side = st.columns([1, 1], gap="medium")
    with side:
        # drawn first so that a click can select the commune before the selectbox exists
        request_map = views.ExploreRequest(
            indicator=state.indicator or _default_indicator(),
            level="commune",
            lang=lang,
            source=cast(Any, source),
            region=cast(Any, region),
            standalone=False,
        )
        result = _explore(request_map, indicators)
        st.markdown(f"**{html.escape(result.title)}**")
        st.caption(t("app.commune.click_hint", lang))
        returned = _draw_map(
            result.map, key="commune_map", height=520, returned=["last_active_drawing"]
        )
    clicked = _clicked_code(returned)
    if clicked in known and clicked != st.session_state.get("_last_click"):
        st.session_state["_last_click"] = clicked
        st.session_state["commune"] = clicked
        if communes.loc[communes["nis_code"] == clicked, "region"].iloc[0] != region:
            st.rerun()  # redraw the map zoomed to the clicked commune's region
    wanted = str(st.session_state.get("commune") or state.commune or "")
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
    if st.session_state.get("commune") not in options:
        st.session_state["commune"] = wanted if wanted in options else options[0]
    with head:
        nis_code = st.selectbox(
            t("app.commune.pick", lang),
            options,
            key="commune",
            format_func=lambda c: labels.get(c, c),
        )
        _commune_profile(str(nis_code), indicators, source, lang)


def _commune_profile(nis_code: str, indicators: pd.DataFrame, source: str, lang: Lang) -> None:
    communes = resources.get_communes()
    request = views.CommuneRequest(nis_code=nis_code, lang=lang, source=cast(Any, source))
    if source == "sample":
        groups = resources.sample_profile_groups()
    else:
        groups = resources.memo_session(
            ("groups", _digest()),
            lambda: views.compute_profile_groups(indicators, communes),
        )
    profile = views.render_commune(request, indicators, gdf_communes=communes, groups=groups)
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


def show_data(lang: Lang) -> None:
    """Show the data view: upload a survey file, read its report, pick source and vintage."""
    state = view_state()
    st.title(t("app.view.data", lang))
    upload = current_upload()
    seed_widget("source")
    st.radio(
        t("app.data.source", lang),
        SOURCES,
        key="source",
        horizontal=True,
        format_func=lambda s: t(f"app.source.{s}", lang),
    )
    seed_widget("vintage")
    st.selectbox(
        t("app.data.vintage", lang),
        VINTAGES,
        key="vintage",
        format_func=lambda v: t(f"app.vintage.{v}", lang),
    )
    state = view_state()
    if state.source == "sample":
        _illustrative_notice(lang)
    st.subheader(t("app.data.upload", lang))
    st.markdown(t("app.data.upload_help", lang))
    schema = _schema_text()
    if schema:
        with st.expander(t("app.data.format", lang)):
            st.markdown(schema)
    st.download_button(
        t("app.data.template", lang),
        data=survey_template(),
        file_name="geobaro_survey_template.csv",
        mime="text/csv",
        key="download_template",
        on_click="ignore",
    )
    uploaded = st.file_uploader(
        t("app.data.upload_label", lang),
        type=["csv", "txt", "tsv", "xlsx"],
        key="upload_file",
    )
    if uploaded is not None:
        data = uploaded.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        fresh = upload is None or upload.digest != digest
        if fresh and digest != st.session_state.get(CLEARED_KEY):
            with st.spinner(t("app.data.validating", lang)):
                upload = process_upload(data, uploaded.name, gdf_communes=resources.get_communes())
            store_upload(upload)
            if upload.ok:
                st.session_state[PENDING_SOURCE_KEY] = "upload"
                st.rerun()
    if upload is not None:
        show_report(upload, lang)
        if st.button(t("app.data.clear", lang), key="clear_upload"):
            # the uploader still holds the file: remember it so it is not read again
            st.session_state[CLEARED_KEY] = upload.digest
            st.session_state[PENDING_SOURCE_KEY] = "sample"
            clear_upload()
            st.rerun()


@st.cache_data(show_spinner=False)
def _schema_text() -> str:
    """Return ``data/survey/SCHEMA.md`` (a shipped, trusted file), or "" if it is missing."""
    from geobaro.config import get_settings

    try:
        return (get_settings().survey_dir / "SCHEMA.md").read_text(encoding="utf-8")
    except OSError:
        return ""


def survey_template() -> bytes:
    """Return a CSV template of the survey format: every column, two example rows.

    Examples
    --------
    >>> survey_template().decode().splitlines()[0].split(",")[:4]
    ['nis_code', 'commune', 'response_status', 'feels_concerned']
    """
    from geobaro.survey.schema import KEY_COLUMN, NAME_COLUMN, QUESTIONS, STATUS_COLUMN

    header = [KEY_COLUMN, NAME_COLUMN, STATUS_COLUMN, *QUESTIONS]
    answered = ["62063", "Liège", "answered"]
    for q in QUESTIONS.values():
        if q.kind == "multi":
            answered.append("|".join(str(v) for v in q.values[:2]))
        else:
            answered.append(str(q.values[0]))
    refused = ["21004", "Bruxelles", "refused", *[""] * len(QUESTIONS)]
    lines = [",".join(header), ",".join(answered), ",".join(refused)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def show_report(upload: Upload, lang: Lang) -> None:
    """Show the validation report of an upload in full: rows used and every rejected row."""
    with st.container(key="upload_report"):
        st.markdown(f"**{t('app.data.report', lang)}** — {escape_markdown(upload.name)}")
        if upload.error is not None or upload.result is None:
            st.error(f"{t('app.data.unusable', lang)}\n\n{escape_markdown(str(upload.error))}")
            return
        report = upload.result.report
        cols = st.columns(3)
        cols[0].metric(t("app.data.rows_in", lang), report.rows_in)
        cols[1].metric(t("app.data.rows_used", lang), report.rows_used)
        cols[2].metric(t("app.data.rows_rejected", lang), report.rows_rejected)
        st.text(report.summary())
        if upload.result.is_illustrative:
            _illustrative_notice(lang)
        if report.rejected.empty:
            st.success(t("app.data.all_used", lang))
        else:
            st.warning(t("app.data.some_rejected", lang, n=report.rows_rejected))
            with st.container(key="rejected_table_box"):
                st.dataframe(
                    report.rejected,
                    hide_index=True,
                    width="stretch",
                    key="rejected_table",
                )
        for message in report.warnings:
            st.caption(escape_markdown(str(message)))


# --- shared pieces ---------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    r"""Return text from data that Streamlit's Markdown shows literally (no links, no HTML).

    Examples
    --------
    >>> print(escape_markdown("[a](x) *b* <i>"))
    \[a\]\(x\) \*b\* \<i\>
    """
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def active_indicators(state: ViewState, lang: Lang) -> tuple[pd.DataFrame, str]:
    """Return the indicators of the chosen source and that source (upload falls back).

    Shows the illustrative notice whenever the sample is what is shown.
    """
    upload = current_upload()
    if state.source == "upload":
        if upload is not None and upload.ok and upload.indicators is not None:
            if upload.result is not None and upload.result.is_illustrative:
                _illustrative_notice(lang)
            return upload.indicators, "upload"
        st.info(t("app.data.no_upload", lang))
    _illustrative_notice(lang)
    return resources.get_sample_indicators(), "sample"


def _illustrative_notice(lang: Lang) -> None:
    """Show the notice once per run (`main` resets the flag at the start of each run)."""
    if st.session_state.get(NOTICE_FLAG):
        return
    st.session_state[NOTICE_FLAG] = True
    with st.container(key=ILLUSTRATIVE_KEY):
        st.warning(t("app.illustrative.notice", lang), icon="⚠️")


def _indicator_controls(
    state: ViewState, lang: Lang, *, with_region: bool = False, with_scale: bool = False
) -> None:
    ids = views.list_indicators()
    if st.session_state.get("indicator") not in ids:
        st.session_state.pop("indicator", None)
    seed_widget("indicator", state.indicator if state.indicator in ids else _default_indicator())
    row = st.columns([3, 2, 2, 1])
    row[0].selectbox(
        t("app.control.indicator", lang),
        ids,
        key="indicator",
        format_func=lambda i: views.indicator_label(i, lang),
    )
    seed_widget("level")
    row[1].selectbox(
        t("app.control.level", lang),
        LEVELS,
        key="level",
        help=t("app.control.level_help", lang),
        format_func=lambda v: t(f"app.level.{v}", lang),
    )
    seed_widget("scheme")
    row[2].selectbox(
        t("app.control.scheme", lang),
        SCHEMES,
        key="scheme",
        help=t("app.control.scheme_help", lang),
        format_func=lambda s: t(f"app.scheme.{s}", lang),
    )
    seed_widget("k")
    row[3].number_input(t("app.control.k", lang), min_value=3, max_value=7, step=1, key="k")
    extra = st.columns([3, 2, 2, 1])
    if st.session_state.get("scheme") == "user_defined":
        seed_widget("breaks")
        extra[0].text_input(
            t("app.control.breaks", lang),
            key="breaks",
            placeholder="0.2, 0.4, 0.6",
            help=t("app.control.breaks_help", lang),
        )
        if st.session_state.get("breaks") and parse_breaks(st.session_state["breaks"]) is None:
            extra[0].caption(t("app.control.breaks_invalid", lang))
    if with_region:
        seed_widget("region")
        extra[1].selectbox(
            t("app.control.region", lang),
            REGIONS,
            key="region",
            format_func=lambda r: t(f"app.region.{r}", lang),
        )
        extra[2].toggle(t("app.control.tiles", lang), key="tiles", value=False)
    if with_scale:
        seed_widget("scale")
        extra[1].radio(
            t("app.control.scale", lang),
            SCALES,
            key="scale",
            horizontal=True,
            format_func=lambda s: t(f"app.scale.{s}", lang),
        )


def _default_indicator() -> str:
    ids = views.list_indicators()
    return "feels_concerned" if "feels_concerned" in ids else ids[0]


def _request_fields(state: ViewState, lang: Lang, source: str) -> dict[str, Any]:
    """Return the request fields the explore and compare views share, from the view state."""
    return {
        "indicator": state.indicator,
        "level": state.level,
        "scheme": state.scheme,
        "k": state.k,
        "vintage": state.vintage,
        "lang": lang,
        "breaks": _breaks(state),
        "source": source,
    }


def _breaks(state: ViewState) -> tuple[float, ...] | None:
    if state.scheme != "user_defined":
        return None
    breaks = parse_breaks(state.breaks)
    if breaks is None:
        return None
    if views.indicator_kind(state.indicator) == "share" and any(b > 1 for b in breaks):
        return tuple(b / 100 for b in breaks)
    return breaks


def _explore(request: views.ExploreRequest, indicators: pd.DataFrame) -> views.ExploreResult:
    if request.source == "sample":
        return resources.sample_explore(request)
    return resources.memo_session(
        ("explore", request, _digest()),
        lambda: views.render_explore(
            request,
            indicators,
            gdf_communes=resources.get_communes(),
            gdf_units=resources.get_units(request.level, request.vintage),
        ),
    )


def _digest() -> str:
    upload = current_upload()
    return "" if upload is None else upload.digest


def _draw_map(
    fmap: Any,
    *,
    key: str,
    height: int,
    returned: list[str] | None = None,
) -> dict[str, Any]:
    """Draw a folium map; only the listed interactions (none by default) rerun the app."""
    with _RENDER_LOCK, st.container(key=f"{key}_box"):
        out = st_folium(
            fmap,
            key=key,
            height=height,
            use_container_width=True,
            returned_objects=returned or [],
        )
    return out or {}


def _clicked_code(returned: dict[str, Any] | None) -> str | None:
    feature = (returned or {}).get("last_active_drawing") or {}
    props = feature.get("properties") or {}
    code = str(props.get("nis_code", ""))
    return code if code.isdigit() and len(code) == 5 else None


def _offer_profile(returned: dict[str, Any], lang: Lang) -> None:
    code = _clicked_code(returned)
    communes = resources.get_communes()
    if code is None or code not in set(communes["nis_code"]):
        return
    name = views.search_communes(code, communes, lang=lang)
    label = str(name["label"].iloc[0]) if not name.empty else code

    def go() -> None:
        st.session_state.pop("commune_search", None)
        set_state(view="commune", commune=code)

    st.button(t("app.explore.open_profile", lang, name=label), key="open_profile", on_click=go)


def _legend(classification: Classification, lang: Lang, *, key: str, level: str) -> None:
    """Draw the legend outside the map: swatch, label and count of every class."""
    rows = []
    for entry in classification.legend:
        color = entry.color if _HEX.fullmatch(str(entry.color)) else "#cccccc"
        pattern = (
            "background-image:repeating-linear-gradient(45deg,#777 0 2px,transparent 2px 6px);"
            if entry.hatched
            else ""
        )
        rows.append(
            "<div style='display:flex;align-items:center;gap:.5em;margin:.15em 0'>"
            f"<span style='display:inline-block;width:1.4em;height:1em;background:{color};"
            f"{pattern}border:1px solid #555'></span>"
            f"<span>{html.escape(str(entry.label))}</span>"
            f"<span style='margin-left:auto;color:#555'>{int(entry.count)}</span></div>"
        )
    with st.container(key=key):
        units = t(f"app.level.{level}", lang)
        st.markdown(f"**{t('app.legend.title', lang, units=units)}**")
        st.markdown("".join(rows), unsafe_allow_html=True)


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


def _cached_landing(lang: Lang) -> views.LandingResult:
    return _landing(lang)


@st.cache_resource(show_spinner=False)
def _landing(lang: Lang) -> views.LandingResult:
    return views.render_landing(
        lang,
        figures=resources.get_key_figures(),
        gdf_regions=resources.get_units("region", "2018"),
        standalone=False,
    )


def _table_config(request: views.ExploreRequest, lang: Lang) -> dict[str, Any]:
    kind = views.indicator_kind(request.indicator)
    value_label = views.indicator_label(request.indicator, lang)
    config: dict[str, Any] = {
        "nis_code": st.column_config.TextColumn(t("app.table.nis_code", lang)),
        "name": st.column_config.TextColumn(t("app.table.name", lang)),
        "region": st.column_config.TextColumn(t("app.table.region", lang)),
        "n": st.column_config.NumberColumn(t("app.table.n", lang), format="%d"),
        "status": st.column_config.TextColumn(t("app.table.status", lang)),
        "class": st.column_config.TextColumn(t("app.table.class", lang)),
        "response_rate": st.column_config.NumberColumn(
            t("app.table.response_rate", lang), format="%.0f%%"
        ),
        "ci_low": st.column_config.NumberColumn(t("app.table.ci_low", lang), format="%.0f%%"),
        "ci_high": st.column_config.NumberColumn(t("app.table.ci_high", lang), format="%.0f%%"),
    }
    if kind == "share" and not (request.level == "commune" and request.vintage == "2018"):
        config["value"] = st.column_config.NumberColumn(value_label, format="%.0f%%")
    elif kind in {"count", "score"}:
        config["value"] = st.column_config.NumberColumn(value_label, format="%.1f")
    else:
        config["value"] = st.column_config.TextColumn(value_label)
    return config


def _exports(result: views.ExploreResult, indicators: pd.DataFrame, lang: Lang) -> None:
    """Download buttons: map as HTML and PNG, table as CSV, joined data as GeoJSON.

    Each file is built only when its button is clicked.
    """
    files = views.list_exports(
        result,
        indicators,
        gdf_communes=resources.get_communes(),
        attribution=resources.get_attribution(),
    )
    with st.container(key="exports"):
        st.markdown(f"**{t('app.export.title', lang)}**")
        cols = st.columns(len(files))
        for col, file in zip(cols, files, strict=True):
            col.download_button(
                t(f"app.export.{file.kind}", lang),
                data=file.build,
                file_name=file.file_name,
                mime=file.mime,
                key=f"download_{file.kind}",
                on_click="ignore",
            )


def _status_key(status: str) -> str:
    return status if status in {"answered", "refused", "not_reached"} else "no_data"
