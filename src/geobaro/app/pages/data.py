"""Data: choose source and boundary vintage, upload a survey file and read its report."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from geobaro.app import resources
from geobaro.app.draw import escape_markdown, illustrative_notice
from geobaro.app.state import SOURCES, VINTAGES
from geobaro.app.upload import (
    Upload,
    clear_upload,
    current_upload,
    process_upload,
    store_upload,
)
from geobaro.app.url import PERSIST
from geobaro.i18n import Lang, format_integer, t

__all__ = ["CLEARED_KEY", "PENDING_SOURCE_KEY", "show", "show_report", "survey_template"]

#: Source to switch to at the start of the next run (set after an upload or its removal).
PENDING_SOURCE_KEY = "_pending_source"
#: Digest of a file the user removed while the uploader still holds it.
CLEARED_KEY = "_cleared_digest"
_REPORT_LANG_KEY = "_report_lang"
# rows whose reason is also written out in full, and the characters of a value shown there
_FULL_REASONS = 200
_VALUE_CHARS = 60


def show(lang: Lang) -> None:
    """Show the data view: upload a survey file, read its report, pick source and vintage."""
    upload = current_upload()
    st.title(t("app.view.data", lang))
    st.radio(
        t("app.data.source", lang),
        SOURCES,
        key="source",
        horizontal=True,
        format_func=lambda s: t(f"app.source.{s}", lang),
        persist_state=PERSIST,
    )
    st.selectbox(
        t("app.data.vintage", lang),
        VINTAGES,
        key="vintage",
        format_func=lambda v: t(f"app.vintage.{v}", lang),
        persist_state=PERSIST,
    )
    if st.session_state.get("source") == "sample":
        illustrative_notice(lang)
    st.subheader(t("app.data.upload", lang))
    st.markdown(t("app.data.upload_help", lang))
    schema = _schema_text()
    if schema:
        # the reference document is in English; its label says so in every language
        with st.container(key="schema_doc"), st.expander(t("app.data.format", lang)):
            st.markdown(schema)
    st.download_button(
        t("app.data.template", lang),
        data=survey_template(),
        file_name="geobaro_survey_template.csv",
        mime="text/csv",
        key="download_template",
        on_click="ignore",
    )
    uploader_texts(lang)
    uploaded = st.file_uploader(
        t("app.data.upload_label", lang),
        type=["csv", "txt", "tsv", "xlsx"],
        key="upload_file",
    )
    if uploaded is not None:
        data = uploaded.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        fresh = upload is None or upload.digest != digest
        # the report is written in the language it was read in: read again after a switch
        relabel = not fresh and st.session_state.get(_REPORT_LANG_KEY) != lang
        if (fresh or relabel) and digest != st.session_state.get(CLEARED_KEY):
            with st.spinner(t("app.data.validating", lang)):
                upload = process_upload(
                    data, uploaded.name, gdf_communes=resources.get_communes(), lang=lang
                )
            store_upload(upload)
            st.session_state[_REPORT_LANG_KEY] = lang
            if upload.ok and fresh:
                st.session_state[PENDING_SOURCE_KEY] = "upload"
                st.rerun()
    if upload is not None:
        show_report(upload, lang)
        if st.button(t("app.data.clear", lang), key="clear_upload"):
            # the uploader still holds the file: remember it so it is not read again
            st.session_state[CLEARED_KEY] = upload.digest
            st.session_state[PENDING_SOURCE_KEY] = "sample"
            clear_upload()
            st.rerun()


def uploader_texts(lang: Lang) -> None:
    """Write the uploader's button and size limit in ``lang`` (Streamlit writes them in English).

    The texts come from our catalogue; the limit is Streamlit's ``server.maxUploadSize``.
    """
    mb = int(st.get_option("server.maxUploadSize"))
    button = _css_text(t("app.data.uploader_button", lang))
    limit = _css_text(t("app.data.uploader_limit", lang, mb=format_integer(mb, lang)))
    zone = "[data-testid='stFileUploaderDropzone']"
    label = f"{zone} [data-testid='stBaseButton-secondary'] [data-testid='stMarkdownContainer'] p"
    hint = "[data-testid='stFileUploaderDropzoneInstructions'] span"
    st.html(
        "<style>"
        f"{label}{{font-size:0}}{label}::after{{content:{button};font-size:.875rem}}"
        f"{hint}{{font-size:0}}{hint}::after{{content:{limit};font-size:.875rem}}"
        "</style>"
    )


def _css_text(text: str) -> str:
    """Return ``text`` as a CSS string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def show_report(upload: Upload, lang: Lang) -> None:
    """Show the validation report of an upload in full: rows used and every rejected row."""
    with st.container(key="upload_report"):
        st.markdown(f"**{t('app.data.report', lang)}** — {escape_markdown(upload.name)}")
        if upload.error is not None or upload.result is None:
            st.error(f"{t('app.data.unusable', lang)}\n\n{escape_markdown(str(upload.error))}")
            return
        report = upload.result.report
        cols = st.columns(3)
        cols[0].metric(t("app.data.rows_in", lang), report.rows_in)
        cols[1].metric(t("app.data.rows_used", lang), report.rows_used)
        cols[2].metric(t("app.data.rows_rejected", lang), report.rows_rejected)
        # the one summary: the counts above, this line adds the count of each problem
        st.markdown(escape_markdown(report.summary()))
        if upload.result.is_illustrative:
            illustrative_notice(lang)
        if report.rejected.empty:
            st.success(t("app.data.all_used", lang))
        else:
            st.markdown(f"**{t('app.data.rejected_title', lang)}**")
            _rejected_table(report.rejected, lang)
        for message in report.warnings:
            st.caption(escape_markdown(str(message)))


def _rejected_table(rejected: pd.DataFrame, lang: Lang) -> None:
    """Every rejected row: a table to scan, then every reason in full (a grid cell cuts it)."""
    text = st.column_config.TextColumn
    with st.container(key="rejected_table_box"):
        st.dataframe(
            rejected,
            hide_index=True,
            width="stretch",
            key="rejected_table",
            column_order=("row", "column", "value", "reason"),
            column_config={
                "row": st.column_config.NumberColumn(t("app.data.col_row", lang), width=60),
                "column": text(t("app.data.col_column", lang), width=140),
                "value": text(t("app.data.col_value", lang), width=120),
                "reason": text(t("app.data.col_reason", lang), width="large"),
            },
        )
    lines = [
        f"- **{t('app.data.col_row', lang)} {int(r.row)}** · {escape_markdown(str(r.column))} · "
        f"{escape_markdown(str(r.value)[:_VALUE_CHARS])}: {escape_markdown(str(r.reason))}"
        for r in rejected.head(_FULL_REASONS).itertuples()
    ]
    with st.container(key="rejected_reasons"), st.expander(t("app.data.reasons_full", lang)):
        st.markdown("\n".join(lines))


def survey_template() -> bytes:
    """Return a CSV template of the survey format: every column, two example rows.

    Examples
    --------
    >>> survey_template().decode().splitlines()[0].split(",")[:4]
    ['nis_code', 'commune', 'response_status', 'feels_concerned']
    """
    from geobaro.survey.schema import KEY_COLUMN, NAME_COLUMN, QUESTIONS, STATUS_COLUMN

    header = [KEY_COLUMN, NAME_COLUMN, STATUS_COLUMN, *QUESTIONS]
    answered = ["62063", "Liège", "answered"]
    for q in QUESTIONS.values():
        if q.kind == "multi":
            answered.append("|".join(str(v) for v in q.values[:2]))
        else:
            answered.append(str(q.values[0]))
    refused = ["21004", "Bruxelles", "refused", *[""] * len(QUESTIONS)]
    lines = [",".join(header), ",".join(answered), ",".join(refused)]
    return ("\n".join(lines) + "\n").encode("utf-8")


@st.cache_data(show_spinner=False)
def _schema_text() -> str:
    """Return ``data/survey/SCHEMA.md`` (a shipped, trusted file), or "" if it is missing."""
    from geobaro.config import get_settings

    try:
        return (get_settings().survey_dir / "SCHEMA.md").read_text(encoding="utf-8")
    except OSError:
        return ""
