"""Pieces every page draws: maps, legends, the illustrative-data notice, escaped text."""

from __future__ import annotations

import html
import re
import threading
from typing import TYPE_CHECKING, Any

import streamlit as st
from streamlit_folium import st_folium

from geobaro.i18n import Lang, t

if TYPE_CHECKING:
    from geobaro.maps.choropleth import Classification

__all__ = [
    "ILLUSTRATIVE_KEY",
    "NOTICE_FLAG",
    "clicked_code",
    "draw_legend",
    "draw_map",
    "escape_markdown",
    "illustrative_notice",
]

#: Key of the container holding the "illustrative data" notice (for browser tests).
ILLUSTRATIVE_KEY = "illustrative_notice"
#: Session flag: the notice was shown in this run.
NOTICE_FLAG = "_notice_shown"
_HEX = re.compile(r"#[0-9a-fA-F]{3,8}")
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:]")
# st_folium renders a map to HTML; shared cached maps are rendered one session at a time
_RENDER_LOCK = threading.Lock()


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
        st.warning(t("app.illustrative.notice", lang), icon="⚠️")


def draw_map(
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


def draw_legend(classification: Classification, lang: Lang, *, key: str, level: str) -> None:
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
