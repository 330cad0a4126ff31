"""Pieces every page draws: maps, legends, the illustrative-data notice, escaped text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
import streamlit.components.v1 as components

from geobaro.i18n import Lang, t

if TYPE_CHECKING:
    from geobaro.maps.choropleth import Classification

__all__ = [
    "CLICK_EVENTS",
    "ILLUSTRATIVE_KEY",
    "NOTICE_FLAG",
    "clicked_code",
    "draw_legend",
    "draw_map",
    "escape_markdown",
    "illustrative_notice",
    "new_click",
]

#: Key of the container holding the "illustrative data" notice (for browser tests).
ILLUSTRATIVE_KEY = "illustrative_notice"
#: Session flag: the notice was shown in this run.
NOTICE_FLAG = "_notice_shown"
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:]")
# the component that shows a map page (a cached string) in an iframe and reports clicks on
# units; no build step
_MAP_FRAME_DIR = str(Path(__file__).resolve().parent / "mapframe")


def escape_markdown(text: str) -> str:
    r"""Return text from data that Streamlit's Markdown shows literally (no links, no HTML).

    Examples
    --------
    >>> print(escape_markdown("[a](x) *b* <i>"))
    \[a\]\(x\) \*b\* \<i\>
    """
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def illustrative_notice(lang: Lang) -> None:
    """Show the notice once per run (the app resets the flag at the start of each run)."""
    if st.session_state.get(NOTICE_FLAG):
        return
    st.session_state[NOTICE_FLAG] = True
    with st.container(key=ILLUSTRATIVE_KEY):
        st.warning(t("app.illustrative.notice", lang), icon=":material/warning:")


def draw_map(
    html: str | Any,
    *,
    key: str,
    height: int,
    returned: list[str] | None = None,
) -> dict[str, Any]:
    """Draw a rendered map page (a string, shared by every session) in a frame of ``height``.

    A click on a commune reruns the app with ``last_active_drawing`` (the feature's
    ``nis_code``) and ``last_object_clicked`` (the point) when ``returned`` asks for them;
    maps without ``returned`` report nothing. Pass the view's ``html``; a folium map is
    rendered here to its page first (`geobaro.maps.render_html`).
    """
    if not isinstance(html, str):
        from geobaro.maps.choropleth import render_html

        html = render_html(html)
    with st.container(key=f"{key}_box"):
        out = map_frame(html, key=key, height=height, clickable=bool(returned))
    return out if returned and isinstance(out, dict) else {}


def map_frame(html: str, *, key: str, height: int, clickable: bool = False) -> Any:
    """Return the component's value: the last click on the map, or ``None``."""
    digest = hashlib.sha1(html.encode("utf-8"), usedforsecurity=False).hexdigest()
    # declared where it is used: Streamlit registers a component with the server only when it
    # is declared inside a script run, and this module is first imported by the server's
    # warm-up (`geobaro.app.warm`), outside any run
    frame = components.declare_component("geobaro_map", path=_MAP_FRAME_DIR)
    return frame(
        html=html, digest=digest, height=height, clickable=clickable, key=key, default=None
    )


#: What a clickable map reports: the feature clicked and where (a new click has a new point).
CLICK_EVENTS = ["last_active_drawing", "last_object_clicked"]


def new_click(returned: dict[str, Any] | None, *, key: str) -> str | None:
    """Return the commune of a click on map ``key`` that was not seen before, else ``None``.

    A map keeps reporting its last click on every rerun; the point clicked tells a new click
    (even on the same commune) from the old one.
    """
    code = clicked_code(returned)
    point = (returned or {}).get("last_object_clicked")
    seen_key = f"_click_{key}"
    event = (code, repr(point))
    if code is None or st.session_state.get(seen_key) == event:
        return None
    st.session_state[seen_key] = event
    return code


def clicked_code(returned: dict[str, Any] | None) -> str | None:
    """Return the NIS code of the commune a map click reported, if it is one.

    Examples
    --------
    >>> clicked_code({"last_active_drawing": {"properties": {"nis_code": "62063"}}})
    '62063'
    >>> clicked_code({"last_active_drawing": {"properties": {"nis_code": "../x"}}}) is None
    True
    """
    feature = (returned or {}).get("last_active_drawing") or {}
    props = feature.get("properties") or {}
    code = str(props.get("nis_code", ""))
    return code if code.isascii() and code.isdigit() and len(code) == 5 else None


def draw_legend(
    classification: Classification,
    lang: Lang,
    *,
    key: str,
    level: str,
    marked: bool = False,
    note: str | None = None,
) -> None:
    """Draw the legend beside the map: the map's own legend (`geobaro.maps.legend`).

    ``marked``: the map outlines groups that differ from Belgium (a legend row says so);
    ``note``: a line under the rows (which estimate the map shows).
    """
    from geobaro.maps.legend import render_legend

    units = t(f"app.level.{level}", lang)
    with st.container(key=key):
        st.markdown(f"**{t('app.legend.title', lang, units=units)}**")
        # generated by the one legend renderer, labels escaped there
        legend = render_legend(
            classification,
            lang=lang,
            marked=t("stats.differs.legend", lang) if marked else None,
            note=note,
        )
        st.markdown(legend, unsafe_allow_html=True)
