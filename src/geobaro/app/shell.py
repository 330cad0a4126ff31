"""Entry point of the Streamlit app: page setup, boundaries, view state, navigation."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import streamlit as st

from geobaro.app import pages
from geobaro.app.pages import NOTICE_FLAG, PENDING_SOURCE_KEY, escape_markdown
from geobaro.app.resources import (
    ensure_boundaries,
    get_attribution,
    get_communes,
    install_assets,
)
from geobaro.app.session import STATE_KEY, seed_widget, view_state
from geobaro.app.state import LANGS, VIEWS, ViewState
from geobaro.app.upload import current_upload
from geobaro.errors import BoundaryDataError, GeobaroError
from geobaro.i18n import Lang, t

__all__ = ["main"]

log = logging.getLogger(__name__)

_LANG_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English", "de": "Deutsch"}
_PAGES = {
    "home": pages.show_home,
    "explore": pages.show_explore,
    "compare": pages.show_compare,
    "commune": pages.show_commune,
    "data": pages.show_data,
}


def main(static_dir: Path | None = None) -> None:
    """Run one pass of the app (Streamlit calls this on every interaction)."""
    st.set_page_config(
        page_title="geobaro · Smart City barometer",
        page_icon="🗺️",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    _configure_logging()
    st.session_state[NOTICE_FLAG] = False
    pending = st.session_state.pop(PENDING_SOURCE_KEY, None)
    if pending is not None:
        st.session_state["source"] = pending  # before any widget of this run exists
    state = view_state()
    lang = _sidebar(state)
    state = view_state()
    if not _boundaries_ready(lang):
        return
    install_assets(str(static_dir or Path("static")))
    state = _check_against_data(state)
    try:
        _PAGES[state.view](lang)
    except GeobaroError as exc:
        st.error(f"{t('app.error.generic', lang)}\n\n{escape_markdown(str(exc))}")
    except Exception:  # a bug must not show a traceback; the log keeps it
        log.exception("view %s failed", state.view)
        st.error(t("app.error.generic", lang))
    _footer(lang)
    _write_url()


def _sidebar(state: ViewState) -> Lang:
    with st.sidebar:
        seed_widget("lang")
        lang = cast(
            "Lang",
            st.selectbox(
                "Language · Langue · Taal · Sprache",
                LANGS,
                key="lang",
                format_func=lambda c: _LANG_NAMES[c],
            ),
        )
        seed_widget("view")
        st.radio(
            t("app.nav.label", lang),
            VIEWS,
            key="view",
            format_func=lambda v: t(f"app.view.{v}", lang),
        )
        upload = current_upload()
        if state.source == "upload" and upload is not None and upload.ok:
            st.caption(t("app.sidebar.source_upload", lang, name=escape_markdown(upload.name)))
        else:
            st.caption(t("app.sidebar.source_sample", lang))
        st.caption(t("app.sidebar.vintage", lang, vintage=state.vintage))
    return lang


def _boundaries_ready(lang: Lang) -> bool:
    bar: Any = None

    def progress(fraction: float, message: str) -> None:
        nonlocal bar
        if bar is None:
            bar = st.progress(0.0, text=t("app.boundaries.preparing", lang))
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        ensure_boundaries(progress)
    except BoundaryDataError as exc:
        if bar is not None:
            bar.empty()
        st.error(f"**{t('app.error.boundaries', lang)}**\n\n{escape_markdown(str(exc))}")
        return False
    if bar is not None:
        bar.empty()
    return True


def _check_against_data(state: ViewState) -> ViewState:
    """Drop an indicator or commune of a link that the data does not know."""
    from geobaro.views import list_indicators

    changes: dict[str, Any] = {}
    if state.indicator and state.indicator not in list_indicators():
        changes["indicator"] = ""
    if state.commune and state.commune not in set(get_communes()["nis_code"]):
        changes["commune"] = ""
    if not changes:
        return state
    for name in changes:
        st.session_state.pop(name, None)  # their widgets are not drawn yet in this run
    state = replace(state, **changes)
    st.session_state[STATE_KEY] = state
    return state


def _footer(lang: Lang) -> None:
    st.divider()
    with st.container(key="attribution"):
        st.caption(f"**{t('app.footer.boundaries', lang)}** {get_attribution()}")
        st.caption(t("app.footer.published", lang))


def _write_url() -> None:
    state = view_state()  # absorbs the widgets changed in this run
    wanted = state.to_params()
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _configure_logging() -> None:
    root = logging.getLogger("geobaro")
    if not any(getattr(h, "_geobaro_app", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._geobaro_app = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
