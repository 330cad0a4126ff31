"""Check every row of a parsed file: formulas, commune key, status, wave, answers, duplicates."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geobaro.survey.answers import (
    DATA_STATUS_MAP,
    MAX_TOKEN,
    STATUS_MAP,
    parse_answer,
    parse_flag,
    parse_wave,
)
from geobaro.survey.columns import Target
from geobaro.survey.messages import (
    MAX_LISTED,
    MAX_VALUE,
    Context,
    examples,
    rows_text,
    shorten,
)
from geobaro.survey.normalize import is_blank, is_formula, neutralise_formula, normalize_token
from geobaro.survey.report import REJECTED_COLUMNS, Problem, SurveyResult, ValidationReport
from geobaro.survey.resolve import Matcher, Resolution
from geobaro.survey.schema import (
    ANSWER_COLUMNS,
    DATA_COLUMNS,
    KEY_COLUMN,
    QUESTIONS,
    RESPONSE_STATUSES,
    STATUS_COLUMN,
    WAVE_COLUMN,
)
from geobaro.survey.table import Table

__all__ = ["CHECK_EVERY", "validate"]

log = logging.getLogger(__name__)

#: Rows checked between two looks at the deadline.
CHECK_EVERY = 64
#: Longest text kept in the ``column``, ``value`` and ``reason`` columns of the report.
_MAX_REPORT_TEXT = 300
#: Examples kept of a repeated oddity (formulas in ignored columns, ignored headers).
_EXAMPLES = 10


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    problems: list[tuple[str, str, str, Problem]]
    code: str | None = None
    wave: str | None = None
    key_header: str = ""
    key_text: str = ""
    notes: list[str] = field(default_factory=list)
    later: list[str] = field(default_factory=list)
    empty: bool = False
    status_given: bool = False


@dataclass
class _Oddities:
    """Counts and a few examples of what is found across rows (never one string per cell)."""

    data_statuses: set[str] = field(default_factory=set)
    formulas: int = 0
    formula_examples: list[str] = field(default_factory=list)


@dataclass
class _Answers:
    """What the answer cells of one row said so far."""

    status: str = "answered"
    given: bool = False
    options: dict[str, dict[str, bool]] = field(default_factory=lambda: defaultdict(dict))
    chosen_sets: dict[str, frozenset[str]] = field(default_factory=dict)


class _RowChecker:
    """Check one data row: formulas, commune key, status, wave and answers."""

    def __init__(
        self, header: list[str], columns: dict[int, Target], matcher: Matcher, ctx: Context
    ) -> None:
        self.header = header
        self.columns = columns
        self.matcher = matcher
        self.ctx = ctx
        self.key_cols = [i for i, t in columns.items() if t.role in ("key", "name")]
        self.key_cols.sort(key=lambda i: columns[i].role != "key")
        self.status_col = next((i for i, t in columns.items() if t.role == "status"), None)
        self.wave_col = next((i for i, t in columns.items() if t.role == "wave"), None)
        self.ignored = [i for i in range(len(header)) if i not in columns]
        self.odd = _Oddities()
        self.cache: dict[str, Resolution] = {}

    def check(self, number: int, cells: list[str], malformed: str | None) -> _Row:
        row = _Row(number, {}, [])
        if malformed:
            row.problems.append(("", "", malformed, "malformed_row"))
        for i in self.ignored:
            if cells[i] and is_formula(cells[i]):
                self.odd.formulas += 1
                if len(self.odd.formula_examples) < _EXAMPLES:
                    where = self.ctx.say(
                        "where", row=number, column=self.ctx.show(self.header[i], limit=40)
                    )
                    self.odd.formula_examples.append(where)
        skip = {i for i in self.columns if cells[i].strip() and is_formula(cells[i])}
        for i in sorted(skip):
            row.problems.append(
                (self.header[i], cells[i], self.ctx.say("reason.formula"), "formula")
            )
        self._key(row, cells, skip)
        self._wave(row, cells, skip)
        self._answers(row, cells, skip)
        return row

    def _resolve(self, text: str) -> Resolution:
        res = self.cache.get(text)
        if res is None:
            res = self.matcher.resolve(text)
            if len(self.cache) < 20_000:
                self.cache[text] = res
        return res

    def _key(self, row: _Row, cells: list[str], skip: set[int]) -> None:
        resolutions = [
            (i, self._resolve(cells[i]))
            for i in self.key_cols
            if i not in skip and cells[i].strip()
        ]
        row.notes = [
            self.ctx.say("note.row", row=row.number, note=res.note)
            for _, res in resolutions
            if res.note
        ]
        row.later = [res.later_unit for _, res in resolutions if res.later_unit]
        if not resolutions:
            if not skip & set(self.key_cols):
                header = self.header[self.key_cols[0]]
                row.problems.append((header, "", self.ctx.say("reason.missing_key"), "missing_key"))
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
                f"{self.ctx.show(self.header[i], limit=30)} {self.ctx.show(cells[i])} → "
                f"{self.matcher.describe(r.codes)}"
                for i, r in resolutions
            )
            row.problems.append(
                (
                    row.key_header,
                    row.key_text,
                    self.ctx.say("reason.conflicting", described=described),
                    "conflicting_keys",
                )
            )
            return
        i, res = min(resolutions, key=lambda ir: len(ir[1].codes))
        row.problems.append(
            (self.header[i], cells[i], res.reason, res.problem or "ambiguous_commune")
        )

    def _wave(self, row: _Row, cells: list[str], skip: set[int]) -> None:
        if self.wave_col is None or self.wave_col in skip:
            return
        text = cells[self.wave_col]
        if not text.strip():
            missing = self.ctx.say("reason.missing_wave")
            row.problems.append((self.header[self.wave_col], "", missing, "invalid_value"))
            return
        wave, reason = parse_wave(text, self.ctx.lang)
        if reason is not None:
            row.problems.append((self.header[self.wave_col], text, reason, "invalid_value"))
        row.wave = wave

    def _answers(self, row: _Row, cells: list[str], skip: set[int]) -> None:
        state = _Answers()
        for i, target in self.columns.items():
            text = cells[i]
            if i in skip or not text.strip() or target.role in ("key", "name", "wave"):
                continue
            problem = self._cell(row, target, text, state)
            if problem is not None:
                row.problems.append((self.header[i], text, problem, "invalid_value"))
        self._combine_multi(row, state.options, state.chosen_sets)
        status = state.status
        row.empty = status == "answered" and not state.given
        if row.empty and not row.status_given:
            # a listed commune without any answer and no status is not a respondent
            status = "not_reached"
        row.values[STATUS_COLUMN] = status
        if status != "answered" and state.given and self.status_col is not None:
            row.problems.append(
                (
                    self.header[self.status_col],
                    cells[self.status_col],
                    self.ctx.say("reason.inconsistent", status=status),
                    "inconsistent_status",
                )
            )

    def _cell(self, row: _Row, target: Target, text: str, state: _Answers) -> str | None:
        """Read one non-key cell into ``row`` or ``state``; return why it is wrong, if it is."""
        lang = self.ctx.lang
        short = len(text) <= MAX_TOKEN
        if target.role == "status":
            value = STATUS_MAP.get(normalize_token(text)) if short else None
            if value is None:
                return self.ctx.say("reason.status", allowed=", ".join(RESPONSE_STATUSES))
            state.status = str(value)
            row.status_given = True
            return None
        if target.role == "data_status":
            value = DATA_STATUS_MAP.get(normalize_token(text)) if short else None
            if value is None:
                return self.ctx.say("reason.data_status")
            self.odd.data_statuses.add(str(value))
            return None
        state.given = True
        if target.role == "option":
            flag, problem = parse_flag(text, lang)
            if flag is not None:
                state.options[target.question][target.option] = flag
            return problem
        q = QUESTIONS[target.question]
        answer, problem = parse_answer(q, text, lang)
        if problem is None:
            if q.kind == "multi":
                state.chosen_sets[q.id] = answer
            else:
                row.values[q.id] = answer
        return problem

    def _combine_multi(
        self,
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
                            self.ctx.say("reason.multi_clash", options=", ".join(clash)),
                            "invalid_value",
                        )
                    )
            else:
                flags.update(options[qid])
            for option, flag in flags.items():
                row.values[f"{q.option_prefix}_{option}"] = flag


def validate(
    table: Table, columns: dict[int, Target], matcher: Matcher, ctx: Context
) -> SurveyResult:
    """Check every row of ``table`` and return the data of the good rows and the report."""
    checker = _RowChecker(table.header, columns, matcher, ctx)
    rows: list[_Row] = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        rows.append(checker.check(number, cells, table.malformed.get(number)))
        if len(rows) % CHECK_EVERY == 0:
            ctx.deadline.check(f"checking row {number}")
    ctx.deadline.check("looking for duplicate communes")
    _reject_duplicates(rows, matcher, ctx)
    used = [r for r in rows if not r.problems]
    illustrative = "illustrative" in checker.odd.data_statuses or any(
        "illustrative" in c.casefold() for c in table.comments
    )
    warn = [*table.notes, *_warnings(table, columns, checker, used, ctx)]
    if illustrative:
        warn.append(ctx.say("warn.illustrative"))
    report = ValidationReport(
        rows_in=len(rows),
        rows_used=len(used),
        rejected=_rejected_frame(rows),
        warnings=warn,
        lang=ctx.lang,
    )
    if report.rows_used + report.rows_rejected != report.rows_in:  # pragma: no cover
        raise RuntimeError("survey validation lost rows; please report this bug")
    log.info("read %s: %s", ctx.name, shorten(report.summary(), 500))
    return SurveyResult(
        data=_data_frame(used, with_wave=checker.wave_col is not None),
        report=report,
        source_name=ctx.name,
        is_illustrative=illustrative,
    )


def _warnings(
    table: Table,
    columns: dict[int, Target],
    checker: _RowChecker,
    used: list[_Row],
    ctx: Context,
) -> list[str]:
    warn: list[str] = []
    ignored = [h for i, h in enumerate(table.header) if i not in columns and h.strip()]
    if ignored:
        shown = [ctx.show(h, limit=40) for h in ignored[:_EXAMPLES]]
        warn.append(ctx.say("warn.ignored", columns=examples(shown, len(ignored), ctx.lang)))
    if table.blank_rows:
        warn.append(ctx.say("warn.blank_rows", rows=rows_text(table.blank_rows, ctx.lang)))
    odd = checker.odd
    if odd.formulas:
        listed = examples(odd.formula_examples, odd.formulas, ctx.lang)
        warn.append(ctx.say("warn.formulas", count=odd.formulas, examples=listed))
    notes = [n for r in used for n in r.notes]
    if notes:
        warn.append(ctx.say("warn.mapped", notes=examples(notes, len(notes), ctx.lang, limit=20)))
    warn.extend(_later_warning(used, checker.matcher, ctx))
    for given, key in ((False, "warn.no_answer"), (True, "warn.answered_empty")):
        empty = [r.number for r in used if r.empty and r.status_given is given]
        if empty:
            warn.append(ctx.say(key, count=len(empty), rows=rows_text(empty, ctx.lang)))
    if len(odd.data_statuses) > 1:
        warn.append(ctx.say("warn.mixed"))
    return warn


def _later_warning(used: list[_Row], matcher: Matcher, ctx: Context) -> list[str]:
    later: dict[str, list[int]] = defaultdict(list)
    used_codes = {r.code for r in used}
    for r in used:
        for unit in dict.fromkeys(r.later):
            # a file that also holds the unit's other 2018 communes clearly follows 2018
            if not (matcher.members(unit) - {r.code}) & used_codes:
                later[unit].append(r.number)
    if not later:
        return []
    which = "; ".join(
        ctx.say("unit_rows", unit=matcher.unit_label(u), rows=rows_text(r, ctx.lang))
        for u, r in sorted(later.items())
    )
    return [ctx.say("warn.later", which=which)]


def _reject_duplicates(rows: list[_Row], matcher: Matcher, ctx: Context) -> None:
    """Flag communes given twice (per wave), also when one copy has other problems."""
    by_code: dict[tuple[str, str | None], list[_Row]] = defaultdict(list)
    for r in rows:
        if r.code is not None:
            by_code[(r.code, r.wave)].append(r)
    for (code, _wave), group in by_code.items():
        if len(group) < 2:
            continue
        label = matcher.short_label(code)
        first = group[0]
        clean = all(not r.problems for r in group)
        if clean and all(r.values == first.values for r in group[1:]):
            for r in group[1:]:
                reason = ctx.say("reason.duplicate_same", commune=label, row=first.number)
                r.problems.append((r.key_header, r.key_text, reason, "duplicate_commune"))
            continue
        key = "reason.duplicate" if clean else "reason.duplicate_problem"
        numbers = [o.number for o in group]
        for k, r in enumerate(group):
            # the first few other rows and how many more: never a list per row of the group
            others = numbers[: min(k, MAX_LISTED)] + numbers[k + 1 : k + 1 + MAX_LISTED]
            listed = rows_text(others[:MAX_LISTED], ctx.lang)
            if len(group) - 1 > MAX_LISTED:
                listed += ctx.say("more", count=len(group) - 1 - MAX_LISTED)
            reason = ctx.say(key, commune=label, rows=listed)
            r.problems.append((r.key_header, r.key_text, reason, "duplicate_commune"))


def _report_text(text: str, limit: int = _MAX_REPORT_TEXT) -> str:
    """Cut report text (a huge cell must not flood the UI), formulas neutralised."""
    if len(text) > limit:
        text = f"{text[: limit - 30]}... [{len(text)} characters]"
    return neutralise_formula(text)


def _rejected_frame(rows: list[_Row]) -> pd.DataFrame:
    records = [
        {
            "row": r.number,
            "column": _report_text(column, MAX_VALUE * 2),
            "value": _report_text(value),
            "reason": _report_text(reason),
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


def _data_frame(used: list[_Row], *, with_wave: bool) -> pd.DataFrame:
    records = [{KEY_COLUMN: r.code, WAVE_COLUMN: r.wave, **r.values} for r in used]
    columns = list(DATA_COLUMNS)
    if with_wave:
        columns.insert(1, WAVE_COLUMN)
    frame = pd.DataFrame(records, columns=columns)
    order = [WAVE_COLUMN, KEY_COLUMN] if with_wave else [KEY_COLUMN]
    frame = frame.sort_values(order, kind="stable").reset_index(drop=True)
    frame[KEY_COLUMN] = frame[KEY_COLUMN].astype("str")
    if with_wave:
        frame[WAVE_COLUMN] = frame[WAVE_COLUMN].astype("str")
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
