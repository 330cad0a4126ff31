"""The Streamlit app of geobaro (the only package part that imports Streamlit)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["main"]


def main(static_dir: Path | None = None) -> None:
    """Run the app; imported lazily so ``geobaro.app.state`` loads without Streamlit.

    Parameters
    ----------
    static_dir
        The ``static/`` folder beside the app's main script, which Streamlit serves at
        ``/app/static/``; Leaflet is copied there. Default: ``./static``.
    """
    from geobaro.app.shell import main as run

    run(static_dir=static_dir)
