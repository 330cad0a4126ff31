"""Read CSV text: encoding, ``sep=`` line, comments, title lines, quotes and line breaks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from itertools import islice

from geobaro.survey.columns import names_a_key
from geobaro.survey.messages import Context, examples
from geobaro.survey.table import (
    HEADER_SEARCH,
    Record,
    Table,
    check_columns,
    find_header,
    is_comment,
    to_table,
    too_many_rows,
)

__all__ = ["decode", "parse_csv", "sniff_delimiter"]

#: Records read between two looks at the deadline.
_CHECK_EVERY = 64
_SEP_LINE = re.compile(r"\s*sep\s*=\s*(.)\s*", re.IGNORECASE)
_UTF16_SAMPLE = 4096


def decode(raw: bytes, ctx: Context) -> str:
    """Return the text of a CSV file: UTF-16 (with or without BOM), UTF-8 or cp1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ctx.fail("err.utf16", detail=str(exc)[:100]) from exc
    utf16 = _utf16_without_bom(raw)
    if utf16 is not None:
        try:
            return raw.decode(utf16)
        except UnicodeDecodeError as exc:
            raise ctx.fail("err.utf16", detail=str(exc)[:100]) from exc
    if b"\x00" in raw[:65536]:
        raise ctx.fail("err.binary")
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
    raise ctx.fail("err.not_text")


def _utf16_without_bom(raw: bytes) -> str | None:
    """Tell UTF-16 text without a BOM by its zero bytes: every other byte of ASCII text."""
    sample = raw[:_UTF16_SAMPLE]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def sniff_delimiter(header_line: str) -> str:
    """Return the separator of a header line: ``;``, ``,`` or tab (the most frequent)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ","


def parse_csv(raw: bytes, ctx: Context) -> Table:
    """Parse CSV bytes into a `Table`; row numbers are those a spreadsheet shows."""
    text = decode(raw, ctx).replace("\r\n", "\n").replace("\r", "\n")
    ctx.deadline.check("decoding the text")
    notes: list[str] = []
    delimiter: str | None = None
    first_end = text.find("\n")
    first_line = text if first_end < 0 else text[:first_end]
    sep = _SEP_LINE.fullmatch(first_line.lstrip("\ufeff"))
    offset = 0
    if sep is not None:
        # Excel's "sep=;" line names the separator; it is row 1 of the sheet Excel shows
        delimiter = sep.group(1)
        text = "" if first_end < 0 else text[first_end + 1 :]
        offset = 1
        notes.append(ctx.say("note.sep_line", sep=ctx.show(delimiter)))
    if delimiter is None:
        delimiter = sniff_delimiter(_first_content_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        records, spans = _collect(reader, ctx, offset)
    except csv.Error as exc:
        detail = str(exc)
        if "field limit" in detail:
            detail = ctx.say("err.cell_limit", most=csv.field_size_limit())
        raise ctx.fail("err.csv", line=reader.line_num + offset, detail=detail) from exc
    table = _records_to_table(records, notes, ctx)
    # an odd number of quotes: one was opened and never closed, so the last record ran to
    # the end of the file; its later lines are read again as the rows they are
    _flag_line_breaks(table, spans, delimiter, ctx, unclosed_at_end=text.count('"') % 2 == 1)
    return table


def _first_content_line(text: str) -> str:
    """Return the line the separator is taken from: the header if found, else the first."""
    lines = [
        line
        for line in text.split("\n", 200)[:200]
        if line.strip() and not line.lstrip().startswith("#")
    ]
    for line in lines[:HEADER_SEARCH]:
        try:
            cells = next(csv.reader([line[:10_000]], delimiter=sniff_delimiter(line)), [])
        except csv.Error:
            continue
        if names_a_key(cells):
            return line
    return lines[0] if lines else text.split("\n", 1)[0]


def _collect(
    reader: Iterator[list[str]], ctx: Context, offset: int
) -> tuple[list[Record], dict[int, tuple[int, int]]]:
    """Read every record; numbered as spreadsheet rows, with the file lines of multi-line ones."""
    records: list[Record] = []
    spans: dict[int, tuple[int, int]] = {}
    previous = offset
    number = offset
    # comment and title lines before the header count too, up to the header search
    most = ctx.limits.max_rows + 1 + HEADER_SEARCH
    keep = ctx.limits.max_columns + 2
    for cells in reader:
        number += 1
        line_num = reader.line_num + offset  # type: ignore[attr-defined]
        if line_num > previous + 1:
            spans[number] = (previous + 1, line_num)
        previous = line_num
        if len(cells) > keep and not any(c.strip() for c in islice(cells, keep, None)):
            # a row of millions of empty cells: the trailing blanks say nothing
            records.append((number, cells[:keep]))
        else:
            records.append((number, cells))
        if len(records) > most:
            if _has_header(records):
                raise too_many_rows(ctx)
            raise ctx.fail("err.no_header_lines", most=ctx.limits.max_rows)
        if len(records) % _CHECK_EVERY == 0:
            ctx.deadline.check(f"reading row {number}")
    return records, spans


def _has_header(records: Sequence[Record]) -> bool:
    return any(cells and not is_comment(cells) for _, cells in records[:200])


def _records_to_table(records: list[Record], notes: list[str], ctx: Context) -> Table:
    comments: list[str] = []
    start = 0
    while start < len(records):
        cells = records[start][1]
        if any(c.strip() for c in cells) and not is_comment(cells):
            break
        first = next((c for c in cells if c.strip()), "")
        if first:
            comments.append(first.lstrip().lstrip("#").strip())
        start += 1
        if start > ctx.limits.max_rows:
            raise ctx.fail("err.no_header_lines", most=ctx.limits.max_rows)
    if start >= len(records):
        raise ctx.fail("err.only_comments")
    candidates = [cells for _, cells in records[start:]]
    found = find_header(candidates)
    if found:
        # title lines above the header: skip them and say so
        skipped = records[start : start + found]
        number = records[start + found][0]
        shown = [
            ctx.show(" ".join(c for c in cells[:5] if c.strip()), limit=40) for _, cells in skipped
        ]
        listed = examples(shown, len(shown), ctx.lang, limit=3)
        notes.append(ctx.say("note.header_row", row=number, skipped=listed))
        start += found
    header = records[start][1]
    check_columns(header, ctx)
    body = records[start + 1 :]
    if len(body) > ctx.limits.max_rows:
        raise too_many_rows(ctx)
    return to_table(header, body, comments, ctx, notes=notes)


def _flag_line_breaks(
    table: Table,
    spans: dict[int, tuple[int, int]],
    delimiter: str,
    ctx: Context,
    *,
    unclosed_at_end: bool,
) -> None:
    """Report rows spanning several file lines; a cell swallowing rows is an unclosed quote."""
    width = len(table.header)
    multi: list[str] = []
    last = table.row_numbers[-1]
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        span = spans.get(number)
        if span is None:
            continue
        multi.append(ctx.say("lines", row=number, first=span[0], last=span[1]))
        for i, cell in enumerate(cells):
            if "\n" in cell and _looks_like_rows(cell, delimiter, width):
                key = "reason.unclosed_quote"
                if unclosed_at_end and number == last:
                    key = "reason.unclosed_quote_end"
                table.malformed[number] = ctx.say(
                    key, column=ctx.show(table.header[i], limit=40), first=span[0], last=span[1]
                )
                if key == "reason.unclosed_quote_end":
                    _read_swallowed_rows(table, i, delimiter, ctx)
                break
    if multi:
        listed = examples(multi, len(multi), ctx.lang)
        table.notes.append(ctx.say("warn.line_breaks", count=len(multi), rows=listed))


def _read_swallowed_rows(table: Table, column: int, delimiter: str, ctx: Context) -> None:
    """Read the lines an unclosed quote swallowed (to the end of the file) as rows again."""
    cells = table.rows[-1]
    first, _, rest = cells[column].partition("\n")
    cells[column] = first
    number = table.row_numbers[-1]
    width = len(table.header)
    for values in csv.reader(io.StringIO(rest, newline=""), delimiter=delimiter):
        number += 1
        if not any(v.strip() for v in values):
            table.blank_rows.append(number)
            continue
        if any(v.strip() for v in values[width:]):
            table.malformed[number] = ctx.say(
                "reason.too_many_cells", cells=len(values), width=width
            )
        table.rows.append((values + [""] * width)[:width])
        table.row_numbers.append(number)
        if len(table.rows) > ctx.limits.max_rows:
            raise too_many_rows(ctx)


def _looks_like_rows(cell: str, delimiter: str, width: int) -> bool:
    """Tell whether a cell's later lines hold separators like whole records do."""
    needed = max(width - 1, 1)
    return any(line.count(delimiter) >= needed for line in cell.split("\n")[1:50])
