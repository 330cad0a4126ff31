"""The Streamlit app of geobaro (the only package part that imports Streamlit)."""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Run the app; imported lazily so ``geobaro.app.state`` loads without Streamlit."""
    from geobaro.app.shell import main as run

    run()
