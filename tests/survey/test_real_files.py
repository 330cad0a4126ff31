"""Files as Excel and real administrations write them, read right and reported for people."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from geobaro.errors import SurveyValidationError
from geobaro.survey.read import load_survey


def _csv(text: str, gdf, **kwargs):
    return load_survey(text.encode("utf-8"), filename="x.csv", gdf_communes=gdf, **kwargs)


def _xlsx(sheets: dict[str, list[list[object]]], *, hidden: tuple[str, ...] = ()) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _invariant(result) -> None:
    report = result.report
    assert report.rows_used + report.rows_rejected == report.rows_in


def test_apostrophe_kept_code_is_a_code(gdf_communes) -> None:
    result = _csv("nis_code,feels_concerned\n'11001,yes\n’62063,no\n", gdf_communes)
    assert result.report.ok, result.report.rejected
    assert result.data["nis_code"].tolist() == ["11001", "62063"]


def test_csv_rows_after_line_break_cells_are_spreadsheet_rows(gdf_communes) -> None:
    text = (
        "nis_code,feels_concerned,remark\n"
        '11001,yes,"first line\nsecond line"\n'
        "11002,maybe,\n"
        '11004,no,"a\nb\nc"\n'
        "99999,yes,\n"
    )
    result = _csv(text, gdf_communes)
    _invariant(result)
    rejected = result.report.rejected
    assert rejected[["row", "problem"]].values.tolist() == [
        [3, "invalid_value"],
        [5, "unknown_commune"],
    ]
    breaks = [w for w in result.report.warnings if "line breaks" in w]
    assert breaks
    assert "row 2 (lines 2-3" in breaks[0]
    assert "row 4 (lines 5-7" in breaks[0]


def test_xlsx_rows_after_line_break_cells_are_sheet_rows(gdf_communes) -> None:
    raw = _xlsx(
        {
            "answers": [
                ["nis_code", "feels_concerned", "remark"],
                [11001, "yes", "a\nb"],
                [99999, "no", None],
            ]
        }
    )
    result = load_survey(raw, filename="x.xlsx", gdf_communes=gdf_communes)
    assert result.report.rejected["row"].tolist() == [3]


def test_unbalanced_quote_is_reported_not_lost(gdf_communes) -> None:
    rows = ["nis_code,feels_concerned,remark", '11001,yes,"starts a quote']
    rows += [f"{code},no,fine" for code in ("11002", "11004", "11005")]
    result = _csv("\n".join(rows) + "\n", gdf_communes)
    _invariant(result)
    rejected = result.report.rejected
    assert rejected["problem"].tolist() == ["malformed_row"]
    assert rejected["row"].tolist() == [2]
    reason = rejected["reason"].iloc[0]
    assert "not closed" in reason
    assert "lines 2-5" in reason
    assert result.data["nis_code"].tolist() == ["11002", "11004", "11005"]
    assert result.report.rows_in == 4


def test_quote_closed_later_swallows_rows_and_says_so(gdf_communes) -> None:
    text = (
        "nis_code,feels_concerned,remark\n"
        '11001,yes,"opens\n11002,no,x\n11004,no,closes" here\n'
        "11005,yes,fine\n"
    )
    result = _csv(text, gdf_communes)
    _invariant(result)
    rejected = result.report.rejected
    assert rejected["problem"].tolist() == ["malformed_row"]
    assert "lines 2-4" in rejected["reason"].iloc[0]
    assert result.data["nis_code"].tolist() == ["11005"]


def test_duplicate_is_reported_when_one_copy_has_another_problem(gdf_communes) -> None:
    text = "nis_code,feels_concerned\n11001,yes\n11001,maybe\n62063,no\n"
    result = _csv(text, gdf_communes)
    _invariant(result)
    rejected = result.report.rejected
    dup = rejected[rejected["problem"] == "duplicate_commune"]
    assert dup["row"].tolist() == [2, 3]
    assert "row(s) 3" in dup["reason"].iloc[0]
    assert result.data["nis_code"].tolist() == ["62063"]


def test_rows_without_any_answer_are_not_respondents(gdf_communes) -> None:
    codes = gdf_communes["nis_code"].tolist()
    text = "nis_code,commune,feels_concerned,strategy\n" + "".join(f"{c},,,\n" for c in codes)
    result = _csv(text, gdf_communes)
    assert result.report.rows_used == 589
    assert set(result.data["response_status"]) == {"not_reached"}
    warning = next(w for w in result.report.warnings if "no answer" in w)
    assert "589 rows" in warning
    assert "not counted as respondents" in warning
    from geobaro.indicators import compute_indicators

    indicators = compute_indicators(result, gdf_communes)
    assert not (indicators["response_status"] == "answered").any()


def test_explicit_answered_status_without_answers_is_kept_and_warned(gdf_communes) -> None:
    result = _csv("nis_code,response_status\n11001,answered\n11002,refused\n", gdf_communes)
    assert result.data["response_status"].tolist() == ["answered", "refused"]
    assert any("marked answered holds no answer: row 2" in w for w in result.report.warnings)


@pytest.mark.parametrize(
    "top",
    [
        "Smart City barometer 2017 - answers of the province\n",
        "Smart City barometer 2017;;;\n\n",
        "sep=;\n",
        "sep=;\nExport of 2017-11-02\n",
    ],
)
def test_title_and_sep_lines_above_the_header(gdf_communes, top) -> None:
    text = top + "nis_code;feels_concerned\n11001;yes\n62063;no\n"
    result = _csv(text, gdf_communes)
    assert result.report.ok, result.report.rejected
    assert result.data["feels_concerned"].tolist() == ["yes", "no"]
    rows = top.count("\n") + 1
    assert result.report.rejected.empty
    if "Export" in top or "barometer" in top:
        assert any(f"Row {rows} was used as the header" in w for w in result.report.warnings)
    if top.startswith("sep="):
        assert any("sep=" in w for w in result.report.warnings)


def test_title_line_rows_keep_spreadsheet_numbers(gdf_communes) -> None:
    text = "Barometer 2017\n\nnis_code,feels_concerned\n11001,yes\n99999,no\n"
    result = _csv(text, gdf_communes)
    assert result.report.rejected["row"].tolist() == [5]


def test_data_on_a_later_sheet_after_a_read_me(gdf_communes) -> None:
    raw = _xlsx(
        {
            "Read me": [["This workbook holds the 2017 answers."], ["See the next sheet."]],
            "Data": [["Code NIS", "feels_concerned"], [62063, "yes"], [99999, "no"]],
        }
    )
    result = load_survey(raw, filename="x.xlsx", gdf_communes=gdf_communes)
    assert result.data["nis_code"].tolist() == ["62063"]
    assert result.report.rejected["row"].tolist() == [3]
    assert any("'Data' was read" in w and "'Read me'" in w for w in result.report.warnings)


def test_hidden_first_sheet_is_skipped(gdf_communes) -> None:
    raw = _xlsx(
        {
            "old": [["nis_code", "feels_concerned"], [11001, "no"]],
            "2017": [["nis_code", "feels_concerned"], [62063, "yes"]],
        },
        hidden=("old",),
    )
    result = load_survey(raw, filename="x.xlsx", gdf_communes=gdf_communes)
    assert result.data["nis_code"].tolist() == ["62063"]
    assert any("hidden" in w and "'old'" in w for w in result.report.warnings)


def test_title_row_above_the_xlsx_header(gdf_communes) -> None:
    raw = _xlsx(
        {"S": [["Barometer 2017"], [], ["nis_code", "feels_concerned"], [11001, "yes"], [1, "no"]]}
    )
    result = load_survey(raw, filename="x.xlsx", gdf_communes=gdf_communes)
    assert result.data["nis_code"].tolist() == ["11001"]
    assert result.report.rejected["row"].tolist() == [5]
    assert any("Row 3 was used as the header" in w for w in result.report.warnings)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Antwerp", "11002"),
        ("Ghent", "44021"),
        ("Bruges", "31005"),
        ("Ostend", "35013"),
        ("Brussels", "21004"),
        ("City of Brussels", "21004"),
        ("Ixelles - Elsene", "21009"),
        ("Ixelles\xa0-\xa0Elsene", "21009"),
        ("Bruxelles / Brussel", "21004"),
        ("Sint-Joost-ten-Node / Saint-Josse-ten-Noode", "21014"),
        ("Schaerbeek - Schaarbeek", "21015"),
        ("Sint-Jans-Molenbeek (Molenbeek-Saint-Jean)", "21012"),
    ],
)
def test_english_and_bilingual_names_match(gdf_communes, name, code) -> None:
    result = _csv(f'commune,feels_concerned\n"{name}",yes\n', gdf_communes)
    assert result.report.ok, result.report.rejected
    assert result.data["nis_code"].tolist() == [code]


def test_valid_code_beside_a_bilingual_name_is_accepted(gdf_communes) -> None:
    text = (
        "nis_code,commune,feels_concerned\n"
        "21009,Ixelles - Elsene,yes\n21004,Bruxelles / Brussel,no\n"
    )
    result = _csv(text, gdf_communes)
    assert result.report.ok, result.report.rejected
    assert result.data["nis_code"].tolist() == ["21004", "21009"]


def test_messages_are_in_the_users_language_with_the_communes_own_name(gdf_communes) -> None:
    text = "nis_code,commune,feels_concerned\n44021,Liège,oui\n11001,Ixelles\xa0-\xa0Elsenee,oui\n"
    fr = _csv(text, gdf_communes, lang="fr").report.rejected
    reason = fr["reason"].iloc[0]
    assert "Gent" in reason
    assert "Gand" not in reason
    assert "Liège" in reason
    assert "Flandre" in reason
    assert "« Ixelles - Elsenee »" in fr["reason"].iloc[1]
    assert "\\xa0" not in " ".join(fr["reason"])
    nl = _csv(text, gdf_communes, lang="nl").report.rejected["reason"].iloc[0]
    assert "Gent" in nl
    assert "Luik" not in nl
    assert "gemeente" in nl
    de = _csv(text, gdf_communes, lang="de").report.rejected["reason"].iloc[0]
    assert "Gemeinde" in de
    with pytest.raises(SurveyValidationError, match="aucune colonne"):
        load_survey(
            b"city,population\nLiege,1\n", filename="x.csv", gdf_communes=gdf_communes, lang="fr"
        )


def test_utf16_without_bom_is_text(gdf_communes) -> None:
    text = "nis_code\tcommune\tfeels_concerned\n62063\tLiège\toui\n21009\tIxelles\tnon\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        result = load_survey(text.encode(encoding), filename="x.txt", gdf_communes=gdf_communes)
        assert result.report.ok, result.report.rejected
        assert result.data["nis_code"].tolist() == ["21009", "62063"]


@pytest.mark.parametrize("value", ["1.000", "4,000", "2.000"])
def test_thousands_separator_is_not_read_as_a_score(gdf_communes, value) -> None:
    result = _csv(f'nis_code,perception_future\n11001,"{value}"\n11002,4.0\n', gdf_communes)
    rejected = result.report.rejected
    assert rejected["row"].tolist() == [2]
    assert "ambiguous" in rejected["reason"].iloc[0]
    assert result.data["perception_future"].tolist() == [4]


def test_huge_numbers_are_invalid_values_not_errors(gdf_communes) -> None:
    text = "nis_code,perception_future,feels_concerned\n11001," + "9" * 5001 + ",yes\n"
    result = _csv(text, gdf_communes)
    rejected = result.report.rejected
    assert rejected["problem"].tolist() == ["invalid_value"]
    assert len(rejected["value"].iloc[0]) <= 300
    raw = _xlsx({"S": [["nis_code", "perception_future"], [11001, 10**30], [11002, 1e300]]})
    result = load_survey(raw, filename="x.xlsx", gdf_communes=gdf_communes)
    assert result.report.rejected["problem"].tolist() == ["invalid_value", "invalid_value"]


def test_ignored_columns_count_and_ten_examples(gdf_communes) -> None:
    header = "nis_code,feels_concerned," + ",".join(f"extra {i} " + "x" * 500 for i in range(30))
    row = "11001,yes," + ",".join("-" for _ in range(30))
    result = _csv(header + "\n" + row + "\n" + row.replace("11001", "11002") + "\n", gdf_communes)
    ignored = next(w for w in result.report.warnings if "ignored" in w and "Columns" in w)
    assert "and 20 more" in ignored
    assert len(ignored) < 1200
    formulas = next(w for w in result.report.warnings if "formulas" in w)
    assert formulas.startswith("60 cells")
    assert "and 50 more" in formulas
    assert len(formulas) < 1500


def test_messages_are_bounded_whatever_the_file(gdf_communes) -> None:
    header = ",".join(["nis_code" + "z" * 100_000] * 20)
    with pytest.raises(SurveyValidationError) as info:
        _csv(header + "\n" + ",".join(["1"] * 20) + "\n", gdf_communes)
    assert len(str(info.value)) < 2000
    same = ",".join(["nis_code"] * 2 + ["feels_concerned"] * 30)
    with pytest.raises(SurveyValidationError) as info:
        _csv(same + "\n1\n", gdf_communes)
    assert "same thing" in str(info.value)
    assert len(str(info.value)) < 2000
    long_name = "Liège" * 10_000
    result = _csv(f"commune,feels_concerned\n{long_name},yes\n", gdf_communes)
    assert result.report.rejected["reason"].str.len().max() <= 300


def test_report_frame_keeps_its_types(gdf_communes) -> None:
    result = _csv("nis_code,feels_concerned\n1,yes\n", gdf_communes)
    assert result.report.rejected["row"].dtype == "int64"
    assert pd.api.types.is_string_dtype(result.report.rejected["reason"])


def test_deadline_message_in_the_users_language(gdf_communes) -> None:
    with pytest.raises(SurveyValidationError, match=r"plus de 0 s.*décodage du texte"):
        _csv("nis_code,feels_concerned\n11001,yes\n", gdf_communes, time_limit=0, lang="fr")
    with pytest.raises(SurveyValidationError, match=r"longer than 0 s.*decoding the text"):
        _csv("nis_code,feels_concerned\n11001,yes\n", gdf_communes, time_limit=0)


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
def test_every_language_has_every_message(lang) -> None:
    from geobaro.i18n import load_catalog

    keys = {k for k in load_catalog("en") if k.startswith("survey.")}
    assert keys <= set(load_catalog(lang))
