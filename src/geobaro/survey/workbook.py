"""Pre-scan an XLSX archive before openpyxl sees it: what it inflates to, cells, texts, sheets.

Every member is inflated here in bounded chunks, counting the bytes it really gives (the
sizes an archive declares may lie), and the sheet and shared-string XML is scanned for what
makes openpyxl slow or large: rows with a huge number of cells, very long texts, too many
distinct strings (in the part that ``[Content_Types].xml`` names, whatever its file name).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from geobaro.errors import SurveyValidationError
from geobaro.survey.messages import Context
from geobaro.survey.table import MAX_CELL, format_bytes

__all__ = ["MAX_CELLS", "MAX_DEPTH", "MAX_ROW_CELLS", "MAX_SHARED_BYTES", "Scan", "scan_workbook"]

#: Most cells in one row (Excel's own column limit).
MAX_ROW_CELLS = 16_384
#: Most cells in all sheets together; bounds openpyxl's time.
MAX_CELLS = 300_000
#: Distinct texts an XLSX may hold per allowed row: openpyxl loads them all before the first
#: row can be read, so their number bounds that uninterruptible step.
SHARED_STRINGS_PER_ROW = 20
#: Largest shared-strings part: openpyxl reads it whole, in one step, when the workbook opens.
MAX_SHARED_BYTES = 8 * 1024 * 1024
#: Deepest nesting of XML elements (a sheet nests about 5 deep).
MAX_DEPTH = 64
_DEPTH_STEP = 4096
#: Most members in the archive.
_MAX_MEMBERS = 2000
_CHUNK = 1 << 16
_OUT = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_SHARED_TYPE = "spreadsheetml.sharedStrings+xml"
_SHEET_TYPE = "spreadsheetml.worksheet+xml"
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_ROOT_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_LONG_TEXT = re.compile(rb"[^<]{%d}" % (MAX_CELL + 1))
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s[^>]*>")
_OVERRIDE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Override\s[^>]*>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass
class Scan:
    """What the pre-scan learnt: hidden sheet titles, cells, distinct texts, bytes inflated."""

    hidden: set[str] = field(default_factory=set)
    cells: int = 0
    strings: int = 0
    inflated: int = 0


def scan_workbook(raw: bytes, ctx: Context) -> Scan:
    """Refuse a workbook that unpacks too large or would be slow to read; return what it holds.

    Raises
    ------
    SurveyValidationError
        Not an XLSX archive, more unpacked bytes than ``max_unzip_bytes`` (counted, not
        declared), a row with more than `MAX_ROW_CELLS` cells, more than `MAX_CELLS` cells,
        a text longer than `table.MAX_CELL`, more distinct texts than the rows allow, or a
        DTD in the XML.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if "xl/workbook.xml" not in {info.filename for info in infos}:
                raise ctx.fail("err.not_workbook")
            if len(infos) > _MAX_MEMBERS:
                raise ctx.fail("err.xlsx_members", count=len(infos), most=_MAX_MEMBERS)
            declared = sum(info.file_size for info in infos)
            if declared > ctx.limits.max_unzip_bytes:
                raise _too_large(ctx, declared)
            return _scan(raw, infos, ctx)
    except SurveyValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ctx.fail("err.xlsx_unreadable", detail=str(exc)[:200]) from exc
    except (zlib.error, RuntimeError, NotImplementedError, struct.error) as exc:
        raise ctx.fail("err.xlsx_unreadable", detail=str(exc)[:200]) from exc


def _too_large(ctx: Context, size: int) -> SurveyValidationError:
    return ctx.fail(
        "err.unzip",
        size=format_bytes(size),
        most=format_bytes(ctx.limits.max_unzip_bytes),
    )


def _scan(raw: bytes, infos: list[zipfile.ZipInfo], ctx: Context) -> Scan:
    scan = Scan()
    by_name = {info.filename: info for info in infos}
    types = by_name.get("[Content_Types].xml")
    shared: set[str] = set()
    sheets: set[str] = set()
    if types is not None:
        shared, sheets = _content_types(_inflate_all(raw, types, scan, ctx), ctx)
    for info in infos:
        if info.is_dir() or info.filename == "[Content_Types].xml":
            continue
        name = info.filename
        if name == "xl/workbook.xml":
            scan.hidden = _hidden_sheets(_inflate_all(raw, info, scan, ctx), ctx)
        elif name in sheets or name.startswith("xl/worksheets/"):
            _scan_sheet(raw, info, scan, ctx)
        elif name in shared or name.endswith(".xml"):
            # texts are counted in the part the manifest names, whatever its name, and in
            # any other XML part openpyxl might be pointed at
            _scan_shared(raw, info, scan, ctx)
        else:
            for _chunk in _inflate(raw, info, scan, ctx):
                pass
        ctx.deadline.check("unpacking the workbook")
    most = SHARED_STRINGS_PER_ROW * ctx.limits.max_rows
    if scan.strings > most:
        raise ctx.fail("err.strings", count=scan.strings, most=most, rows=ctx.limits.max_rows)
    return scan


def _inflate(raw: bytes, info: zipfile.ZipInfo, scan: Scan, ctx: Context):  # type: ignore[no-untyped-def]
    """Yield a member's bytes in chunks, counting what is really inflated against the bound."""
    if info.flag_bits & 0x1:
        raise ctx.fail("err.xlsx_unreadable", detail="encrypted member")
    offset = info.header_offset
    fields = _LOCAL_HEADER.unpack_from(raw, offset)
    if fields[0] != b"PK\x03\x04":
        raise ctx.fail("err.xlsx_unreadable", detail="bad local header")
    start = offset + _LOCAL_HEADER.size + fields[9] + fields[10]
    end = min(start + info.compress_size, len(raw))
    if info.compress_type == zipfile.ZIP_STORED:
        pieces = (raw[i : min(i + _OUT, end)] for i in range(start, end, _OUT))
        for piece in pieces:
            _count(scan, len(piece), ctx)
            yield piece
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ctx.fail("err.xlsx_unreadable", detail=f"compression method {info.compress_type}")
    inflater = zlib.decompressobj(-15)
    position = start
    pending = b""
    while True:
        if not pending:
            if position >= end or inflater.eof:
                break
            pending = raw[position : min(position + _CHUNK, end)]
            position += len(pending)
        out = inflater.decompress(pending, _OUT)
        pending = inflater.unconsumed_tail
        if out:
            _count(scan, len(out), ctx)
            yield out
        if inflater.eof:
            break
    rest = inflater.flush()
    if rest:
        _count(scan, len(rest), ctx)
        yield rest


def _count(scan: Scan, n: int, ctx: Context) -> None:
    scan.inflated += n
    if scan.inflated > ctx.limits.max_unzip_bytes:
        raise _too_large(ctx, scan.inflated)


def _inflate_all(raw: bytes, info: zipfile.ZipInfo, scan: Scan, ctx: Context) -> bytes:
    data = b"".join(_inflate(raw, info, scan, ctx))
    if _DTD.search(data):
        raise ctx.fail("err.xlsx_dtd")
    return data


def _content_types(data: bytes, ctx: Context) -> tuple[set[str], set[str]]:
    """Return the part names of the shared strings and of the worksheets."""
    del ctx
    shared: set[str] = set()
    sheets: set[str] = set()
    for tag in _OVERRIDE.findall(data):
        attrs = _attrs(tag)
        part = _unescape(attrs.get(b"PartName", b"").decode("utf-8", "replace")).lstrip("/")
        kind = attrs.get(b"ContentType", b"").decode("utf-8", "replace")
        if part and kind.endswith(_SHARED_TYPE):
            shared.add(part)
        elif part and kind.endswith(_SHEET_TYPE):
            sheets.add(part)
    return shared, sheets


def _hidden_sheets(data: bytes, ctx: Context) -> set[str]:
    del ctx
    hidden: set[str] = set()
    for tag in _SHEET.findall(data):
        attrs = _attrs(tag)
        if attrs.get(b"state", b"visible") != b"visible":
            name = attrs.get(b"name", b"").decode("utf-8", "replace")
            hidden.add(_unescape(name))
    return hidden


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {k.split(b":")[-1]: a or b for k, a, b in _ATTR.findall(tag)}


def _unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def _scan_shared(raw: bytes, info: zipfile.ZipInfo, scan: Scan, ctx: Context) -> None:
    tail = b""
    depth = [0]
    first = True
    size = 0
    for chunk in _inflate(raw, info, scan, ctx):
        size += len(chunk)
        if size > MAX_SHARED_BYTES:
            raise ctx.fail("err.shared_bytes", most=format_bytes(MAX_SHARED_BYTES))
        data = tail + chunk
        if first and _DTD.search(data[:4096]):
            raise ctx.fail("err.xlsx_dtd")
        first = False
        cut = data.rfind(b"<")
        body, tail = (data[:cut], data[cut:]) if cut > 0 else (b"", data)
        scan.strings += len(_SI.findall(body))
        _check_text(body, tail, ctx)
        _check_depth(body, depth, ctx)
    scan.strings += len(_SI.findall(tail))


def _scan_sheet(raw: bytes, info: zipfile.ZipInfo, scan: Scan, ctx: Context) -> None:
    tail = b""
    prefix: bytes | None = None
    in_row = 0
    depth = [0]
    for chunk in _inflate(raw, info, scan, ctx):
        data = tail + chunk
        if prefix is None:
            if _DTD.search(data[:4096]):
                raise ctx.fail("err.xlsx_dtd")
            match = _ROOT_PREFIX.search(data)
            if match is None and len(data) < 4096:
                tail = data
                continue
            prefix = (match.group(1) or b"") if match else b""
        cut = data.rfind(b"<")
        body, tail = (data[:cut], data[cut:]) if cut > 0 else (b"", data)
        _check_text(body, tail, ctx)
        _check_depth(body, depth, ctx)
        in_row = _count_cells(body, prefix, in_row, scan, ctx)
        ctx.deadline.check("scanning the sheets")
    if prefix is not None:
        _count_cells(tail, prefix, in_row, scan, ctx)


def _check_depth(body: bytes, depth: list[int], ctx: Context) -> None:
    """Follow how deep elements nest (a parser keeps every open element in memory)."""
    start = 0
    while start < len(body):
        # pieces are cut before a "<", so no tag straddles two of them
        end = body.find(b"<", start + _DEPTH_STEP)
        end = len(body) if end < 0 else end
        piece = body[start:end]
        start = end
        ends = piece.count(b"</")
        starts = piece.count(b"<") - ends - piece.count(b"<?") - piece.count(b"<!")
        depth[0] += starts - ends - piece.count(b"/>")
        if depth[0] > MAX_DEPTH:
            raise ctx.fail("err.xlsx_nested", most=MAX_DEPTH)


def _check_text(body: bytes, tail: bytes, ctx: Context) -> None:
    if len(tail) > MAX_CELL + 4096 or _LONG_TEXT.search(body):
        raise ctx.fail("err.xlsx_long_text", most=MAX_CELL)


def _count_cells(body: bytes, prefix: bytes, in_row: int, scan: Scan, ctx: Context) -> int:
    """Count cells per row in ``body``; return the count of the row still open at its end."""
    pieces = body.split(b"<" + prefix + b"row")
    for i, piece in enumerate(pieces):
        cells = _cells_in(piece, prefix)
        in_row = in_row + cells if i == 0 else cells
        scan.cells += cells
        if in_row > MAX_ROW_CELLS:
            raise ctx.fail("err.xlsx_row_cells", most=MAX_ROW_CELLS)
    if scan.cells > MAX_CELLS:
        raise ctx.fail("err.xlsx_cells", most=MAX_CELLS)
    return in_row


def _cells_in(piece: bytes, prefix: bytes) -> int:
    tag = b"<" + prefix + b"c"
    return piece.count(tag + b" ") + piece.count(tag + b">") + piece.count(tag + b"/")
