"""Read a survey file (CSV/XLSX): the entry point `load_survey`, and `match_communes`.

The steps live in their own modules: `text` (CSV) and `xlsx`/`workbook` (XLSX) parse the
file into a `table.Table`; `columns` maps the header; `resolve` and `match` find the
communes; `answers` reads the answers; `validate` checks every row and builds the report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pandas as pd

from geobaro.config import Settings
from geobaro.errors import GeobaroError
from geobaro.survey.columns import map_columns
from geobaro.survey.limits import Deadline, Limits, get_limits
from geobaro.survey.messages import Context, fail, plain
from geobaro.survey.normalize import is_blank
from geobaro.survey.report import (
    PROBLEMS,
    REJECTED_COLUMNS,
    Problem,
    SurveyResult,
    ValidationReport,
)
from geobaro.survey.resolve import KEY_VINTAGES, KeyVintage, Matcher
from geobaro.survey.table import Table, cell_text, format_bytes
from geobaro.survey.text import parse_csv
from geobaro.survey.validate import validate
from geobaro.survey.xlsx import parse_xlsx
from geobaro.vocabulary import LANGS, Lang

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "KEY_VINTAGES",
    "PROBLEMS",
    "REJECTED_COLUMNS",
    "KeyVintage",
    "Problem",
    "SurveyResult",
    "SurveySource",
    "ValidationReport",
    "load_survey",
    "match_communes",
]

#: Largest file accepted by `load_survey` (10 MiB unless ``GEOBARO_MAX_UPLOAD_MB`` says
#: otherwise when geobaro is imported; see `geobaro.survey.limits`).
DEFAULT_MAX_BYTES = get_limits().max_bytes
#: Most rows after the header accepted by `load_survey` (``GEOBARO_MAX_ROWS``, default 10000).
DEFAULT_MAX_ROWS = get_limits().max_rows

#: What `load_survey` reads: a path, raw bytes, or a binary file-like (e.g. Streamlit's
#: ``UploadedFile``).
SurveySource = str | os.PathLike[str] | bytes | IO[bytes]


def load_survey(  # noqa: PLR0913 (the public reader takes its options by keyword)
    source: SurveySource,
    *,
    filename: str | None = None,
    vintage: KeyVintage = "auto",
    max_bytes: int | None = None,
    max_rows: int | None = None,
    time_limit: float | None = None,
    settings: Settings | None = None,
    gdf_communes: pd.DataFrame | None = None,
    lang: Lang = "en",
) -> SurveyResult:
    r"""Read a survey file, match its communes and validate every answer.

    Parameters
    ----------
    source
        A path, the file's bytes, or a binary file-like such as Streamlit's ``UploadedFile``
        (read from the start; its position is restored afterwards).
    filename
        Name used to pick the format (``.csv``/``.txt``/``.tsv`` or ``.xlsx``/``.xlsm``) and in
        messages; defaults to the path or the file-like's ``name``. The content decides when
        the name says nothing.
    vintage
        Vintage of the codes and names in the file. ``auto`` (default) reads them as 2018
        communes and, failing that, as 2019 then 2025 units mapped back to 2018 where the
        unit is one 2018 commune; ``2018`` accepts only 2018 communes; ``2019``/``2025`` read
        every code and name as a unit of that vintage.
    max_bytes, max_rows
        Size bounds (bytes; rows after the header, blank ones included); larger files raise
        `SurveyValidationError`. Default: `geobaro._limits.get_limits` (``GEOBARO_MAX_UPLOAD_MB``,
        ``GEOBARO_MAX_ROWS``).
    time_limit
        Seconds allowed to read, match and validate the file, checked inside every
        expensive step; a slower file raises `SurveyValidationError`. Default:
        ``GEOBARO_PARSE_SECONDS`` (8).
    settings
        Settings used to load the commune reference and mergers.
    gdf_communes
        The commune reference table (`boundaries.load_communes`); loaded when omitted.
    lang
        Language of every message, reason and warning (``fr``, ``nl``, ``de``, ``en``).
        Communes are named by their own name (Gent, Liège) and code.

    Returns
    -------
    SurveyResult

    Raises
    ------
    SurveyValidationError
        If the file is too large (bytes, rows, columns, unpacked size, cells, text length),
        too slow to read, empty, binary, unreadable, or not a survey (no commune key column,
        or no survey column at all). Its message is short and in ``lang``. Problems of
        single rows never raise; they are in the report. Nothing else escapes for bad input.

    Examples
    --------
    >>> text = "commune;feels_concerned;domains\nLuik;oui;mobility|governance\n"
    >>> text += "Sint-Joost-ten-Node;partly;none\nSaint-Nicolas;no;\n"
    >>> result = load_survey(text.encode("cp1252"), filename="answers.csv")
    >>> result.data[["nis_code", "feels_concerned", "domain_mobility"]]
      nis_code feels_concerned  domain_mobility
    0    21014          partly            False
    1    62063             yes             True
    >>> result.report.rejected[["row", "column", "value", "problem"]]
       row   column          value            problem
    0    4  commune  Saint-Nicolas  ambiguous_commune
    """
    if vintage not in KEY_VINTAGES:
        raise ValueError(f"vintage {vintage!r} is not one of {KEY_VINTAGES}")
    lang = lang if lang in LANGS else "en"
    env = get_limits()
    limits = Limits(
        max_bytes=env.max_bytes if max_bytes is None else max_bytes,
        max_rows=env.max_rows if max_rows is None else max_rows,
        max_columns=env.max_columns,
        parse_seconds=env.parse_seconds if time_limit is None else time_limit,
        max_unzip_bytes=env.max_unzip_bytes,
    )
    probe = Context(filename or "file", lang, limits, Deadline(limits.parse_seconds, "file"))
    raw, name = _read_source(source, filename=filename, ctx=probe)
    if gdf_communes is None:
        from geobaro.data.boundaries import load_communes

        gdf_communes = load_communes(settings=settings)
    matcher = Matcher(gdf_communes, vintage=vintage, settings=settings, lang=lang)
    ctx = Context(name, lang, limits, Deadline(limits.parse_seconds, name, lang))
    try:
        table = _parse_table(raw, ctx)
        ctx.deadline.check("matching the columns")
        columns = map_columns(table.header, ctx)
        return validate(table, columns, matcher, ctx)
    except GeobaroError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, UnicodeError, OverflowError) as exc:
        # a reader step tripped on input it did not foresee: one clear error, not a traceback
        raise ctx.fail("err.unexpected", detail=type(exc).__name__) from exc


def match_communes(
    values: Iterable[object],
    *,
    gdf_communes: pd.DataFrame | None = None,
    vintage: KeyVintage = "auto",
    settings: Settings | None = None,
    lang: Lang = "en",
) -> pd.DataFrame:
    """Match commune codes or names to 2018 communes.

    Parameters
    ----------
    values
        NIS codes (int or str) or names in French, Dutch, German or English; case, accents,
        hyphens, apostrophes and spaces are ignored.
    gdf_communes, vintage, settings, lang
        As in `load_survey`.

    Returns
    -------
    pandas.DataFrame
        One row per value: ``value``, ``nis_code`` (NA when not matched), ``candidates``
        (the 2018 codes it could mean, comma-separated), ``reason`` (why it is not matched,
        or how it was mapped).

    Examples
    --------
    >>> m = match_communes(["Luik", 21014, "Sint-Joost-ten-Node", "Saint-Nicolas", "Pelt"])
    >>> m["nis_code"].tolist()
    ['62063', '21014', '21014', nan, nan]
    >>> m.loc[3, "candidates"]
    '46021,62093'
    """
    if gdf_communes is None:
        from geobaro.data.boundaries import load_communes

        gdf_communes = load_communes(settings=settings)
    matcher = Matcher(gdf_communes, vintage=vintage, settings=settings, lang=lang)
    rows = []
    for value in values:
        text = "" if is_blank(value) else cell_text(value)
        res = matcher.resolve(text)
        code = next(iter(res.codes)) if len(res.codes) == 1 and res.problem is None else None
        rows.append(
            {
                "value": value,
                "nis_code": code,
                "candidates": ",".join(sorted(res.codes)),
                "reason": res.reason or res.note or "",
            }
        )
    out = pd.DataFrame(rows, columns=["value", "nis_code", "candidates", "reason"])
    out["nis_code"] = out["nis_code"].astype("str")
    return out


# --- reading the source ---------------------------------------------------------------------

#: Suffixes of formats that are refused with a hint.
_REFUSED = {".xls", ".ods", ".numbers", ".parquet", ".pkl", ".pickle", ".json"}


def _read_source(source: SurveySource, *, filename: str | None, ctx: Context) -> tuple[bytes, str]:
    max_bytes = ctx.limits.max_bytes
    limit = format_bytes(max_bytes)
    if isinstance(source, bytes | bytearray | memoryview):
        raw = bytes(source)
        name = filename or "uploaded file"
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        name = plain(filename or path.name, limit=80)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise fail(
                    "err.too_large", ctx.lang, name=name, size=format_bytes(size), limit=limit
                )
            raw = path.read_bytes()
        except OSError as exc:
            raise fail("err.cannot_read", ctx.lang, name=name, detail=exc.strerror or "") from exc
    elif hasattr(source, "read"):
        name = filename or Path(str(getattr(source, "name", "") or "uploaded file")).name
        raw = _read_filelike(source, max_bytes)
    else:
        raise TypeError(f"source must be a path, bytes or a binary file-like, not {type(source)}")
    name = plain(name, limit=80)
    if len(raw) > max_bytes:
        raise fail("err.too_large", ctx.lang, name=name, size=f"> {limit}", limit=limit)
    if not raw.strip():
        raise fail("err.empty", ctx.lang, name=name)
    return raw, name


def _read_filelike(fh: IO[bytes], max_bytes: int) -> bytes:
    seekable = bool(getattr(fh, "seekable", lambda: False)())
    position = fh.tell() if seekable else None
    try:
        if seekable:
            fh.seek(0)
        raw = fh.read(max_bytes + 1)
    finally:
        if position is not None:
            fh.seek(position)
    if isinstance(raw, str):
        raise TypeError("source must be opened in binary mode ('rb'), not text mode")
    return bytes(raw)


def _parse_table(raw: bytes, ctx: Context) -> Table:
    suffix = Path(ctx.name).suffix.lower()
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ctx.fail("err.ole")
    if raw.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        if not raw.startswith(b"PK\x03\x04"):
            raise ctx.fail("err.named_xlsx", suffix=suffix)
        return parse_xlsx(raw, ctx)
    if suffix in _REFUSED:
        raise ctx.fail("err.format", suffix=suffix)
    return parse_csv(raw, ctx)
