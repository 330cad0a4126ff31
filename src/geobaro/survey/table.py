"""The parsed form of a survey file (header, text rows, row numbers) and its shared bounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from geobaro.errors import SurveyValidationError
from geobaro.survey.columns import names_a_key
from geobaro.survey.messages import Context

__all__ = [
    "HEADER_SEARCH",
    "MAX_CELL",
    "Record",
    "Table",
    "cell_text",
    "check_columns",
    "content_width",
    "format_bytes",
    "is_comment",
    "to_table",
    "too_many_rows",
]

#: Longest cell accepted, in characters (the CSV module's own default field limit).
MAX_CELL = 131_072
#: Rows searched for the header when the first row does not name a commune column.
HEADER_SEARCH = 30

#: One data row: its spreadsheet row number and its cells.
Record = tuple[int, list[str]]


@dataclass
class Table:
    """A parsed file: header and rows of text cells, with their spreadsheet row numbers.

    ``malformed`` maps a row number to why the row is broken; ``notes`` are warnings of
    the reading step (sheet and header row used, cells with line breaks).
    """

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    blank_rows: list[int]
    malformed: dict[int, str]
    comments: list[str]
    notes: list[str] = field(default_factory=list)


def cell_text(value: object) -> str:
    """Return a cell value as text (``11001.0`` -> ``11001``, booleans -> ``yes``/``no``).

    Examples
    --------
    >>> cell_text(11001.0), cell_text(True), cell_text(None), cell_text(2.5)
    ('11001', 'yes', '', '2.5')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 10**18 else f"{value:.6e}"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def content_width(cells: Sequence[object]) -> int:
    """Index after the last cell that is not None or blank text (0 if all are)."""
    n = len(cells)
    while n:
        last = cells[n - 1]
        if not (last is None or (isinstance(last, str) and not last.strip())):
            break
        n -= 1
    return n


def is_comment(cells: Sequence[str]) -> bool:
    """Tell whether a row before the header is a ``#`` comment (not a ``#`` header)."""
    first = next((c for c in cells if c.strip()), "")
    return first.lstrip().startswith("#") and cells[0] == first and not names_a_key(cells)


def check_columns(header: Sequence[object], ctx: Context) -> None:
    """Refuse a header wider than the column limit."""
    width = content_width(header)
    if width > ctx.limits.max_columns:
        raise ctx.fail("err.columns", width=width, most=ctx.limits.max_columns)


def too_many_rows(ctx: Context) -> SurveyValidationError:
    """Return the error of a file with more data rows than allowed."""
    return ctx.fail("err.rows", most=ctx.limits.max_rows)


def format_bytes(n: int) -> str:
    """Return a size as ``10.0 MB`` or ``512 bytes``.

    Examples
    --------
    >>> format_bytes(10 * 1024 * 1024), format_bytes(12)
    ('10.0 MB', '12 bytes')
    """
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def find_header(rows: Sequence[list[str]]) -> int | None:
    """Return the index of the first row naming a commune column among the first rows."""
    for i, cells in enumerate(rows[:HEADER_SEARCH]):
        if names_a_key(cells):
            return i
    return None


def to_table(
    header: list[str],
    records: list[Record],
    comments: list[str],
    ctx: Context,
    *,
    notes: list[str] | None = None,
) -> Table:
    """Pad or flag rows against the header; set blank rows aside."""
    header = header[: content_width(header)]
    if not header:
        raise ctx.fail("err.empty_header")
    check_columns(header, ctx)
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
            malformed[number] = ctx.say("reason.too_many_cells", cells=len(cells), width=width)
        rows.append((cells + [""] * width)[:width])
        numbers.append(number)
    if not rows:
        raise ctx.fail("err.no_rows")
    return Table(header, rows, numbers, blank, malformed, comments, notes or [])
