"""The frame of every run: page setup, language, boundaries, the router, footer and URL."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from geobaro.app import router
from geobaro.app.draw import NOTICE_FLAG, escape_markdown
from geobaro.app.pages.data import PENDING_SOURCE_KEY
from geobaro.app.resources import (
    ensure_boundaries,
    get_attribution,
    get_communes,
    install_assets,
)
from geobaro.app.state import LANGS
from geobaro.app.upload import current_upload
from geobaro.app.url import PERSIST, absorb_url, link_notes, write_url
from geobaro.errors import BoundaryDataError, GeobaroError
from geobaro.i18n import Lang, t

__all__ = ["configure_logging", "main"]

log = logging.getLogger(__name__)

_LANG_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English", "de": "Deutsch"}
_NOTE_CHARS = 40
# columns side by side while each has room, else below each other (an 800 px window with
# the sidebar open leaves ~480 px): no control, table or map squeezed to a sliver; columns
# of maps (containers keyed ``wide_...``) need more room than controls
_LAYOUT_CSS = (
    "<style>"
    "[data-testid='stMain'] [data-testid='stHorizontalBlock']{flex-wrap:wrap}"
    "[data-testid='stMain'] [data-testid='stHorizontalBlock']>[data-testid='stColumn']"
    "{min-width:min(7.5rem,100%);flex-grow:1}"
    "[class*='st-key-wide_'] [data-testid='stHorizontalBlock']>[data-testid='stColumn']"
    "{min-width:min(18rem,100%)}"
    # a control's label wraps in a narrow column instead of ending in "…" ("Pondéré…")
    "[data-testid='stMain'] [data-testid='stWidgetLabel'] .stMarkdownEllipsis,"
    "[data-testid='stMain'] [data-testid='stWidgetLabel'] .stMarkdownEllipsis p"
    "{white-space:normal;text-overflow:clip;overflow:visible}"
    "</style>"
)


def main(static_dir: Path | None = None) -> None:
    """Run one pass of the app (Streamlit calls this on every interaction)."""
    st.set_page_config(
        page_title="geobaro · Smart City barometer",
        page_icon="🗺️",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    configure_logging()
    st.html(_LAYOUT_CSS)
    ss = st.session_state
    ss[NOTICE_FLAG] = False
    pending = ss.pop(PENDING_SOURCE_KEY, None)
    if pending is not None:
        ss["source"] = pending  # before any widget of this run exists
    wanted = absorb_url(views=router.view_names())
    lang = _sidebar()
    assets = str(static_dir or Path("static"))

    def draw(view: str, show: Callable[[], None]) -> None:
        if not _boundaries_ready(lang):
            return
        install_assets(assets)
        notes = {**link_notes(), **_check_against_data(view)}
        if notes:
            _link_note(notes, lang)
        try:
            show()
        except GeobaroError as exc:
            st.error(f"{t('app.error.generic', lang)}\n\n{escape_markdown(str(exc))}")
        except Exception:  # a bug must not show a traceback; the log keeps it
            log.exception("view %s failed", view)
            st.error(t("app.error.generic", lang))
        _footer(lang)
        write_url(view)

    router.navigate(lang, wanted=wanted, draw=draw)


def _sidebar() -> Lang:
    ss = st.session_state
    with st.sidebar:
        lang = st.selectbox(
            "Language · Langue · Taal · Sprache",
            LANGS,
            key="lang",
            format_func=lambda c: _LANG_NAMES[c],
            persist_state=PERSIST,
        )
        upload = current_upload()
        if ss.get("source") == "upload" and upload is not None and upload.ok:
            st.caption(t("app.sidebar.source_upload", lang, name=escape_markdown(upload.name)))
        else:
            st.caption(t("app.sidebar.source_sample", lang))
        st.caption(t("app.sidebar.vintage", lang, vintage=ss.get("vintage", "2018")))
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
    except BoundaryDataError:
        if bar is not None:
            bar.empty()
        # paths and the exception are for the operator: the log (and the CLI) has them
        log.exception("commune boundaries not available")
        with st.container(key="no_boundaries"):
            st.error(f"**{t('app.error.boundaries', lang)}**")
            st.markdown(t("app.error.boundaries_operator", lang))
        return False
    if bar is not None:
        bar.empty()
    return True


def _check_against_data(view: str) -> dict[str, str]:
    """Replace an indicator or commune that the data does not know; return what was replaced.

    The published view's indicator is a published figure: that page checks it. A figure
    left by that page is replaced on the other views without a note.
    """
    from geobaro.app.controls import default_indicator
    from geobaro.app.pages.published import is_published_figure
    from geobaro.views import list_indicators

    ss = st.session_state
    replaced: dict[str, str] = {}
    indicator = str(ss.get("indicator") or "")
    if view != "published" and indicator not in list_indicators():
        if indicator and not is_published_figure(indicator):
            replaced["indicator"] = indicator
        ss["indicator"] = default_indicator()
    commune = str(ss.get("commune") or "")
    if commune and commune not in set(get_communes()["nis_code"]):
        replaced["commune"] = commune
        ss["commune"] = ""
    return replaced


def _link_note(notes: dict[str, str], lang: Lang) -> None:
    """Say which values of the link were not valid and were replaced by defaults."""
    shown = ", ".join(
        f"{name} = {escape_markdown(value[:_NOTE_CHARS])}" for name, value in notes.items()
    )
    with st.container(key="link_note"):
        st.info(t("app.link.invalid", lang, values=shown), icon=":material/info:")


def _footer(lang: Lang) -> None:
    st.divider()
    with st.container(key="attribution"):
        st.caption(f"**{t('app.footer.boundaries', lang)}** {get_attribution(lang)}")
        st.caption(t("app.footer.published", lang))


def configure_logging() -> None:
    """Send geobaro's log records (INFO and above) to the server's stderr, once per process."""
    root = logging.getLogger("geobaro")
    if not any(getattr(h, "_geobaro_app", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._geobaro_app = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
