"""The views of the app and Streamlit's navigation between them (``st.navigation``/``st.Page``).

Adding a view is one module plus one entry:

1. a module (e.g. ``geobaro/app/pages/response.py``) with ``show(lang: Lang) -> None`` that
   draws the view, reading its state with ``geobaro.app.url.current_state(view)``;
2. one `Route` in `ROUTES` below (its position is its place in the menu), and the title as
   ``app.view.<view>`` in the four ``locales/app.*.json`` catalogues.

Each view opens at ``/<view>``; links of the old form ``?view=<view>&...`` open the same view.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from geobaro.i18n import Lang, t

__all__ = ["ROUTES", "Route", "go_to", "navigate", "view_names"]


@dataclass(frozen=True)
class Route:
    """One view of the app.

    Attributes
    ----------
    view
        Its code: the URL path, the ``view`` query parameter and the ``app.view.<view>`` title.
    module
        The module whose ``show(lang)`` draws it (imported when the view is first shown).
    icon
        Streamlit icon of the menu entry.
    """

    view: str
    module: str
    icon: str


ROUTES: tuple[Route, ...] = (
    Route("home", "geobaro.app.pages.home", ":material/home:"),
    Route("explore", "geobaro.app.pages.explore", ":material/map:"),
    Route("compare", "geobaro.app.pages.compare", ":material/compare:"),
    Route("commune", "geobaro.app.pages.commune", ":material/location_city:"),
    Route("response", "geobaro.app.pages.response", ":material/how_to_reg:"),
    Route("patterns", "geobaro.app.pages.patterns", ":material/scatter_plot:"),
    Route("published", "geobaro.app.pages.published", ":material/insights:"),
    Route("data", "geobaro.app.pages.data", ":material/upload_file:"),
)

_PAGES_KEY = "_router_pages"
#: ``draw(view, show)``: runs ``show()`` (the view's content) inside the app's frame.
Drawer = Callable[[str, Callable[[], None]], None]


def view_names() -> tuple[str, ...]:
    """Return the codes of every view, in menu order (the first is the default view)."""
    return tuple(route.view for route in ROUTES)


def navigate(lang: Lang, *, wanted: str | None, draw: Drawer) -> str:
    """Draw the menu in ``lang`` and return the view to show; run it through ``draw``.

    Parameters
    ----------
    lang
        Language of the menu.
    wanted
        The view a link asks for (``?view=...``); it replaces the page of the URL path.
    draw
        Called as ``draw(view, show)`` where ``show()`` draws the view's content: the caller
        wraps it (errors, footer, URL).

    Returns
    -------
    str
        The view that was shown.
    """
    pages = {
        route.view: st.Page(
            _runner(route, lang, draw),
            title=t(f"app.view.{route.view}", lang),
            icon=route.icon,
            url_path=route.view,
            default=index == 0,
        )
        for index, route in enumerate(ROUTES)
    }
    st.session_state[_PAGES_KEY] = pages
    page = st.navigation(list(pages.values()), position="sidebar", expanded=True)
    view = next((name for name, p in pages.items() if p is page), ROUTES[0].view)
    if wanted is not None and wanted in pages and wanted != view:
        st.switch_page(pages[wanted])
    page.run()
    return view


def go_to(view: str) -> None:
    """Open another view now (after a button click; the session's state goes along)."""
    pages = st.session_state.get(_PAGES_KEY) or {}
    if view in pages:
        st.switch_page(pages[view])


def _runner(route: Route, lang: Lang, draw: Drawer) -> Callable[[], None]:
    def show() -> None:
        module = importlib.import_module(route.module)
        draw(route.view, lambda: module.show(lang))

    show.__name__ = f"show_{route.view}"
    return show
