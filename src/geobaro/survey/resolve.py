"""Resolve one commune code or name of a file to 2018 communes, across the 2019/2025 units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

import pandas as pd

from geobaro.config import Settings
from geobaro.survey.match import commune_index
from geobaro.survey.messages import say, show
from geobaro.survey.normalize import normalize_code, normalize_name
from geobaro.survey.report import Problem
from geobaro.vocabulary import Lang

__all__ = ["KEY_VINTAGES", "KeyVintage", "Matcher", "Resolution"]

#: Which boundary vintage the codes and names of a file follow; ``auto`` tries 2018, then
#: the 2019 and 2025 units.
KeyVintage = Literal["auto", "2018", "2019", "2025"]
KEY_VINTAGES: tuple[KeyVintage, ...] = get_args(KeyVintage)

#: Longest key cell looked up.
_MAX_KEY = 200


@dataclass(frozen=True)
class Resolution:
    """The 2018 communes a key may denote, and why it is not (or how it was) matched."""

    codes: frozenset[str]
    problem: Problem | None = None
    reason: str = ""
    note: str = ""
    later_unit: str = ""


class Matcher:
    """Resolve a code or name to the 2018 communes it may denote."""

    def __init__(
        self,
        gdf: pd.DataFrame,
        *,
        vintage: KeyVintage,
        settings: Settings | None,
        lang: Lang = "en",
    ) -> None:
        self.index = commune_index(gdf)
        self.vintage = vintage
        self.settings = settings
        self.lang = lang
        self.codes18: set[str] = set(self.index.codes)
        # later units: code -> set of 2018 codes, per vintage
        self.units: dict[str, dict[str, set[str]]] = {}
        codes = list(self.index.codes)
        for v in ("2019", "2025"):
            col = f"nis_{v}"
            groups: dict[str, set[str]] = defaultdict(set)
            if col in gdf.columns:
                for old, new in zip(codes, gdf[col].astype(str).tolist(), strict=True):
                    groups[new].add(old)
            self.units[v] = dict(groups)
        self._unit_names: dict[str, dict[str, str]] | None = None
        self._unit_titles: dict[str, dict[str, str]] = {"2019": {}, "2025": {}}

    def label(self, code: str) -> str:
        """Return ``44021 (Gent, Flanders)`` in this matcher's language."""
        return self.index.describe(code, self.lang)

    def short_label(self, code: str) -> str:
        """Return ``44021 (Gent)``."""
        return self.index.short(code, self.lang)

    def describe(self, codes: Iterable[str]) -> str:
        """Return the labels of several communes."""
        return ", ".join(self.label(c) for c in sorted(codes))

    def _later_names(self) -> dict[str, dict[str, str]]:
        """Normalised names of the merged units of 2019 and 2025 -> unit code (lazy)."""
        if self._unit_names is None:
            self._unit_names = {"2019": {}, "2025": {}}
            if any(self.units.values()):
                from geobaro.data.boundaries import load_mergers

                mergers = load_mergers(self.settings)
                merged = mergers[mergers["change"] == "merger"]
                for row in merged.itertuples(index=False):
                    v = str(row.effective_date)[:4]
                    if v in self._unit_names and len(self.units[v].get(row.new_nis, ())) > 1:
                        self._unit_names[v][normalize_name(str(row.new_name))] = str(row.new_nis)
                        self._unit_titles[v][str(row.new_nis)] = str(row.new_name)
        return self._unit_names

    def members(self, unit_key: str) -> set[str]:
        """Return the 2018 codes of a later unit (``Resolution.later_unit``: ``2019 12041``)."""
        v, code = unit_key.split(" ")[:2]
        return self.units.get(v, {}).get(code, set())

    def unit_label(self, unit_key: str) -> str:
        """Return ``2025 unit 11002 (Antwerpen)`` for a later unit's key."""
        v, code = unit_key.split(" ")[:2]
        title = self._later_names() and self._unit_titles[v].get(code, "")
        return self._say("unit", vintage=v, code=code) + (f" ({title})" if title else "")

    def resolve(self, text: str) -> Resolution:
        """Return the 2018 communes a code or name may denote."""
        # Excel users type a leading apostrophe to keep a code as text
        text = text.strip().lstrip("'’").strip()
        if not text:
            return Resolution(frozenset(), "missing_key", self._say("reason.missing_key"))
        if len(text) > _MAX_KEY:
            return Resolution(
                frozenset(),
                "unknown_commune",
                self._say("reason.key_too_long", length=len(text)),
            )
        code = normalize_code(text)
        if code is not None:
            return self._resolve_code(code, text)
        return self._resolve_name(text)

    def _say(self, key: str, **fmt: object) -> str:
        return say(key, self.lang, **fmt)

    def _resolve_code(self, code: str, text: str) -> Resolution:
        if self.vintage in ("auto", "2018") and code in self.codes18:
            later = ""
            if self.vintage == "auto":
                for v in ("2019", "2025"):
                    if len(self.units[v].get(code, ())) > 1:
                        later = f"{v} {code}"
            return Resolution(frozenset({code}), later_unit=later)
        order = {"auto": ("2019", "2025"), "2018": (), "2019": ("2019",), "2025": ("2025",)}
        for v in order[self.vintage]:
            members = self.units[v].get(code)
            if members:
                return self._unit(v, code, members, self._say("what.code", code=text))
        allowed = {"auto": "2018, 2019, 2025", "2018": "2018"}.get(self.vintage, self.vintage)
        return Resolution(
            frozenset(),
            "unknown_commune",
            self._say("reason.unknown_code", vintages=allowed, code=code),
        )

    def _unit(self, v: str, code: str, members: set[str], what: str) -> Resolution:
        if len(members) == 1:
            (old,) = members
            note = self._say("note.mapped", what=what, commune=self.label(old))
            return Resolution(frozenset(members), note=note if code != old else "")
        return Resolution(
            frozenset(members),
            "merged_commune",
            self._say(
                "reason.merged",
                what=what,
                unit=self.unit_label(f"{v} {code}"),
                communes=self.describe(members),
            ),
        )

    def _later_unit_named(
        self, v: str, key: str, olds: frozenset[str], what: str
    ) -> Resolution | None:
        """Return the unit of vintage ``v`` with this name, or holding the commune so named."""
        unit = self._later_names()[v].get(key)
        if unit is not None:
            return self._unit(v, unit, self.units[v][unit], what)
        units = {u for u, members in self.units[v].items() if members & olds}
        if len(units) == 1:
            (unit,) = units
            return self._unit(v, unit, self.units[v][unit], what)
        return None

    def _olds(self, text: str) -> frozenset[str]:
        return self.index.lookup(text)

    def _resolve_name(self, text: str) -> Resolution:
        key = normalize_name(text)
        shown = show(text, self.lang)
        what = self._say("what.name", name=shown)
        if not key:
            return Resolution(
                frozenset(), "unknown_commune", self._say("reason.not_a_key", value=shown)
            )
        olds = self._olds(text)
        if self.vintage in ("2019", "2025"):
            found = self._later_unit_named(self.vintage, key, olds, what)
            if found is not None:
                return found
        if len(olds) == 1:
            later = ""
            if self.vintage == "auto":
                for later_v, names in self._later_names().items():
                    if key in names and self.units[later_v][names[key]] != olds:
                        later = f"{later_v} {names[key]}"
            return Resolution(frozenset(olds), later_unit=later)
        if len(olds) > 1:
            return Resolution(
                frozenset(olds),
                "ambiguous_commune",
                self._say("reason.ambiguous", name=shown, communes=self.describe(olds)),
            )
        if self.vintage == "auto":
            for later_v, names in self._later_names().items():
                if key in names:
                    unit = names[key]
                    return self._unit(later_v, unit, self.units[later_v][unit], what)
        return Resolution(
            frozenset(), "unknown_commune", self._say("reason.unknown_name", name=shown)
        )
