"""The URL as the app's shared state: widget keys are the only store, the query string mirrors them.

Every control of the app has a widget key named like its query parameter (``indicator``,
``level``, ``k``, ``tiles``...) and holds a code, never a translated label. `absorb_url` puts a
link's values into those keys when a query string arrives that the app did not write itself (a
shared link, an old-form link, the browser's back button); `write_url` writes the keys back at
the end of every run. Widgets are drawn with ``persist_state="session"`` so a value survives the
pages where its widget is not drawn.

Streamlit's ``bind="query-params"`` is not used for these widgets: for a selectbox or a radio it
stores the *formatted* option (the translated label) in the URL, so a link would change with the
language and ``?level=province&lang=nl`` would be refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Literal

import streamlit as st

from geobaro.app.state import DEFAULT_STATE, ViewState, read_state, rejected_params

__all__ = [
    "FIELDS",
    "PERSIST",
    "absorb_url",
    "current_state",
    "link_notes",
    "set_state",
    "write_url",
]

#: The query parameters of the app, each the key of the widget (or session value) holding it.
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ViewState))
#: Keyword for every widget that holds a URL field: its value outlives the pages without it.
PERSIST: Literal["session"] = "session"
_WRITTEN_KEY = "_url_written"
_NOTES_KEY = "_url_notes"
_LANG_KEY = "_url_lang"
# choices with translated labels that are not in the URL
_OTHER_CHOICES = ("commune_search",)


def absorb_url(*, views: Sequence[str]) -> str | None:
    """Put the values of a query string the app did not write into the widget keys.

    Called at the start of every run, before any widget is drawn. Missing keys get their
    default. Values a link asks for that are not valid are listed by `link_notes`.

    Parameters
    ----------
    views
        The views a link may open (the router's registry).

    Returns
    -------
    str or None
        The view the link asks for, or ``None`` when the query string is the app's own.
    """
    ss = st.session_state
    params = st.query_params.to_dict()
    wanted: str | None = None
    if params and params != ss.get(_WRITTEN_KEY):
        state = read_state(params, views=views)
        for name in FIELDS:
            if name != "view" and name in params:
                ss[name] = getattr(state, name)
        ss[_NOTES_KEY] = rejected_params(params, views=views)
        if "view" in params and state.view in views:
            wanted = state.view
    for name in FIELDS:
        if name != "view" and name not in ss:
            ss[name] = getattr(DEFAULT_STATE, name)
    _pin_codes_on_language_change()
    return wanted


def _pin_codes_on_language_change() -> None:
    """Re-assign every code when the language changes, so no widget loses its choice.

    The browser reports a selectbox's or a radio's value by its label; after a language
    switch the new labels do not contain the old one, and Streamlit would reset the widget.
    Read now (with the last run's labels) and assigned from code, the code wins.
    """
    ss = st.session_state
    lang = ss.get("lang")
    if ss.get(_LANG_KEY) == lang:
        return
    ss[_LANG_KEY] = lang
    for name in (*FIELDS, *_OTHER_CHOICES):
        if name != "view" and name in ss:
            ss[name] = ss[name]


def link_notes() -> dict[str, str]:
    """Return (and forget) the parameters of the last link that were not valid."""
    notes: dict[str, str] = st.session_state.pop(_NOTES_KEY, {})
    return notes


def current_state(view: str) -> ViewState:
    """Return the state of this run, read from the widget keys (no copy is kept).

    Parameters
    ----------
    view
        The page being shown; every other field comes from the session's keys.
    """
    ss = st.session_state
    values = {name: ss.get(name, getattr(DEFAULT_STATE, name)) for name in FIELDS}
    values["view"] = view
    values["k"] = int(values["k"])
    values["tiles"] = bool(values["tiles"])
    values["weighted"] = bool(values["weighted"])
    values["patterns_k"] = int(values["patterns_k"])
    values["commune"] = str(values["commune"] or "")
    values["indicator"] = str(values["indicator"] or "")
    return ViewState(**values)


def set_state(**changes: object) -> None:
    """Change URL fields from code (callbacks, or before their widgets are drawn)."""
    for name, value in changes.items():
        if name not in FIELDS or name == "view":
            raise KeyError(name)
        st.session_state[name] = value


def write_url(view: str) -> None:
    """Write the state of this run into the query string (only when it changed)."""
    wanted = current_state(view).to_params()
    st.session_state[_WRITTEN_KEY] = wanted
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
