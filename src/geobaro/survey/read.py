"""Read survey files (CSV/XLSX), match communes, validate answers and report every problem."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import re
import warnings
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, get_args

import pandas as pd

from geobaro.config import Settings
from geobaro.errors import SurveyValidationError
from geobaro.survey.limits import Deadline, Limits, get_limits
from geobaro.survey.normalize import (
    is_blank,
    is_formula,
    neutralise_formula,
    normalize_code,
    normalize_header,
    normalize_name,
    normalize_token,
    split_multi,
)
from geobaro.survey.schema import (
    ANSWER_COLUMNS,
    DATA_COLUMNS,
    DATA_STATUS_COLUMN,
    KEY_COLUMN,
    KEY_COLUMN_ALIASES,
    NAME_COLUMN_ALIASES,
    QUESTIONS,
    RESPONSE_STATUSES,
    STATUS_COLUMN,
    STATUS_LABELS,
    Question,
)

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

log = logging.getLogger(__name__)

#: Largest file accepted by `load_survey` (10 MiB unless ``GEOBARO_MAX_UPLOAD_MB`` says
#: otherwise when geobaro is imported; see `geobaro.survey.limits`).
DEFAULT_MAX_BYTES = get_limits().max_bytes
#: Most rows after the header accepted by `load_survey` (``GEOBARO_MAX_ROWS``, default 10000).
DEFAULT_MAX_ROWS = get_limits().max_rows
#: Longest text kept in the ``value`` and ``reason`` columns of the report.
_MAX_REPORT_TEXT = 300

#: Which boundary vintage the codes and names of a file follow; ``auto`` tries 2018, then
#: the 2019 and 2025 units.
KeyVintage = Literal["auto", "2018", "2019", "2025"]
KEY_VINTAGES: tuple[KeyVintage, ...] = get_args(KeyVintage)

#: Short keys of the reasons a row is rejected (column ``problem`` of the report).
Problem = Literal[
    "missing_key",
    "unknown_commune",
    "ambiguous_commune",
    "merged_commune",
    "conflicting_keys",
    "duplicate_commune",
    "invalid_value",
    "formula",
    "inconsistent_status",
    "malformed_row",
]
PROBLEMS: tuple[Problem, ...] = get_args(Problem)
#: Columns of `ValidationReport.rejected`.
REJECTED_COLUMNS = ("row", "column", "value", "reason", "problem")

#: What `load_survey` reads: a path, raw bytes, or a binary file-like (e.g. Streamlit's
#: ``UploadedFile``).
SurveySource = str | os.PathLike[str] | bytes | IO[bytes]


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """What happened to each input row of a survey file.

    Attributes
    ----------
    rows_in
        Data rows read (rows with every cell empty are not counted; they are listed in
        ``warnings``).
    rows_used
        Rows that became one commune of `SurveyResult.data`.
    rejected
        One line per problem: ``row`` (row number as a spreadsheet shows it, the header being
        row 1), ``column`` (header as written in the file), ``value`` (formulas neutralised
        with a leading apostrophe), ``reason`` (what is wrong and what is allowed) and
        ``problem`` (a key from `PROBLEMS`). A row may have several problems.
    warnings
        Recoverable oddities: ignored columns, blank rows, codes mapped from later vintages.

    Notes
    -----
    Invariant: ``rows_used + rows_rejected == rows_in``.
    """

    rows_in: int
    rows_used: int
    rejected: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        """Number of distinct rows rejected."""
        return int(self.rejected["row"].nunique())

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return bool(self.rejected.empty)

    def summary(self) -> str:
        r"""Return a one-paragraph account of the validation.

        Examples
        --------
        >>> r = load_survey(b"nis_code,feels_concerned\n11001,yes\n99999,no\n")
        >>> print(r.report.summary())
        2 rows read: 1 used, 1 rejected (unknown_commune: 1).
        """
        text = f"{self.rows_in} rows read: {self.rows_used} used, {self.rows_rejected} rejected"
        if not self.rejected.empty:
            counts = self.rejected.drop_duplicates(["row", "problem"])["problem"].value_counts()
            text += " (" + ", ".join(f"{k}: {v}" for k, v in counts.sort_index().items()) + ")"
        text += "."
        if self.warnings:
            text += f" {len(self.warnings)} warning(s): " + " ".join(self.warnings)
        return text


@dataclass(frozen=True, eq=False)
class SurveyResult:
    """A validated survey: one row per matched 2018 commune, and the validation report.

    Attributes
    ----------
    data
        Columns ``nis_code``, ``response_status`` and the canonical answer columns
        (`schema.ANSWER_COLUMNS`), one row per 2018 commune found in the file, sorted by
        ``nis_code``. Single answers are strings, scales ``Int64``, yes/no and multi-select
        options ``boolean``; missing answers are NA.
    report
        The `ValidationReport`.
    source_name
        File name the data came from.
    is_illustrative
        True when the file marks itself illustrative (``data_status`` column or a leading
        ``#`` comment saying so), as the shipped sample does.
    """

    data: pd.DataFrame
    report: ValidationReport
    source_name: str = ""
    is_illustrative: bool = False


def load_survey(
    source: SurveySource,
    *,
    filename: str | None = None,
    vintage: KeyVintage = "auto",
    max_bytes: int | None = None,
    max_rows: int | None = None,
    time_limit: float | None = None,
    settings: Settings | None = None,
    gdf_communes: pd.DataFrame | None = None,
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
        Seconds allowed to read, match and validate the file, checked between phases and
        every few hundred rows; a slower file raises `SurveyValidationError`. Default:
        ``GEOBARO_PARSE_SECONDS`` (30).
    settings
        Settings used to load the commune reference and mergers.
    gdf_communes
        The commune reference table (`boundaries.load_communes`); loaded when omitted.

    Returns
    -------
    SurveyResult

    Raises
    ------
    SurveyValidationError
        If the file is too large (bytes, rows, columns, unpacked size), too slow to read,
        empty, binary, unreadable, or not a survey (no commune key column, or no survey
        column at all). Problems of single rows never raise; they are
        in the report.

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
    env = get_limits()
    limits = Limits(
        max_bytes=env.max_bytes if max_bytes is None else max_bytes,
        max_rows=env.max_rows if max_rows is None else max_rows,
        max_columns=env.max_columns,
        parse_seconds=env.parse_seconds if time_limit is None else time_limit,
        max_unzip_bytes=env.max_unzip_bytes,
    )
    raw, name = _read_source(source, filename=filename, max_bytes=limits.max_bytes)
    deadline = Deadline(limits.parse_seconds, name)
    table = _parse_table(raw, name, limits=limits, deadline=deadline)
    deadline.check("matching the columns")
    columns = _map_columns(table.header, name)
    if gdf_communes is None:
        from geobaro.data.boundaries import load_communes

        gdf_communes = load_communes(settings=settings)
    matcher = _Matcher(gdf_communes, vintage=vintage, settings=settings)
    return _validate(table, columns, matcher, name, deadline)


def match_communes(
    values: Iterable[object],
    *,
    gdf_communes: pd.DataFrame | None = None,
    vintage: KeyVintage = "auto",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Match commune codes or names to 2018 communes.

    Parameters
    ----------
    values
        NIS codes (int or str) or names in French, Dutch, German or English; case, accents,
        hyphens, apostrophes and spaces are ignored.
    gdf_communes, vintage, settings
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
    matcher = _Matcher(gdf_communes, vintage=vintage, settings=settings)
    rows = []
    for value in values:
        text = "" if is_blank(value) else _cell_text(value)
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


# --- reading ---------------------------------------------------------------------------------


@dataclass
class _Table:
    """A parsed file: header and rows of text cells, with their row numbers."""

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    blank_rows: list[int]
    malformed: dict[int, str]
    comments: list[str]


def _read_source(
    source: SurveySource, *, filename: str | None, max_bytes: int
) -> tuple[bytes, str]:
    limit = _format_bytes(max_bytes)
    if isinstance(source, bytes | bytearray | memoryview):
        raw = bytes(source)
        name = filename or "uploaded file"
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise SurveyValidationError(
                    f"{name} is {_format_bytes(size)}; the limit is {limit} (max_bytes)"
                )
            raw = path.read_bytes()
        except OSError as exc:
            raise SurveyValidationError(f"survey file {path} cannot be read: {exc}") from exc
    elif hasattr(source, "read"):
        name = filename or Path(str(getattr(source, "name", "") or "uploaded file")).name
        raw = _read_filelike(source, max_bytes)
    else:
        raise TypeError(f"source must be a path, bytes or a binary file-like, not {type(source)}")
    if len(raw) > max_bytes:
        raise SurveyValidationError(
            f"{name} is larger than {limit}; the limit is {limit} (max_bytes)"
        )
    if not raw.strip():
        raise SurveyValidationError(f"{name} is empty: a survey file needs a header and rows")
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


def _format_bytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _parse_table(raw: bytes, name: str, *, limits: Limits, deadline: Deadline) -> _Table:
    suffix = Path(name).suffix.lower()
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise SurveyValidationError(
            f"{name} is an old Excel (.xls) or other OLE file; save it as .xlsx or .csv"
        )
    if raw.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        if not raw.startswith(b"PK\x03\x04"):
            raise SurveyValidationError(f"{name} is named {suffix} but is not an Excel workbook")
        return _parse_xlsx(raw, name, limits=limits, deadline=deadline)
    if suffix in {".xls", ".ods", ".numbers", ".parquet", ".pkl", ".pickle", ".json"}:
        raise SurveyValidationError(
            f"{name}: {suffix} files are not read; use CSV (UTF-8 or cp1252) or XLSX"
        )
    return _parse_csv(raw, name, limits=limits, deadline=deadline)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SurveyValidationError(f"{name} is not valid UTF-16 text: {exc}") from exc
    if b"\x00" in raw[:65536]:
        raise SurveyValidationError(
            f"{name} is a binary file, not a survey table; use CSV or XLSX (see SCHEMA.md)"
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r")
        if controls > max(10, len(text[:65536]) // 100):
            break
        return text
    raise SurveyValidationError(
        f"{name} is not a text table (neither UTF-8 nor cp1252); use CSV or XLSX (see SCHEMA.md)"
    )


def _parse_csv(raw: bytes, name: str, *, limits: Limits, deadline: Deadline) -> _Table:
    text = _decode(raw, name).replace("\r\n", "\n").replace("\r", "\n")
    deadline.check("decoding the text")
    lines = text.split("\n")
    skipped = 0
    comments: list[str] = []
    while skipped < len(lines) and (
        not lines[skipped].strip()
        or (lines[skipped].lstrip().startswith("#") and not _is_header_line(lines[skipped]))
    ):
        if lines[skipped].strip():
            comments.append(lines[skipped].lstrip().lstrip("#").strip())
        skipped += 1
        if skipped > limits.max_rows:
            raise SurveyValidationError(
                f"{name} has no header in its first {limits.max_rows} lines (max_rows): only "
                "comments or blank lines"
            )
    if skipped >= len(lines):
        raise SurveyValidationError(f"{name} holds no table (only comments or blank lines)")
    delimiter = _sniff_delimiter(lines[skipped])
    body = "\n".join(lines[skipped:])
    del lines
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"')
    try:
        header = next(reader)
        _check_columns(header, name, limits)
        records = _collect(reader, lambda: reader.line_num + skipped, limits, deadline, name)
    except csv.Error as exc:
        detail = str(exc)
        if "field limit" in detail:
            detail = f"a cell is longer than {csv.field_size_limit()} characters"
        raise SurveyValidationError(
            f"{name}: line {reader.line_num + skipped} cannot be read as CSV: {detail}"
        ) from exc
    return _to_table(header, records, comments, name, limits)


def _is_header_line(line: str) -> bool:
    """Tell whether a line starting with ``#`` is a header (a ``#`` column), not a comment."""
    try:
        cells = next(csv.reader([line], delimiter=_sniff_delimiter(line)), [])
    except csv.Error:
        return False
    return _names_a_key(cells)


def _names_a_key(cells: Sequence[str]) -> bool:
    """Tell whether one of the cells is the header of a commune code or name column."""
    for cell in cells[:_KEY_SEARCH]:
        target = _TARGETS.get(normalize_header(cell))
        if target is not None and target.role in ("key", "name"):
            return True
    return False


#: Cells of a ``#`` line searched for a commune column header.
_KEY_SEARCH = 50


def _sniff_delimiter(header_line: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ","


#: Rows read between two checks of the time limit.
_CHECK_EVERY = 256


def _collect(
    rows: Iterator[Sequence[str]],
    line_now: Any,
    limits: Limits,
    deadline: Deadline,
    name: str,
) -> list[tuple[int, list[str]]]:
    records: list[tuple[int, list[str]]] = []
    previous = line_now()
    for cells in rows:
        start = previous + 1
        previous = line_now()
        records.append((start, list(cells)))
        if len(records) > limits.max_rows:
            raise _too_many_rows(name, limits)
        if len(records) % _CHECK_EVERY == 0:
            deadline.check(f"reading row {start}")
    return records


def _too_many_rows(name: str, limits: Limits) -> SurveyValidationError:
    return SurveyValidationError(
        f"{name} has more than {limits.max_rows} data rows (max_rows, set by GEOBARO_MAX_ROWS); "
        "split the file"
    )


def _check_columns(header: Sequence[object], name: str, limits: Limits) -> None:
    width = _content_width(header)
    if width > limits.max_columns:
        raise SurveyValidationError(
            f"{name} has {width} columns; at most {limits.max_columns} are read "
            "(GEOBARO_MAX_COLUMNS)"
        )


def _content_width(cells: Sequence[object]) -> int:
    """Index after the last cell that is not None or blank text (0 if all are)."""
    n = len(cells)
    while n:
        last = cells[n - 1]
        if not (last is None or (isinstance(last, str) and not last.strip())):
            break
        n -= 1
    return n


#: Distinct texts an XLSX may hold per allowed row: openpyxl loads them all before the first
#: row can be read, so their number bounds that uninterruptible step.
_SHARED_STRINGS_PER_ROW = 20
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


#: What zipfile raises for damaged archives (bad headers, bad deflate streams, bad CRCs).
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    ValueError,
    OSError,
    EOFError,
    RuntimeError,
    zlib.error,
)


def _check_archive(raw: bytes, name: str, limits: Limits, deadline: Deadline) -> None:
    """Refuse a zip that is not a workbook, unpacks too large or holds too many texts."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if "xl/workbook.xml" not in {info.filename for info in infos}:
                raise SurveyValidationError(f"{name} is a zip archive but not an XLSX workbook")
            unzipped = sum(info.file_size for info in infos)
            if unzipped > limits.max_unzip_bytes:
                raise SurveyValidationError(
                    f"{name} unpacks to {_format_bytes(unzipped)}, more than the "
                    f"{_format_bytes(limits.max_unzip_bytes)} allowed (GEOBARO_MAX_UNZIP_MB); "
                    "save it as CSV or remove unused sheets and columns"
                )
            strings = 0
            for info in infos:
                if info.filename.endswith(".xml") and not info.is_dir():
                    # zipfile stops at the declared size, so this is bounded by the check above
                    strings += len(_SHARED_STRING.findall(zf.read(info)))
                    deadline.check("unpacking the workbook")
    except SurveyValidationError:
        raise
    except _ARCHIVE_ERRORS as exc:
        raise SurveyValidationError(f"{name} is not a readable XLSX workbook: {exc}") from exc
    most = _SHARED_STRINGS_PER_ROW * limits.max_rows
    if strings > most:
        raise SurveyValidationError(
            f"{name} holds {strings} distinct texts, more than the {most} read for "
            f"{limits.max_rows} rows (max_rows); save it as CSV or split the file"
        )


def _parse_xlsx(raw: bytes, name: str, *, limits: Limits, deadline: Deadline) -> _Table:
    import openpyxl

    _check_archive(raw, name, limits, deadline)
    # rows before the header count against max_rows too, so a sparse sheet cannot stall
    budget = limits.max_rows + 1
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
            try:
                deadline.check("opening the workbook")
                ws = wb.worksheets[0]
                # a wrong <dimension> must not pad the sheet with a million empty rows
                ws.reset_dimensions()
                rows = ws.iter_rows(max_col=limits.max_columns + 1, values_only=True)
                records: list[tuple[int, list[str]]] = []
                header: list[str] | None = None
                comments: list[str] = []
                for number, values in enumerate(rows, start=1):
                    if number > budget:
                        if header is None:
                            raise SurveyValidationError(
                                f"{name} has no header in its first {limits.max_rows} rows "
                                "(max_rows)"
                            )
                        raise _too_many_rows(name, limits)
                    if number % _CHECK_EVERY == 0:
                        deadline.check(f"reading row {number}")
                    cells = [_cell_text(v) for v in values[: _content_width(values)]]
                    if header is None:
                        first = next((c for c in cells if c.strip()), "")
                        comment = first.lstrip().startswith("#") and cells[0] == first
                        if not first or (comment and not _names_a_key(cells)):
                            if first:
                                comments.append(first.lstrip().lstrip("#").strip())
                            continue
                        _check_columns(cells, name, limits)
                        header = cells
                        budget = number + limits.max_rows
                        continue
                    records.append((number, cells))
            finally:
                wb.close()
    except SurveyValidationError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise SurveyValidationError(f"{name} is not a readable XLSX workbook: {exc}") from exc
    if header is None:
        raise SurveyValidationError(f"{name} is empty: its first sheet has no header row")
    return _to_table(header, records, comments, name, limits)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _to_table(
    header: list[str],
    records: list[tuple[int, list[str]]],
    comments: list[str],
    name: str,
    limits: Limits,
) -> _Table:
    header = header[: _content_width(header)]
    if not header:
        raise SurveyValidationError(f"{name} has an empty header row")
    _check_columns(header, name, limits)
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    blank: list[int] = []
    malformed: dict[int, str] = {}
    for number, cells in records:
        if all(not c.strip() for c in cells):
            blank.append(number)
            continue
        extra = cells[width:]
        if any(c.strip() for c in extra):
            malformed[number] = f"row has {len(cells)} cells but the header has {width} columns"
        rows.append((cells + [""] * width)[:width])
        numbers.append(number)
    if not rows:
        raise SurveyValidationError(f"{name} is empty: it has a header but no data rows")
    return _Table(header, rows, numbers, blank, malformed, comments)


# --- columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """What a file column holds: key, name, status, data_status, answer or option."""

    role: Literal["key", "name", "status", "data_status", "answer", "option"]
    question: str = ""
    option: str = ""


_QUESTION_ALIASES: dict[str, str] = {
    "concerned": "feels_concerned",
    "concern": "feels_concerned",
    "se_sent_concernee": "feels_concerned",
    "concernee": "feels_concerned",
    "voelt_zich_betrokken": "feels_concerned",
    "betrokken": "feels_concerned",
    "strategy_status": "strategy",
    "strategie": "strategy",
    "project_officer": "has_project_officer",
    "charge_de_projet": "has_project_officer",
    "projectmedewerker": "has_project_officer",
    "driver": "strategy_driver",
    "domain": "domains",
    "domaines": "domains",
    "domeinen": "domains",
    "difficulty": "difficulties",
    "difficultes": "difficulties",
    "moeilijkheden": "difficulties",
}
_STATUS_HEADERS = frozenset(
    {STATUS_COLUMN, "status", "statut", "statut_reponse", "response", "reponse", "antwoordstatus"}
)
_DATA_STATUS_HEADERS = frozenset({DATA_STATUS_COLUMN, "data_type"})


def _header_targets() -> dict[str, _Target]:
    targets: dict[str, _Target] = {}
    for alias in KEY_COLUMN_ALIASES:
        targets[alias] = _Target("key")
    for alias in NAME_COLUMN_ALIASES:
        targets[alias] = _Target("name")
    for alias in _STATUS_HEADERS:
        targets[alias] = _Target("status")
    for alias in _DATA_STATUS_HEADERS:
        targets[alias] = _Target("data_status")
    for q in QUESTIONS.values():
        targets[q.id] = _Target("answer", q.id)
        if q.kind == "multi":
            for value in q.values:
                for prefix in (q.option_prefix, q.id):
                    targets[f"{prefix}_{value}"] = _Target("option", q.id, str(value))
    for alias, qid in _QUESTION_ALIASES.items():
        targets[alias] = _Target("answer", qid)
    return targets


_TARGETS = _header_targets()


def _map_columns(header: list[str], name: str) -> dict[int, _Target]:
    mapped: dict[int, _Target] = {}
    seen: dict[_Target, str] = {}
    clashes: list[str] = []
    for i, text in enumerate(header):
        target = _TARGETS.get(normalize_header(text))
        if target is None:
            continue
        if target.role != "name" and target in seen:
            clashes.append(f"{seen[target]!r} and {text!r}")
            continue
        seen[target] = text
        mapped[i] = target
    if clashes:
        raise SurveyValidationError(
            f"{name}: several columns hold the same thing: " + "; ".join(clashes)
        )
    roles = {t.role for t in mapped.values()}
    if not roles & {"key", "name"}:
        raise SurveyValidationError(
            f"{name} is not a survey file: no commune column. Found columns {header[:20]}; "
            f"expected a NIS code column ({', '.join(sorted(KEY_COLUMN_ALIASES)[:6])}, ...) "
            f"or a commune name column ({', '.join(sorted(NAME_COLUMN_ALIASES)[:6])}, ...). "
            "See data/survey/SCHEMA.md."
        )
    if not roles & {"status", "answer", "option"}:
        raise SurveyValidationError(
            f"{name} is not a survey file: it has a commune column but no answer column and no "
            f"{STATUS_COLUMN} column. Found columns {header[:20]}; expected some of "
            f"{[STATUS_COLUMN, *QUESTIONS]}. See data/survey/SCHEMA.md."
        )
    return mapped


# --- answers ---------------------------------------------------------------------------------

_YES = ("yes", "y", "true", "1", "x", "oui", "o", "ja", "j", "vrai", "waar", "wahr")
_NO = ("no", "n", "false", "0", "non", "nee", "nein", "faux", "onwaar", "falsch")
_NONE_SELECTED = frozenset(normalize_token(t) for t in ("none", "aucun", "aucune", "geen", "keine"))
_EXTRA_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "feels_concerned": {
        "yes": ("oui", "ja", "y", "o", "j", "true", "concerned", "concernee"),
        "partly": ("partially", "partiellement", "deels", "in part", "plutot"),
        "no": ("non", "nee", "nein", "n", "false"),
        "dont_know": ("dk", "nsp", "je ne sais pas", "weet het niet", "unknown", "weet niet"),
    },
    "strategy": {
        "dedicated_plan": ("dedicated", "plan dedie", "specifiek plan"),
        "in_global_strategy": ("global", "global strategy", "strategie globale"),
        "intends_to_write": ("intends", "intention", "planned", "gepland"),
        "none": ("no", "non", "nee", "aucune strategie", "geen strategie"),
    },
    "strategy_driver": {
        "mayor_college": ("mayor", "college", "bourgmestre", "burgemeester", "politique"),
        "administration": ("admin",),
        "project_officer": ("officer", "charge de projet", "projectmedewerker", "sc manager"),
    },
}
_STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    "answered": ("repondu", "beantwoord", "responded", "respondent", "yes", "oui", "ja"),
    "refused": ("refus", "refuse", "geweigerd", "weigering", "declined"),
    "not_reached": (
        "non atteint",
        "non atteinte",
        "niet bereikt",
        "no response",
        "no answer",
        "pas de reponse",
        "geen antwoord",
        "non repondant",
        "nonrespondent",
    ),
}
_DATA_STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    "real": ("real", "reel", "reelle", "echt", "actual"),
    "illustrative": ("illustrative", "illustratif", "illustratief", "sample", "synthetic"),
}


def _alias_map(
    values: Iterable[str | int],
    labels: Iterable[tuple[str, ...]],
    extra: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, str | int]:
    out: dict[str, str | int] = {}
    for value, label in zip(values, labels, strict=False):
        for text in (str(value), *label):
            out.setdefault(normalize_token(text), value)
    for value, texts in (extra or {}).items():
        for text in texts:
            out.setdefault(normalize_token(text), value)
    return out


def _answer_aliases(q: Question) -> dict[str, str | int]:
    labels: Iterable[tuple[str, ...]] = q.value_labels or [() for _ in q.values]
    out = _alias_map(q.values, labels, _EXTRA_ALIASES.get(q.id))
    if q.kind == "scale":
        for v in q.values:
            out[str(v)] = v
    return out


_ANSWER_ALIASES: dict[str, dict[str, str | int]] = {
    qid: _answer_aliases(q) for qid, q in QUESTIONS.items()
}
_BOOL_ALIASES: dict[str, bool] = {
    **{normalize_token(t): True for t in _YES},
    **{normalize_token(t): False for t in _NO},
}
_STATUS_MAP = _alias_map(RESPONSE_STATUSES, STATUS_LABELS.values(), _STATUS_ALIASES)
_DATA_STATUS_MAP = _alias_map(("real", "illustrative"), ((), ()), _DATA_STATUS_ALIASES)
_OPTION_REASON = "not allowed; allowed: yes or no (also x, 1/0, oui/non, ja/nee) or empty"
_SCALE_NUMBER = re.compile(r"\d+(?:[.,]0*)?")


def _allowed(q: Question) -> str:
    codes = ", ".join(str(v) for v in q.values)
    if q.kind == "scale":
        return f"a whole number {q.values[0]}-{q.values[-1]}"
    if q.kind == "bool":
        return "yes or no (also oui/non, ja/nee, true/false, 1/0, x)"
    if q.kind == "multi":
        return f"any of {codes} separated by ';' (or 'none'), or their labels"
    return f"one of {codes} (or their French/Dutch/English labels)"


def _parse_answer(q: Question, text: str) -> tuple[Any, str | None]:
    """Return (canonical value, None) or (None, reason)."""
    token = normalize_token(text)
    if q.kind == "bool":
        if token in _BOOL_ALIASES:
            return _BOOL_ALIASES[token], None
        return None, f"not allowed; allowed: {_allowed(q)}"
    if q.kind == "scale":
        stripped = text.strip()
        if _SCALE_NUMBER.fullmatch(stripped):
            number = int(re.split(r"[.,]", stripped)[0])
            if number in q.values:
                return number, None
            return None, f"{number} is outside the scale; allowed: {_allowed(q)}"
    if q.kind == "multi":
        if token in _NONE_SELECTED:
            return frozenset(), None
        chosen: set[str] = set()
        unknown: list[str] = []
        for part in split_multi(text):
            value = _ANSWER_ALIASES[q.id].get(normalize_token(part))
            if value is None:
                unknown.append(part)
            else:
                chosen.add(str(value))
        if unknown:
            return None, f"option(s) {unknown} not allowed; allowed: {_allowed(q)}"
        return frozenset(chosen), None
    value = _ANSWER_ALIASES[q.id].get(token)
    if value is None:
        return None, f"not allowed; allowed: {_allowed(q)}"
    return value, None


# --- matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Resolution:
    codes: frozenset[str]
    problem: Problem | None = None
    reason: str = ""
    note: str = ""
    later_unit: str = ""


class _Matcher:
    """Resolve a code or name to the 2018 communes it may denote."""

    def __init__(
        self, gdf: pd.DataFrame, *, vintage: KeyVintage, settings: Settings | None
    ) -> None:
        if KEY_COLUMN not in gdf.columns:
            raise ValueError(f"the commune reference has no {KEY_COLUMN!r} column")
        self.vintage = vintage
        self.settings = settings
        codes = gdf[KEY_COLUMN].astype(str).tolist()
        self.codes18: set[str] = set(codes)
        self.label: dict[str, str] = {}
        self.names18: dict[str, set[str]] = defaultdict(set)
        name_cols = [c for c in ("name_fr", "name_nl", "name_de", "name_en") if c in gdf.columns]
        name_lists = [gdf[c].tolist() for c in name_cols]
        regions = gdf["region"].tolist() if "region" in gdf.columns else [None] * len(codes)
        for i, code in enumerate(codes):
            names = [str(col[i]) for col in name_lists if not is_blank(col[i])]
            where = ", ".join(str(x) for x in [*names[:1], regions[i]] if not is_blank(x))
            self.label[code] = f"{code} ({where})" if where else code
            for n in names:
                self.names18[normalize_name(n)].add(code)
        # later units: code -> set of 2018 codes, per vintage
        self.units: dict[str, dict[str, set[str]]] = {}
        for v in ("2019", "2025"):
            col = f"nis_{v}"
            groups: dict[str, set[str]] = defaultdict(set)
            if col in gdf.columns:
                for old, new in zip(codes, gdf[col].astype(str).tolist(), strict=True):
                    groups[new].add(old)
            self.units[v] = dict(groups)
        self._unit_names: dict[str, dict[str, str]] | None = None
        self._unit_titles: dict[str, dict[str, str]] = {"2019": {}, "2025": {}}

    def _later_names(self) -> dict[str, dict[str, str]]:
        """Normalised names of the merged units of 2019 and 2025 -> unit code (lazy)."""
        if self._unit_names is None:
            self._unit_names = {"2019": {}, "2025": {}}
            if any(self.units.values()):
                from geobaro.data.boundaries import load_mergers

                mergers = load_mergers(self.settings)
                merged = mergers[mergers["change"] == "merger"]
                for row in merged.itertuples(index=False):
                    v = str(row.effective_date)[:4]
                    if v in self._unit_names and len(self.units[v].get(row.new_nis, ())) > 1:
                        self._unit_names[v][normalize_name(str(row.new_name))] = str(row.new_nis)
                        self._unit_titles[v][str(row.new_nis)] = str(row.new_name)
        return self._unit_names

    def members(self, unit_label: str) -> set[str]:
        """Return the 2018 codes of a unit named by `_unit_label`."""
        v, _, code = unit_label.split(" ")[:3]
        return self.units.get(v, {}).get(code, set())

    def _unit_label(self, v: str, code: str) -> str:
        title = self._later_names() and self._unit_titles[v].get(code, "")
        return f"{v} unit {code}" + (f" ({title})" if title else "")

    def describe(self, codes: Iterable[str]) -> str:
        return ", ".join(self.label.get(c, c) for c in sorted(codes))

    def resolve(self, text: str) -> _Resolution:
        text = text.strip()
        if not text:
            return _Resolution(frozenset(), "missing_key", "no NIS code or commune name")
        code = normalize_code(text)
        if code is not None:
            return self._resolve_code(code, text)
        return self._resolve_name(text)

    def _resolve_code(self, code: str, text: str) -> _Resolution:
        if self.vintage in ("auto", "2018") and code in self.codes18:
            later = ""
            if self.vintage == "auto":
                for v in ("2019", "2025"):
                    if len(self.units[v].get(code, ())) > 1:
                        later = self._unit_label(v, code)
            return _Resolution(frozenset({code}), later_unit=later)
        order = {"auto": ("2019", "2025"), "2018": (), "2019": ("2019",), "2025": ("2025",)}
        for v in order[self.vintage]:
            members = self.units[v].get(code)
            if members:
                return self._unit(v, code, members, f"code {text}")
        allowed = {"auto": "2018, 2019 or 2025", "2018": "2018"}.get(self.vintage, self.vintage)
        return _Resolution(
            frozenset(), "unknown_commune", f"no commune has the {allowed} NIS code {code}"
        )

    def _unit(self, v: str, code: str, members: set[str], what: str) -> _Resolution:
        if len(members) == 1:
            (old,) = members
            note = f"{what} read as 2018 commune {self.label.get(old, old)}"
            return _Resolution(frozenset(members), note=note if code != old else "")
        return _Resolution(
            frozenset(members),
            "merged_commune",
            f"{what} is the {self._unit_label(v, code)}, a merger of the "
            f"2018 communes {self.describe(members)}; survey rows are 2018 communes: give one "
            "of these codes",
        )

    def _resolve_name(self, text: str) -> _Resolution:
        key = normalize_name(text)
        if not key:
            return _Resolution(
                frozenset(), "unknown_commune", f"{text!r} is neither a NIS code nor a name"
            )
        if self.vintage in ("2019", "2025"):
            v = self.vintage
            unit = self._later_names()[v].get(key)
            if unit is not None:
                return self._unit(v, unit, self.units[v][unit], f"name {text!r}")
            olds = self.names18.get(key, set())
            units = {u for u, members in self.units[v].items() if members & olds}
            if len(units) == 1:
                (unit,) = units
                return self._unit(v, unit, self.units[v][unit], f"name {text!r}")
        else:
            olds = self.names18.get(key, set())
        if len(olds) == 1:
            later = ""
            if self.vintage == "auto":
                for later_v, names in self._later_names().items():
                    if key in names and self.units[later_v][names[key]] != olds:
                        later = self._unit_label(later_v, names[key])
            return _Resolution(frozenset(olds), later_unit=later)
        if len(olds) > 1:
            return _Resolution(
                frozenset(olds),
                "ambiguous_commune",
                f"the name {text!r} is shared by several communes: {self.describe(olds)}; "
                "give the NIS code",
            )
        if self.vintage == "auto":
            for later_v, names in self._later_names().items():
                if key in names:
                    unit = names[key]
                    return self._unit(later_v, unit, self.units[later_v][unit], f"name {text!r}")
        return _Resolution(
            frozenset(),
            "unknown_commune",
            f"no commune is named {text!r} (names are matched in French, Dutch, German and "
            "English, ignoring case, accents, hyphens, apostrophes and spaces)",
        )


# --- validation ------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    problems: list[tuple[str, str, str, Problem]]
    code: str | None = None
    key_header: str = ""
    key_text: str = ""
    notes: list[str] = field(default_factory=list)
    later: list[str] = field(default_factory=list)
    empty: bool = False


_FORMULA_REASON = (
    "looks like a spreadsheet formula (starts with =, +, -, @); formulas are not allowed: "
    "type the value itself"
)


class _RowChecker:
    """Check one data row: formulas, commune key, status and answers."""

    def __init__(self, header: list[str], columns: dict[int, _Target], matcher: _Matcher) -> None:
        self.header = header
        self.columns = columns
        self.matcher = matcher
        self.key_cols = [i for i, t in columns.items() if t.role in ("key", "name")]
        self.key_cols.sort(key=lambda i: columns[i].role != "key")
        self.status_col = next((i for i, t in columns.items() if t.role == "status"), None)
        self.data_statuses: set[str] = set()
        self.formulas_ignored: list[str] = []

    def check(self, number: int, cells: list[str], malformed: str | None) -> _Row:
        row = _Row(number, {}, [])
        if malformed:
            row.problems.append(("", "", malformed, "malformed_row"))
        for i, text in enumerate(cells):
            if i not in self.columns and text.strip() and is_formula(text):
                self.formulas_ignored.append(f"row {number} column {self.header[i]!r}")
        skip = {i for i in self.columns if cells[i].strip() and is_formula(cells[i])}
        for i in sorted(skip):
            row.problems.append((self.header[i], cells[i], _FORMULA_REASON, "formula"))
        self._key(row, cells, skip)
        self._answers(row, cells, skip)
        return row

    def _key(self, row: _Row, cells: list[str], skip: set[int]) -> None:
        resolutions = [
            (i, self.matcher.resolve(cells[i]))
            for i in self.key_cols
            if i not in skip and cells[i].strip()
        ]
        row.notes = [f"row {row.number}: {res.note}" for _, res in resolutions if res.note]
        row.later = [res.later_unit for _, res in resolutions if res.later_unit]
        if not resolutions:
            if not skip & set(self.key_cols):
                header = self.header[self.key_cols[0]]
                row.problems.append((header, "", "no NIS code or commune name", "missing_key"))
            return
        first = resolutions[0][0]
        row.key_header, row.key_text = self.header[first], cells[first]
        failed = [(i, r) for i, r in resolutions if not r.codes]
        for i, res in failed:
            row.problems.append(
                (self.header[i], cells[i], res.reason, res.problem or "unknown_commune")
            )
        if failed:
            return
        common = frozenset.intersection(*(r.codes for _, r in resolutions))
        if len(common) == 1:
            row.code = next(iter(common))
            return
        if not common:
            described = "; ".join(
                f"{self.header[i]} {cells[i]!r} -> {self.matcher.describe(r.codes)}"
                for i, r in resolutions
            )
            row.problems.append(
                (
                    row.key_header,
                    row.key_text,
                    f"the code and name columns name different communes: {described}",
                    "conflicting_keys",
                )
            )
            return
        i, res = min(resolutions, key=lambda ir: len(ir[1].codes))
        row.problems.append(
            (self.header[i], cells[i], res.reason, res.problem or "ambiguous_commune")
        )

    def _answers(self, row: _Row, cells: list[str], skip: set[int]) -> None:
        status = "answered"
        answers_given = False
        options: dict[str, dict[str, bool]] = defaultdict(dict)
        chosen_sets: dict[str, frozenset[str]] = {}
        for i, target in self.columns.items():
            text = cells[i]
            if i in skip or not text.strip() or target.role in ("key", "name"):
                continue
            problem: str | None = None
            if target.role == "status":
                value = _STATUS_MAP.get(normalize_token(text))
                if value is None:
                    problem = f"not a response status; allowed: {', '.join(RESPONSE_STATUSES)}"
                else:
                    status = str(value)
            elif target.role == "data_status":
                value = _DATA_STATUS_MAP.get(normalize_token(text))
                if value is None:
                    problem = "not a data status; allowed: real, illustrative"
                else:
                    self.data_statuses.add(str(value))
            elif target.role == "option":
                answers_given = True
                flag = _BOOL_ALIASES.get(normalize_token(text))
                if flag is None:
                    problem = _OPTION_REASON
                else:
                    options[target.question][target.option] = flag
            else:
                answers_given = True
                q = QUESTIONS[target.question]
                value, problem = _parse_answer(q, text)
                if problem is None:
                    if q.kind == "multi":
                        chosen_sets[q.id] = value
                    else:
                        row.values[q.id] = value
            if problem is not None:
                row.problems.append((self.header[i], text, problem, "invalid_value"))
        self._combine_multi(row, options, chosen_sets)
        row.values[STATUS_COLUMN] = status
        row.empty = status == "answered" and not answers_given
        if status != "answered" and answers_given and self.status_col is not None:
            row.problems.append(
                (
                    self.header[self.status_col],
                    cells[self.status_col],
                    f"answers are given although the response status is {status!r}; clear the "
                    "answers or set the status to 'answered'",
                    "inconsistent_status",
                )
            )

    @staticmethod
    def _combine_multi(
        row: _Row,
        options: dict[str, dict[str, bool]],
        chosen_sets: dict[str, frozenset[str]],
    ) -> None:
        """Merge the one-cell and one-column-per-option forms; blanks beside answers are no."""
        for qid in sorted(set(options) | set(chosen_sets)):
            q = QUESTIONS[qid]
            flags = {str(v): False for v in q.values}
            if qid in chosen_sets:
                chosen = chosen_sets[qid]
                flags = {v: v in chosen for v in flags}
                clash = sorted(o for o, f in options.get(qid, {}).items() if f != flags[o])
                if clash:
                    row.problems.append(
                        (
                            q.id,
                            ";".join(sorted(chosen)),
                            f"disagrees with the option columns for {clash}",
                            "invalid_value",
                        )
                    )
            else:
                flags.update(options[qid])
            for option, flag in flags.items():
                row.values[f"{q.option_prefix}_{option}"] = flag


def _validate(
    table: _Table,
    columns: dict[int, _Target],
    matcher: _Matcher,
    name: str,
    deadline: Deadline,
) -> SurveyResult:
    checker = _RowChecker(table.header, columns, matcher)
    rows: list[_Row] = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        rows.append(checker.check(number, cells, table.malformed.get(number)))
        if len(rows) % _CHECK_EVERY == 0:
            deadline.check(f"checking row {number}")
    deadline.check("looking for duplicate communes")
    _reject_duplicates(rows, matcher)
    used = [r for r in rows if not r.problems]
    illustrative = "illustrative" in checker.data_statuses or any(
        "illustrative" in c.casefold() for c in table.comments
    )
    warn = _warnings(table, columns, checker, used, matcher)
    if illustrative:
        warn.append("This file is ILLUSTRATIVE: its answers are not real survey responses.")
    report = ValidationReport(
        rows_in=len(rows), rows_used=len(used), rejected=_rejected_frame(rows), warnings=warn
    )
    if report.rows_used + report.rows_rejected != report.rows_in:  # pragma: no cover
        raise RuntimeError("survey validation lost rows; please report this bug")
    log.info("read %s: %s", name, report.summary())
    return SurveyResult(
        data=_data_frame(used), report=report, source_name=name, is_illustrative=illustrative
    )


def _warnings(
    table: _Table,
    columns: dict[int, _Target],
    checker: _RowChecker,
    used: list[_Row],
    matcher: _Matcher,
) -> list[str]:
    warn: list[str] = []
    ignored = [h for i, h in enumerate(table.header) if i not in columns and h.strip()]
    if ignored:
        warn.append(f"Columns not in the schema were ignored: {ignored}.")
    if table.blank_rows:
        warn.append(f"Empty rows were skipped: {_rows_text(table.blank_rows)}.")
    if checker.formulas_ignored:
        shown = checker.formulas_ignored
        warn.append(
            "Cells that look like spreadsheet formulas were found in ignored columns: "
            + ", ".join(shown[:10])
            + (f" and {len(shown) - 10} more" if len(shown) > 10 else "")
            + "."
        )
    notes = [n for r in used for n in r.notes]
    if notes:
        warn.append("Codes or names of later vintages were mapped back: " + "; ".join(notes) + ".")
    later: dict[str, list[int]] = defaultdict(list)
    used_codes = {r.code for r in used}
    for r in used:
        for unit in dict.fromkeys(r.later):
            # a file that also holds the unit's other 2018 communes clearly follows 2018
            if not (matcher.members(unit) - {r.code}) & used_codes:
                later[unit].append(r.number)
    if later:
        which = "; ".join(f"{u}: row {_rows_text(r)}" for u, r in sorted(later.items()))
        warn.append(
            "Some codes or names also denote a larger merged unit of 2019/2025 and were read "
            f"as the 2018 commune ({which}); if the file follows 2019 or 2025 units, load it "
            "with vintage='2019' or '2025'."
        )
    empty = [r.number for r in used if r.empty]
    if empty:
        warn.append(f"Rows marked (or assumed) answered hold no answer: {_rows_text(empty)}.")
    if len(checker.data_statuses) > 1:
        warn.append("The file mixes real and illustrative rows; it is treated as illustrative.")
    return warn


def _reject_duplicates(rows: list[_Row], matcher: _Matcher) -> None:
    by_code: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.code is not None and not r.problems:
            by_code[r.code].append(r)
    for code, group in by_code.items():
        if len(group) < 2:
            continue
        label = _short_label(matcher, code)
        first = group[0]
        if all(r.values == first.values for r in group[1:]):
            for r in group[1:]:
                r.problems.append(
                    (
                        r.key_header,
                        r.key_text,
                        f"commune {label} already in row {first.number} with the same answers",
                        "duplicate_commune",
                    )
                )
            continue
        for r in group:
            others = [o.number for o in group if o is not r]
            r.problems.append(
                (
                    r.key_header,
                    r.key_text,
                    f"commune {label} also in row{'s' if len(others) > 1 else ''} "
                    f"{_rows_text(others)} with different answers; keep one row per commune",
                    "duplicate_commune",
                )
            )


def _short_label(matcher: _Matcher, code: str) -> str:
    full = matcher.label.get(code, code)
    match = re.fullmatch(r"(\d{5}) \(([^,]+)(?:, .*)?\)", full)
    return f"{match.group(1)} ({match.group(2)})" if match else full


def _rows_text(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")


def _rejected_frame(rows: list[_Row]) -> pd.DataFrame:
    records = [
        {
            "row": r.number,
            "column": _shorten(neutralise_formula(column)),
            "value": _shorten(neutralise_formula(value)),
            "reason": _shorten(reason),
            "problem": problem,
        }
        for r in rows
        for column, value, reason, problem in r.problems
    ]
    frame = pd.DataFrame(records, columns=list(REJECTED_COLUMNS))
    frame["row"] = frame["row"].astype("int64")
    for col in REJECTED_COLUMNS[1:]:
        frame[col] = frame[col].astype("str")
    return frame


def _shorten(text: str) -> str:
    """Cut report text to `_MAX_REPORT_TEXT` characters (a huge cell must not flood the UI)."""
    if len(text) <= _MAX_REPORT_TEXT:
        return text
    return f"{text[: _MAX_REPORT_TEXT - 30]}... [{len(text)} characters]"


def _data_frame(used: list[_Row]) -> pd.DataFrame:
    records = [{KEY_COLUMN: r.code, **r.values} for r in used]
    frame = pd.DataFrame(records, columns=list(DATA_COLUMNS))
    frame = frame.sort_values(KEY_COLUMN, kind="stable").reset_index(drop=True)
    frame[KEY_COLUMN] = frame[KEY_COLUMN].astype("str")
    frame[STATUS_COLUMN] = frame[STATUS_COLUMN].astype("str")
    for column in ANSWER_COLUMNS:
        q = QUESTIONS.get(column)
        if q is None or q.kind == "bool":
            frame[column] = frame[column].astype("boolean")
        elif q.kind == "scale":
            frame[column] = pd.array(
                [None if is_blank(v) else int(v) for v in frame[column]], dtype="Int64"
            )
        else:
            frame[column] = frame[column].astype("str")
    return frame
