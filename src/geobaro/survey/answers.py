"""Answers as written in files (codes, labels, yes/no, scales) -> canonical values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from geobaro.survey.messages import say, show
from geobaro.survey.normalize import normalize_token, split_multi
from geobaro.survey.schema import QUESTIONS, RESPONSE_STATUSES, STATUS_LABELS, Question
from geobaro.vocabulary import Lang

__all__ = [
    "BOOL_ALIASES",
    "DATA_STATUS_MAP",
    "MAX_TOKEN",
    "STATUS_MAP",
    "parse_answer",
    "parse_flag",
    "parse_wave",
]

#: Longest answer, status or name looked up; longer cells are refused without folding them.
MAX_TOKEN = 200

_YES = ("yes", "y", "true", "1", "x", "oui", "o", "ja", "j", "vrai", "waar", "wahr")
_NO = ("no", "n", "false", "0", "non", "nee", "nein", "faux", "onwaar", "falsch")
_NONE_SELECTED = frozenset(normalize_token(t) for t in ("none", "aucun", "aucune", "geen", "keine"))
_EXTRA_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "feels_concerned": {
        "yes": ("oui", "ja", "y", "o", "j", "true", "concerned", "concernee"),
        "partly": ("partially", "partiellement", "deels", "in part", "plutot", "teilweise"),
        "no": ("non", "nee", "nein", "n", "false"),
        "dont_know": ("dk", "nsp", "je ne sais pas", "weet het niet", "unknown", "weet niet"),
    },
    "strategy": {
        "dedicated_plan": ("dedicated", "plan dedie", "specifiek plan"),
        "in_global_strategy": ("global", "global strategy", "strategie globale"),
        "intends_to_write": ("intends", "intention", "planned", "gepland"),
        "none": ("no", "non", "nee", "aucune strategie", "geen strategie"),
    },
    "strategy_driver": {
        "mayor_college": ("mayor", "college", "bourgmestre", "burgemeester", "politique"),
        "administration": ("admin",),
        "project_officer": ("officer", "charge de projet", "projectmedewerker", "sc manager"),
    },
}
_STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    "answered": ("repondu", "beantwoord", "responded", "respondent", "yes", "oui", "ja"),
    "refused": ("refus", "refuse", "geweigerd", "weigering", "declined"),
    "not_reached": (
        "non atteint",
        "non atteinte",
        "niet bereikt",
        "no response",
        "no answer",
        "pas de reponse",
        "geen antwoord",
        "non repondant",
        "nonrespondent",
    ),
}
_DATA_STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    "real": ("real", "reel", "reelle", "echt", "actual"),
    "illustrative": ("illustrative", "illustratif", "illustratief", "sample", "synthetic"),
}


def _alias_map(
    values: Iterable[str | int],
    labels: Iterable[tuple[str, ...]],
    extra: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, str | int]:
    out: dict[str, str | int] = {}
    for value, label in zip(values, labels, strict=False):
        for text in (str(value), *label):
            out.setdefault(normalize_token(text), value)
    for value, texts in (extra or {}).items():
        for text in texts:
            out.setdefault(normalize_token(text), value)
    return out


def _answer_aliases(q: Question) -> dict[str, str | int]:
    labels: Iterable[tuple[str, ...]] = q.value_labels or [() for _ in q.values]
    out = _alias_map(q.values, labels, _EXTRA_ALIASES.get(q.id))
    if q.kind == "scale":
        for v in q.values:
            out[str(v)] = v
    return out


_ANSWER_ALIASES: dict[str, dict[str, str | int]] = {
    qid: _answer_aliases(q) for qid, q in QUESTIONS.items()
}
#: Folded yes/no words -> bool.
BOOL_ALIASES: dict[str, bool] = {
    **{normalize_token(t): True for t in _YES},
    **{normalize_token(t): False for t in _NO},
}
#: Folded response statuses (codes and labels) -> status code.
STATUS_MAP = _alias_map(RESPONSE_STATUSES, STATUS_LABELS.values(), _STATUS_ALIASES)
#: Folded data statuses -> ``real`` / ``illustrative``.
DATA_STATUS_MAP = _alias_map(("real", "illustrative"), ((), ()), _DATA_STATUS_ALIASES)
# a whole number, possibly written 4.0 / 4,00; at most 9 digits so int() is cheap and bounded
_SCALE_NUMBER = re.compile(r"(\d{1,9})(?:[.,](0*))?")
_WAVE = re.compile(r"((?:19|20)\d\d)(?:\.0+)?(?:\s*[-_ /]\s*([A-Za-z]{2,12}))?")


def _allowed(q: Question, lang: Lang) -> str:
    codes = ", ".join(str(v) for v in q.values)
    if q.kind == "scale":
        return say("allowed.scale", lang, low=q.values[0], high=q.values[-1])
    if q.kind == "bool":
        return say("allowed.bool", lang)
    if q.kind == "multi":
        return say("allowed.multi", lang, codes=codes)
    return say("allowed.single", lang, codes=codes)


def _reason(key: str, lang: Lang, **fmt: Any) -> str:
    return say(key, lang, **fmt)


def parse_flag(text: str, lang: Lang) -> tuple[bool | None, str | None]:
    """Return (flag, None) for a yes/no option cell, or (None, reason)."""
    flag = BOOL_ALIASES.get(normalize_token(text)) if len(text) <= MAX_TOKEN else None
    if flag is None:
        return None, _reason("reason.option", lang)
    return flag, None


def parse_wave(text: str, lang: Lang) -> tuple[str | None, str | None]:
    """Return (canonical wave, None) or (None, reason); ``2017``, ``2017-BE``, ``2017 be``.

    Examples
    --------
    >>> parse_wave("2018 be", "en"), parse_wave("2017.0", "en")
    (('2018-BE', None), ('2017', None))
    >>> parse_wave("autumn", "en")[0] is None
    True
    """
    match = _WAVE.fullmatch(text.strip().lstrip("'")) if len(text) <= MAX_TOKEN else None
    if match is None:
        return None, _reason("reason.wave", lang)
    year, tag = match.groups()
    return (f"{year}-{tag.upper()}" if tag else year), None


def parse_answer(q: Question, text: str, lang: Lang = "en") -> tuple[Any, str | None]:
    """Return (canonical value, None) or (None, reason) for one answer cell.

    Examples
    --------
    >>> parse_answer(QUESTIONS["perception_future"], "4,0")
    (4, None)
    >>> parse_answer(QUESTIONS["perception_future"], "1.000")[1][:40]
    'ambiguous: 1.000 may mean 1 or 1000 (a t'
    """
    if len(text) > MAX_TOKEN:
        return None, _reason("reason.too_long", lang, length=len(text), allowed=_allowed(q, lang))
    token = normalize_token(text)
    if q.kind == "bool":
        return _lookup(BOOL_ALIASES, q, token, lang)
    if q.kind == "scale":
        return _parse_scale(q, text, token, lang)
    if q.kind == "multi":
        return _parse_multi(q, text, token, lang)
    return _lookup(_ANSWER_ALIASES[q.id], q, token, lang)


def _lookup(
    aliases: Mapping[str, Any], q: Question, token: str, lang: Lang
) -> tuple[Any, str | None]:
    value = aliases.get(token)
    if value is None:
        return None, _reason("reason.not_allowed", lang, allowed=_allowed(q, lang))
    return value, None


def _parse_scale(q: Question, text: str, token: str, lang: Lang) -> tuple[Any, str | None]:
    stripped = text.strip().lstrip("'")
    match = _SCALE_NUMBER.fullmatch(stripped)
    if match is not None:
        whole, zeros = match.groups()
        if zeros is not None and len(zeros) == 3:
            # 1.000 is 1 in English and 1000 in French, Dutch and German: do not guess
            return None, _reason(
                "reason.thousands", lang, text=stripped, whole=int(whole), allowed=_allowed(q, lang)
            )
        number = int(whole)
        if number in q.values:
            return number, None
        return None, _reason("reason.outside_scale", lang, number=number, allowed=_allowed(q, lang))
    return _lookup(_ANSWER_ALIASES[q.id], q, token, lang)


def _parse_multi(q: Question, text: str, token: str, lang: Lang) -> tuple[Any, str | None]:
    if token in _NONE_SELECTED:
        return frozenset(), None
    chosen: set[str] = set()
    unknown: list[str] = []
    for part in split_multi(text):
        value = _ANSWER_ALIASES[q.id].get(normalize_token(part))
        if value is None:
            unknown.append(part)
        else:
            chosen.add(str(value))
    if unknown:
        listed = ", ".join(show(u, lang, limit=30) for u in unknown[:5])
        return None, _reason("reason.options", lang, options=listed, allowed=_allowed(q, lang))
    return frozenset(chosen), None
