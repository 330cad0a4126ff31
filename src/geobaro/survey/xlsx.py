"""Read XLSX workbooks: bounded unpacking, a pre-scan of the XML, the data sheet, the header."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from geobaro.errors import SurveyValidationError
from geobaro.survey.messages import Context
from geobaro.survey.table import (
    HEADER_SEARCH,
    Record,
    Table,
    cell_text,
    check_columns,
    content_width,
    find_header,
    is_comment,
    to_table,
    too_many_rows,
)
from geobaro.survey.workbook import Scan, scan_workbook

__all__ = ["parse_xlsx"]


def parse_xlsx(raw: bytes, ctx: Context) -> Table:
    """Parse an XLSX workbook into a `Table`, from its first visible sheet with a header."""
    import openpyxl

    scan = scan_workbook(raw, ctx)
    _size_from_head()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
            try:
                ctx.deadline.check("opening the workbook")
                return _read_book(wb, scan, ctx)
            finally:
                wb.close()
    except SurveyValidationError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ctx.fail("err.xlsx_unreadable", detail=type(exc).__name__) from exc
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise ctx.fail("err.xlsx_unreadable", detail=str(exc)[:200]) from exc


def _size_from_head() -> None:
    """Make openpyxl read a sheet's size from its head, not by parsing the whole sheet.

    Without a ``<dimension>`` element, openpyxl's read-only sheets parse the whole sheet
    when opened, before the first row can be read and the deadline looked at (and keep
    every element of it in memory). The subclass stops at ``<sheetData>``; for files with
    a ``<dimension>`` it gives the same size as openpyxl.
    """
    from openpyxl.reader import excel

    if getattr(excel.ReadOnlyWorksheet, "_geobaro_head_sized", False):
        return
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    class HeadSizedWorksheet(ReadOnlyWorksheet):  # type: ignore[misc]
        _geobaro_head_sized = True

        def _get_size(self) -> None:
            src = self._get_source()
            try:
                for _event, element in iterparse(src, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        dims = SheetDimension.from_tree(element).boundaries
                        if dims is not None:
                            self._min_column, self._min_row = dims[0], dims[1]
                            self._max_column, self._max_row = dims[2], dims[3]
                        return
                    if element.tag == DATA_TAG:
                        return
            finally:
                src.close()

    excel.ReadOnlyWorksheet = HeadSizedWorksheet


def _read_book(wb: object, scan: Scan, ctx: Context) -> Table:
    sheets = list(getattr(wb, "worksheets", []))
    if not sheets:
        raise ctx.fail("err.xlsx_empty")
    titles = [str(getattr(ws, "title", "")) for ws in sheets]
    visible = [i for i, title in enumerate(titles) if title not in scan.hidden]
    order = visible or list(range(len(sheets)))
    for i in order:
        if len(order) == 1:
            break
        try:
            table = _read_sheet(sheets[i], ctx, want_key=True)
        except _NoKeyError:
            continue
        table.notes.insert(0, _sheet_note(titles, i, scan, ctx))
        return table
    # no sheet names a commune column: read the first visible one for its own message
    table = _read_sheet(sheets[order[0]], ctx, want_key=False)
    if len(sheets) > 1:
        table.notes.insert(0, _sheet_note(titles, order[0], scan, ctx))
    return table


def _sheet_note(titles: list[str], used: int, scan: Scan, ctx: Context) -> str:
    others = [ctx.show(t, limit=40) for j, t in enumerate(titles) if j != used][:10]
    hidden = [ctx.show(t, limit=40) for t in titles if t in scan.hidden][:10]
    key = "note.sheet_hidden" if hidden else "note.sheet"
    return ctx.say(
        key,
        sheet=ctx.show(titles[used], limit=40),
        others=", ".join(others),
        hidden=", ".join(hidden),
    )


class _NoKeyError(Exception):
    """A sheet whose header names no commune column (another sheet may hold the data)."""

    def __init__(self, table: Table | None) -> None:
        super().__init__("no commune column")
        self.table = table


def _read_sheet(ws: object, ctx: Context, *, want_key: bool) -> Table:
    # a wrong <dimension> must not pad the sheet with a million empty rows
    ws.reset_dimensions()  # type: ignore[attr-defined]
    rows = ws.iter_rows(values_only=True)  # type: ignore[attr-defined]
    records, comments, start = _records(rows, ctx)
    if start is None:
        if want_key:
            raise _NoKeyError(None)
        raise ctx.fail("err.xlsx_empty")
    header_number, header = records[start]
    body = records[start + 1 :]
    candidates = [cells for _, cells in records[start:]]
    found = find_header(candidates)
    notes: list[str] = []
    if found:
        header_number, header = records[start + found]
        body = records[start + found + 1 :]
        notes.append(ctx.say("note.header_row", row=header_number, skipped=""))
    elif found is None and want_key:
        raise _NoKeyError(None)
    check_columns(header, ctx)
    if len(body) > ctx.limits.max_rows:
        raise too_many_rows(ctx)
    return to_table(header, body, comments, ctx, notes=notes)


def _records(
    rows: Iterator[tuple[object, ...]], ctx: Context
) -> tuple[list[Record], list[str], int | None]:
    """Read the sheet's rows as text; return them, the comments and where content starts."""
    records: list[Record] = []
    comments: list[str] = []
    start: int | None = None
    # rows before the header count against max_rows too, so a sparse sheet cannot stall
    budget = ctx.limits.max_rows + 1
    for number, values in enumerate(rows, start=1):
        if number > budget:
            if start is None:
                raise ctx.fail("err.no_header_rows", most=ctx.limits.max_rows)
            raise too_many_rows(ctx)
        # a row may hold up to 16,384 cells: look at the clock after every one
        ctx.deadline.check(f"reading row {number}")
        # without max_col a row is as long as its last cell (the pre-scan bounds it)
        kept = values[: ctx.limits.max_columns + 1]
        cells = [cell_text(v) for v in kept[: content_width(kept)]]
        if start is None:
            if not any(c.strip() for c in cells):
                continue
            if is_comment(cells):
                comments.append(next(c for c in cells if c.strip()).lstrip().lstrip("#").strip())
                continue
            start = len(records)
            budget = number + ctx.limits.max_rows + HEADER_SEARCH
        records.append((number, cells))
    return records, comments, start
