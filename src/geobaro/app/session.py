"""The session's view state: seeded from the URL, kept across views, changed by widgets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from geobaro.app.state import ViewState, read_state

__all__ = ["STATE_KEY", "WIDGET_FIELDS", "seed_widget", "set_state", "view_state"]

#: Session-state key of the current `ViewState` (the truth the URL mirrors).
STATE_KEY = "_view_state"
#: State fields backed by a widget of the same key.
WIDGET_FIELDS = (
    "view",
    "indicator",
    "level",
    "scheme",
    "k",
    "breaks",
    "region",
    "scale",
    "commune",
    "lang",
    "vintage",
    "source",
)


def view_state() -> ViewState:
    """Return the current state: from the URL on a session's first run, then from widgets."""
    ss = st.session_state
    if STATE_KEY not in ss:
        ss[STATE_KEY] = read_state(st.query_params.to_dict())
    state: ViewState = ss[STATE_KEY]
    changes: dict[str, Any] = {}
    for name in WIDGET_FIELDS:
        if name in ss and ss[name] is not None and ss[name] != getattr(state, name):
            changes[name] = ss[name]
    if changes:
        state = replace(state, **changes)
        ss[STATE_KEY] = state
    return state


def seed_widget(name: str, value: object | None = None) -> None:
    """Give the widget keyed ``name`` its value from the view state before it is drawn.

    Streamlit forgets the value of a widget that was not drawn in the last run; seeding
    from the state keeps every choice across views and restores it from a shared link.
    """
    ss = st.session_state
    if name not in ss:
        ss[name] = getattr(ss[STATE_KEY], name) if value is None else value


def set_state(**changes: object) -> None:
    """Change the view state from code (e.g. a click on the map opening a commune)."""
    ss = st.session_state
    ss[STATE_KEY] = replace(ss[STATE_KEY], **changes)
    for name, value in changes.items():
        if name in WIDGET_FIELDS:
            ss[name] = value
