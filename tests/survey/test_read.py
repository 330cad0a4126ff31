"""Tests of reading, matching and validating survey files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geobaro.errors import SurveyValidationError
from geobaro.survey.read import PROBLEMS, REJECTED_COLUMNS, load_survey, match_communes
from geobaro.survey.schema import DATA_COLUMNS

DATA = Path(__file__).parents[1] / "fixtures" / "survey"


def _load(text: str, gdf, **kwargs):
    return load_survey(text.encode("utf-8"), gdf_communes=gdf, **kwargs)


def _check_invariant(result) -> None:
    report = result.report
    assert report.rows_used + report.rows_rejected == report.rows_in
    assert report.rows_used == len(result.data)
    assert list(report.rejected.columns) == list(REJECTED_COLUMNS)
    assert set(report.rejected["problem"]) <= set(PROBLEMS)
    assert result.data["nis_code"].is_unique


# --- formats ---------------------------------------------------------------------------------


def test_fixture_cp1252_semicolon_decimal_comma(gdf_communes) -> None:
    result = load_survey(DATA / "cp1252_semicolon.csv", gdf_communes=gdf_communes)
    _check_invariant(result)
    assert result.report.ok, result.report.rejected
    data = result.data.set_index("nis_code")
    assert data.loc["62063", "feels_concerned"] == "yes"  # "Liège" in cp1252
    assert data.loc["21014", "perception_technological"] == 4  # "4,0"
    assert data.loc["25014", "domain_mobility"]  # Braine-l'Alleud
    assert bool(data.loc["25014", "has_project_officer"]) is False
    assert data.loc["11002", "response_status"] == "refused"


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-16", "\t"), ("utf-8", "\t")],
)
def test_encodings_and_separators(gdf_communes, encoding, sep) -> None:
    rows = [
        ["nis_code", "commune", "feels_concerned", "perception_future"],
        ["62063", "Liège", "oui", '"3,0"' if sep == "," else "3,0"],
        ["21014", "Saint-Josse-ten-Noode", "partly", "5"],
    ]
    text = "\r\n".join(sep.join(r) for r in rows)
    result = load_survey(text.encode(encoding), filename="x.csv", gdf_communes=gdf_communes)
    _check_invariant(result)
    assert result.report.ok, result.report.rejected
    assert result.data["perception_future"].tolist() == [5, 3]


def test_xlsx_with_int_codes_and_formula(gdf_communes, tmp_path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NIS code", "Gemeente", "Feels concerned", "has_project_officer", "domains"])
    ws.append([62063, "Luik", "ja", True, "environment; people"])
    ws.append([21004.0, "Brussel", "no", False, None])
    ws.append([11001, "Aartselaar", "=1+1", None, None])
    path = tmp_path / "answers.xlsx"
    wb.save(path)
    result = load_survey(path, gdf_communes=gdf_communes)
    _check_invariant(result)
    assert result.data["nis_code"].tolist() == ["21004", "62063"]
    assert result.data["has_project_officer"].tolist() == [False, True]
    rejected = result.report.rejected
    assert rejected[["row", "column", "value", "problem"]].values.tolist() == [
        [4, "Feels concerned", "'=1+1", "formula"]
    ]


def test_uploaded_file_like_position_restored(gdf_communes) -> None:
    buffer = io.BytesIO(b"nis_code,feels_concerned\n11001,yes\n")
    buffer.seek(0, io.SEEK_END)
    buffer.name = "upload.csv"
    result = load_survey(buffer, gdf_communes=gdf_communes)
    assert result.source_name == "upload.csv"
    assert result.report.rows_used == 1
    assert buffer.tell() == len(buffer.getvalue())


def test_comment_lines_mark_illustrative(gdf_communes) -> None:
    text = "# ILLUSTRATIVE data\n\nnis_code,feels_concerned\n11001,yes\n11002,maybe\n"
    result = _load(text, gdf_communes)
    assert result.is_illustrative
    assert result.report.rejected["row"].tolist() == [5]  # rows as a spreadsheet numbers them
    assert any("ILLUSTRATIVE" in w for w in result.report.warnings)


def test_blank_and_malformed_rows(gdf_communes) -> None:
    text = "nis_code;feels_concerned\n11001;yes\n;\n\n11002;no;extra\n11004;no;;\n"
    result = _load(text, gdf_communes)
    _check_invariant(result)
    assert result.report.rows_in == 3
    assert result.report.rejected["problem"].tolist() == ["malformed_row"]
    assert any("Empty rows" in w and "3, 4" in w for w in result.report.warnings)


# --- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Liège", "62063"),
        ("Luik", "62063"),
        ("LIEGE", "62063"),
        ("Lüttich", "62063"),
        ("Sint-Joost-ten-Node", "21014"),
        ("Saint-Josse-ten-Noode", "21014"),
        ("saint josse ten noode", "21014"),
        ("Braine l’Alleud", "25014"),
        (21004, "21004"),
        ("21004", "21004"),
        ("Brussels", "21004"),
        ("57096", "54007"),  # 2019 recode of Mouscron, one 2018 commune
    ],
)
def test_match_communes(gdf_communes, value, code) -> None:
    assert match_communes([value], gdf_communes=gdf_communes)["nis_code"].tolist() == [code]


def test_saint_nicolas_is_ambiguous_unless_coded(gdf_communes) -> None:
    text = "nis_code,commune,feels_concerned\n,Saint-Nicolas,yes\n62093,Saint-Nicolas,no\n"
    result = _load(text, gdf_communes)
    _check_invariant(result)
    assert result.data["nis_code"].tolist() == ["62093"]
    (reason,) = result.report.rejected["reason"]
    assert "46021" in reason
    assert "62093" in reason
    assert "NIS code" in reason


def test_mergers_are_rejected_with_the_2018_codes(gdf_communes) -> None:
    text = "commune,feels_concerned\nPuurs-Sint-Amands,yes\n72043,no\nPuurs,yes\n"
    result = _load(text, gdf_communes)
    _check_invariant(result)
    assert result.data["nis_code"].tolist() == ["12030"]
    reasons = result.report.rejected.set_index("row")["reason"]
    assert "12030" in reasons[2]
    assert "12034" in reasons[2]
    assert "72025" in reasons[3]
    assert "72029" in reasons[3]
    assert set(result.report.rejected["problem"]) == {"merged_commune"}


def test_recode_is_mapped_back_with_a_warning(gdf_communes) -> None:
    result = _load("nis_code,feels_concerned\n58001,yes\n", gdf_communes)
    assert result.data["nis_code"].tolist() == ["55022"]  # La Louvière
    assert any("58001" in w and "55022" in w for w in result.report.warnings)


def test_explicit_vintages(gdf_communes) -> None:
    text = "nis_code,feels_concerned\n11002,yes\n57096,no\n"
    strict = _load(text, gdf_communes, vintage="2018")
    assert strict.data["nis_code"].tolist() == ["11002"]
    assert strict.report.rejected["problem"].tolist() == ["unknown_commune"]
    later = _load(text, gdf_communes, vintage="2025")
    assert later.data["nis_code"].tolist() == ["54007"]
    assert later.report.rejected["problem"].tolist() == ["merged_commune"]
    auto = _load(text, gdf_communes)
    assert auto.data["nis_code"].tolist() == ["11002", "54007"]
    assert any("vintage='2019' or '2025'" in w for w in auto.report.warnings)
    with pytest.raises(ValueError, match="vintage"):
        _load(text, gdf_communes, vintage="2020")


def test_code_and_name_must_agree(gdf_communes) -> None:
    result = _load("nis_code,commune,feels_concerned\n62063,Namur,yes\n", gdf_communes)
    (row,) = result.report.rejected.itertuples()
    assert row.problem == "conflicting_keys"
    assert "62063" in row.reason
    assert "92094" in row.reason


def test_unknown_and_missing_keys(gdf_communes) -> None:
    text = "nis_code,commune,feels_concerned\n99999,,yes\n,Atlantis,no\n,,yes\n"
    result = _load(text, gdf_communes)
    _check_invariant(result)
    assert result.report.rejected["problem"].tolist() == [
        "unknown_commune",
        "unknown_commune",
        "missing_key",
    ]


def test_duplicates(gdf_communes) -> None:
    text = "nis_code,feels_concerned\n11001,yes\nAartselaar,yes\n11002,yes\nAnvers,no\n"
    result = _load(text, gdf_communes)
    _check_invariant(result)
    assert result.data["nis_code"].tolist() == ["11001"]
    rejected = result.report.rejected
    assert rejected["row"].tolist() == [3, 4, 5]
    assert set(rejected["problem"]) == {"duplicate_commune"}
    assert "row 2 with the same answers" in rejected["reason"].iloc[0]
    assert "different answers" in rejected["reason"].iloc[1]


# --- answers ---------------------------------------------------------------------------------


def test_invalid_answers_name_row_column_value_and_allowed(gdf_communes) -> None:
    text = (
        "nis_code,feels_concerned,perception_opportunity,domains,strategy\n"
        "11001,maybe,7,mobility;space,dedicated_plan\n"
        "11002,yes,2.5,,global\n"
    )
    result = _load(text, gdf_communes)
    _check_invariant(result)
    rejected = result.report.rejected
    assert rejected[["row", "column", "value"]].values.tolist() == [
        [2, "feels_concerned", "maybe"],
        [2, "perception_opportunity", "7"],
        [2, "domains", "mobility;space"],
        [3, "perception_opportunity", "2.5"],
    ]
    assert "yes, partly, no, dont_know" in rejected["reason"].iloc[0]
    assert "1-5" in rejected["reason"].iloc[1]
    assert "'space'" in rejected["reason"].iloc[2]


def test_multi_select_one_cell_or_one_column_per_option(gdf_communes) -> None:
    text = (
        "nis_code,domains,domain_mobility,domain_people,difficulty_expertise\n"
        "11001,mobility|people,x,yes,\n"
        "11002,,1,,oui\n"
        "11004,none,,,\n"
        "11005,mobility,,x,\n"
    )
    result = _load(text, gdf_communes)
    data = result.data.set_index("nis_code")
    assert data.loc["11001", ["domain_mobility", "domain_people", "domain_living"]].tolist() == [
        True,
        True,
        False,
    ]
    assert data.loc["11002", ["domain_mobility", "domain_people"]].tolist() == [True, False]
    assert bool(data.loc["11002", "difficulty_expertise"])
    assert not data.loc["11004", list(data.filter(like="domain_").columns)].any()
    assert pd.isna(data.loc["11004", "difficulty_expertise"])
    assert result.report.rejected["row"].tolist() == [5]  # cell and option column disagree


def test_status_with_answers_is_inconsistent(gdf_communes) -> None:
    text = "nis_code,response_status,feels_concerned\n11001,refused,yes\n11002,non atteint,\n"
    result = _load(text, gdf_communes)
    assert result.data["response_status"].tolist() == ["not_reached"]
    assert result.report.rejected["problem"].tolist() == ["inconsistent_status"]


def test_formulas_are_rejected_and_neutralised(gdf_communes) -> None:
    text = (
        "nis_code,commune,feels_concerned,remark\n"
        '11001,"=HYPERLINK(""http://evil"")",yes,\n'
        "11002,,@SUM(A1),\n"
        "11004,,yes,+32 2 123\n"
    )
    result = _load(text, gdf_communes)
    _check_invariant(result)
    rejected = result.report.rejected
    assert rejected["problem"].tolist() == ["formula", "formula"]
    assert all(v.startswith("'") for v in rejected["value"])
    assert result.data["nis_code"].tolist() == ["11004"]
    assert any("remark" in w and "formulas" in w for w in result.report.warnings)


def test_data_types(gdf_communes) -> None:
    text = "nis_code,feels_concerned,human_priority,has_project_officer\n11001,yes,4,no\n"
    data = _load(text, gdf_communes).data
    assert list(data.columns) == list(DATA_COLUMNS)
    assert str(data["human_priority"].dtype) == "Int64"
    assert str(data["has_project_officer"].dtype) == "boolean"
    assert str(data["domain_mobility"].dtype) == "boolean"
    assert pd.isna(data.loc[0, "strategy"])


# --- files that are not surveys --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "message"),
    [
        (b"", "x.csv", "empty"),
        (b"   \n\n", "x.csv", "empty"),
        (b"nis_code,feels_concerned\n", "x.csv", "no data rows"),
        (b"# only a comment\n", "x.csv", "no table"),
        (b"city,population\nLiege,197000\n", "x.csv", "no commune column"),
        (b"nis_code,population\n62063,197000\n", "x.csv", "no answer column"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.png", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "x.xls", "old Excel"),
        (b"nis_code,feels_concerned\n11001,yes\n", "x.xlsx", "not an Excel workbook"),
        (b"nis_code,nis,feels_concerned\n1,2,3\n", "x.csv", "same thing"),
    ],
)
def test_not_a_survey_raises_one_clear_error(gdf_communes, raw, name, message) -> None:
    with pytest.raises(SurveyValidationError, match=message):
        load_survey(raw, filename=name, gdf_communes=gdf_communes)


def test_zip_that_is_not_a_workbook(gdf_communes) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(SurveyValidationError, match="not an XLSX workbook"):
        load_survey(buffer.getvalue(), filename="x.xlsx", gdf_communes=gdf_communes)


def test_size_bounds(gdf_communes, tmp_path) -> None:
    text = "nis_code,feels_concerned\n" + "11001,yes\n" * 50
    with pytest.raises(SurveyValidationError, match="max_bytes"):
        _load(text, gdf_communes, max_bytes=100)
    path = tmp_path / "big.csv"
    path.write_text(text)
    with pytest.raises(SurveyValidationError, match="max_bytes"):
        load_survey(path, max_bytes=100, gdf_communes=gdf_communes)
    with pytest.raises(SurveyValidationError, match="max_rows"):
        _load(text, gdf_communes, max_rows=10)
    with pytest.raises(SurveyValidationError, match="cannot be read"):
        load_survey(tmp_path / "missing.csv", gdf_communes=gdf_communes)
    with pytest.raises(SurveyValidationError, match="cannot be read"):
        load_survey(tmp_path, gdf_communes=gdf_communes)
    huge_field = "nis_code,feels_concerned\n11001," + "y" * 200_000 + "\n"
    with pytest.raises(SurveyValidationError, match="line 2"):
        _load(huge_field, gdf_communes)


# --- properties ------------------------------------------------------------------------------

_KEYS = st.sampled_from(
    ["11001", "11002", "Liège", "Luik", "62063", "Saint-Nicolas", "Pelt", "99999", "", "=1+1"]
)
_ANSWERS = st.sampled_from(["yes", "no", "partly", "", "maybe", "oui", "-1"])
_STATUS = st.sampled_from(["", "answered", "refused", "not_reached", "unknown"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_KEYS, _ANSWERS, _STATUS), min_size=1, max_size=25))
def test_every_row_is_used_or_reported(gdf_communes, rows) -> None:
    lines = ["nis_code,feels_concerned,response_status"]
    lines += [",".join(r) for r in rows]
    nonblank = sum(any(cell for cell in r) for r in rows)
    if nonblank == 0:
        with pytest.raises(SurveyValidationError):
            _load("\n".join(lines), gdf_communes)
        return
    result = _load("\n".join(lines), gdf_communes)
    _check_invariant(result)
    assert result.report.rows_in == nonblank
    used_rows = set(range(2, len(rows) + 2)) - set(result.report.rejected["row"])
    assert len(used_rows) - sum(not any(r) for r in rows) == result.report.rows_used


@settings(max_examples=20, deadline=None)
@given(st.permutations(list(range(8))))
def test_data_invariant_to_row_order(gdf_communes, order) -> None:
    rows = [
        "11001,yes,4",
        "Luik,no,2",
        "21014,partly,3",
        "57096,yes,5",
        "Namur,dont_know,1",
        "11004,,",
        "Saint-Nicolas,yes,3",
        "99999,no,1",
    ]
    head = "nis_code,feels_concerned,perception_future"
    base = _load("\n".join([head, *rows]), gdf_communes)
    shuffled = _load("\n".join([head, *(rows[i] for i in order)]), gdf_communes)
    pd.testing.assert_frame_equal(base.data, shuffled.data)
    assert base.report.rows_rejected == shuffled.report.rows_rejected


# --- waves -----------------------------------------------------------------------------------


def test_wave_column_keeps_one_row_per_commune_per_wave(gdf_communes) -> None:
    text = (
        "nis_code,wave,feels_concerned\n"
        "62063,2017-BE,yes\n"
        "62063,2018 be,no\n"
        "11001,2017,partly\n"
        "11001,2017,partly\n"
        "21004,autumn,yes\n"
        "44021,,yes\n"
    )
    result = _load(text, gdf_communes)
    _check_invariant_waves(result)
    data = result.data
    assert list(data.columns[:3]) == ["nis_code", "wave", "response_status"]
    assert data[["wave", "nis_code", "feels_concerned"]].values.tolist() == [
        ["2017", "11001", "partly"],
        ["2017-BE", "62063", "yes"],
        ["2018-BE", "62063", "no"],
    ]
    assert result.waves == ("2017", "2017-BE", "2018-BE")
    rejected = result.report.rejected.set_index("row")
    assert rejected.loc[5, "problem"] == "duplicate_commune"
    assert rejected.loc[6, "problem"] == "invalid_value"
    assert rejected.loc[7, "problem"] == "invalid_value"
    assert "wave" in rejected.loc[7, "reason"]


def test_no_wave_column_no_wave_in_data(gdf_communes) -> None:
    result = _load("nis_code,feels_concerned\n62063,yes\n", gdf_communes)
    assert "wave" not in result.data.columns
    assert result.waves == ()


def _check_invariant_waves(result) -> None:
    report = result.report
    assert report.rows_used + report.rows_rejected == report.rows_in
    assert not result.data.duplicated(["nis_code", "wave"]).any()
