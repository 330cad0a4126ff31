"""What `load_survey` returns: the validated data and the report of every input row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import pandas as pd

from geobaro.vocabulary import Lang

__all__ = [
    "PROBLEMS",
    "REJECTED_COLUMNS",
    "Problem",
    "SurveyResult",
    "ValidationReport",
]

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
        Recoverable oddities: ignored columns, blank rows, codes mapped from later vintages,
        the sheet and header row used, rows without any answer.
    lang
        Language of the reasons, warnings and `summary`.

    Notes
    -----
    Invariant: ``rows_used + rows_rejected == rows_in``.
    """

    rows_in: int
    rows_used: int
    rejected: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    lang: Lang = "en"

    @property
    def rows_rejected(self) -> int:
        """Number of distinct rows rejected."""
        return int(self.rejected["row"].nunique())

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return bool(self.rejected.empty)

    def summary(self, lang: Lang | None = None) -> str:
        r"""Return a one-paragraph account of the validation (in ``lang``, default the report's).

        Examples
        --------
        >>> from geobaro.survey import load_survey
        >>> r = load_survey(b"nis_code,feels_concerned\n11001,yes\n99999,no\n")
        >>> print(r.report.summary())
        2 rows read: 1 used, 1 rejected (unknown_commune: 1).
        >>> print(r.report.summary("fr"))
        2 lignes lues : 1 utilisée(s), 1 rejetée(s) (unknown_commune : 1).
        """
        from geobaro.i18n import t

        lang = lang or self.lang
        text = t(
            "survey.summary",
            lang,
            rows=self.rows_in,
            used=self.rows_used,
            rejected=self.rows_rejected,
        )
        if not self.rejected.empty:
            counts = self.rejected.drop_duplicates(["row", "problem"])["problem"].value_counts()
            sep = t("survey.count_sep", lang)
            text += " (" + ", ".join(f"{k}{sep}{v}" for k, v in counts.sort_index().items()) + ")"
        text += "."
        if self.warnings:
            text += " " + t("survey.warnings", lang, count=len(self.warnings))
            text += " " + " ".join(self.warnings)
        return text


@dataclass(frozen=True, eq=False)
class SurveyResult:
    """A validated survey: one row per matched 2018 commune (per wave), and the report.

    Attributes
    ----------
    data
        Columns ``nis_code``, ``response_status`` and the canonical answer columns
        (`schema.ANSWER_COLUMNS`), one row per 2018 commune found in the file, sorted by
        ``nis_code``. Single answers are strings, scales ``Int64``, yes/no and multi-select
        options ``boolean``; missing answers are NA. When the file has a ``wave`` column,
        ``data`` also has a ``wave`` column (text such as ``2017-BE``) and one row per
        commune per wave, sorted by wave then ``nis_code``.
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

    @property
    def waves(self) -> tuple[str, ...]:
        r"""The waves of the file, sorted (empty when the file has no ``wave`` column).

        Examples
        --------
        >>> from geobaro.survey import load_survey
        >>> text = b"nis_code,wave,feels_concerned\n11001,2017-BE,yes\n11001,2018 be,no\n"
        >>> load_survey(text).waves
        ('2017-BE', '2018-BE')
        """
        if "wave" not in self.data.columns:
            return ()
        return tuple(sorted(self.data["wave"].dropna().astype(str).unique()))
