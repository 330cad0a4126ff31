"""What the statistics pages share: their view results (cached) and the CSV of a view's table."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app import resources
from geobaro.app.controls import upload_digest
from geobaro.i18n import Lang, t

__all__ = ["download_table", "statistics_view"]

#: The statistics views, each drawn over the 2018 communes.
_RENDERERS: dict[str, Any] = {
    "patterns": views.render_patterns,
    "response": views.render_response,
}


def statistics_view(name: str, request: Any, indicators: pd.DataFrame) -> Any:
    """Return the ``name`` view of ``request``: shared for the sample, per session for uploads."""
    if request.source == "sample":
        return _sample_view(name, request)
    return resources.memo_session(
        (name, request, upload_digest()),
        lambda: _RENDERERS[name](request, _commune_data(indicators)),
    )


@st.cache_resource(show_spinner=False, max_entries=40)
def _sample_view(name: str, request: Any) -> Any:
    """Return a statistics view of the sample, shared by every session."""
    return _RENDERERS[name](request, _commune_data(resources.get_sample_indicators()))


def _commune_data(indicators: pd.DataFrame) -> views.ViewData:
    return views.ViewData(
        indicators, resources.get_communes(), gdf_units=resources.get_units("commune", "2018")
    )


def download_table(table: pd.DataFrame, *, name: str, source: str, lang: Lang) -> None:
    """Offer ``table`` as CSV (formulas neutralised), with a ``source`` column on every row.

    The sample's rows say "illustrative sample", so a downloaded file is never mistaken for
    the survey's answers.
    """
    from geobaro.export.files import export_csv

    labelled = table.assign(source=t(f"app.source.{source}", lang))
    st.download_button(
        t("app.export.csv", lang),
        data=export_csv(labelled),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download_{name.split('_')[1]}_csv",
        on_click="ignore",
    )
