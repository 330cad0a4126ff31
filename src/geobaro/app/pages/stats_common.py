"""What the statistics pages share: the CSV download of a view's table, labelled by source."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geobaro.i18n import Lang, t

__all__ = ["download_table"]


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
