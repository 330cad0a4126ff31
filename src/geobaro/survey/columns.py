"""Which file column holds what: commune key, name, status, wave, answers, options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from geobaro.survey.normalize import normalize_header
from geobaro.survey.schema import (
    DATA_STATUS_COLUMN,
    KEY_COLUMN_ALIASES,
    NAME_COLUMN_ALIASES,
    QUESTIONS,
    STATUS_COLUMN,
    WAVE_COLUMN,
)

if TYPE_CHECKING:
    from geobaro.survey.messages import Context

__all__ = ["TARGETS", "Role", "Target", "map_columns", "names_a_key"]

Role = Literal["key", "name", "status", "data_status", "wave", "answer", "option"]


@dataclass(frozen=True)
class Target:
    """What a file column holds: key, name, status, data_status, wave, answer or option."""

    role: Role
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
_WAVE_HEADERS = frozenset(
    {WAVE_COLUMN, "survey_wave", "vague", "golf", "welle", "edition", "editie", "survey_year"}
)


def _header_targets() -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for alias in KEY_COLUMN_ALIASES:
        targets[alias] = Target("key")
    for alias in NAME_COLUMN_ALIASES:
        targets[alias] = Target("name")
    for alias in _STATUS_HEADERS:
        targets[alias] = Target("status")
    for alias in _DATA_STATUS_HEADERS:
        targets[alias] = Target("data_status")
    for alias in _WAVE_HEADERS:
        targets[alias] = Target("wave")
    for q in QUESTIONS.values():
        targets[q.id] = Target("answer", q.id)
        if q.kind == "multi":
            for value in q.values:
                for prefix in (q.option_prefix, q.id):
                    targets[f"{prefix}_{value}"] = Target("option", q.id, str(value))
    for alias, qid in _QUESTION_ALIASES.items():
        targets[alias] = Target("answer", qid)
    return targets


#: Folded header -> what the column holds.
TARGETS = _header_targets()
#: Cells of a row searched for a commune column header.
_KEY_SEARCH = 50
#: Longest header looked up (longer ones cannot be a schema column).
_MAX_HEADER = 80


def target_of(header: str) -> Target | None:
    """Return what a column with this header holds, if it is a schema column."""
    if len(header) > _MAX_HEADER:
        return None
    return TARGETS.get(normalize_header(header))


def names_a_key(cells: Sequence[str]) -> bool:
    """Tell whether one of the cells is the header of a commune code or name column."""
    for cell in cells[:_KEY_SEARCH]:
        target = target_of(cell)
        if target is not None and target.role in ("key", "name"):
            return True
    return False


def map_columns(header: list[str], ctx: Context) -> dict[int, Target]:
    """Map header positions to targets; refuse a file without a commune or answer column."""
    mapped: dict[int, Target] = {}
    seen: dict[Target, str] = {}
    clashes: list[str] = []
    for i, text in enumerate(header):
        target = target_of(text)
        if target is None:
            continue
        if target.role != "name" and target in seen:
            clashes.append(ctx.say("pair", first=ctx.show(seen[target]), second=ctx.show(text)))
            continue
        seen[target] = text
        mapped[i] = target
    if clashes:
        raise ctx.fail("err.same_columns", clashes="; ".join(clashes[:10]))
    roles = {t.role for t in mapped.values()}
    found = ", ".join(ctx.show(h, limit=30) for h in header[:10] if h.strip())
    if not roles & {"key", "name"}:
        raise ctx.fail(
            "err.no_key_column",
            found=found,
            keys=", ".join(sorted(KEY_COLUMN_ALIASES)[:6]),
            names=", ".join(sorted(NAME_COLUMN_ALIASES)[:6]),
        )
    if not roles & {"status", "answer", "option"}:
        raise ctx.fail(
            "err.no_answer_column",
            found=found,
            status=STATUS_COLUMN,
            questions=", ".join(QUESTIONS),
        )
    return mapped
