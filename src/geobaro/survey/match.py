"""One commune-name index: matching codes and names in files, and ranking a search.

The index is built once per commune table (cached by content) from every language's name,
English exonyms (Antwerp, Ghent, Bruges ...) and the bilingual forms Brussels publishes
("Ixelles - Elsene", "Bruxelles / Brussel"). The reader's matching and the app's search both
use it.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from geobaro._units import NAME_COLUMNS, PROVINCE_NAMES, REGION_NAMES
from geobaro.survey.normalize import is_blank, normalize_code, normalize_name
from geobaro.survey.schema import KEY_COLUMN
from geobaro.vocabulary import LANG_INDEX, LANGS, Lang

__all__ = ["RANK_COLUMNS", "CommuneIndex", "commune_index", "rank_communes"]

#: Columns of the frame `rank_communes` returns.
RANK_COLUMNS = ("nis_code", "name", "label", "score", "exact")

_NAME_COLUMNS: dict[Lang, str] = {lang: NAME_COLUMNS[LANG_INDEX[lang]] for lang in LANGS}
#: Communes of the German-speaking Community: their own name is the German one.
_GERMAN_SPEAKING = frozenset(
    {"63001", "63012", "63013", "63023", "63040", "63048", "63061", "63067", "63087"}
)
#: English (and other common) names that are not in the boundary table.
_EXONYMS: dict[str, tuple[str, ...]] = {
    "11002": ("Antwerp",),
    "12025": ("Mechlin", "Malines"),
    "21004": (
        "City of Brussels",
        "Brussels City",
        "Bruxelles-Ville",
        "Ville de Bruxelles",
        "Brussel-Stad",
        "Stad Brussel",
    ),
    "24062": ("Louvain",),
    "31005": ("Bruges",),
    "33011": ("Ypres",),
    "35013": ("Ostend",),
    "44021": ("Ghent",),
}
# "Ixelles - Elsene", "Bruxelles / Brussel", "Elsene (Ixelles)": parts of a bilingual cell
_BILINGUAL_SPLIT = re.compile(r"\s+[-–—]\s+|\s*[/|()]\s*|\s+[–—]|[–—]\s+")
_REGION_SHORT: dict[str, tuple[str, str, str, str]] = {
    "Flanders": ("Flandre", "Vlaanderen", "Flandern", "Flanders"),
    "Wallonia": ("Wallonie", "Wallonië", "Wallonien", "Wallonia"),
    "Brussels": ("Bruxelles", "Brussel", "Brüssel", "Brussels"),
}
#: Longest query or cell looked up as a name.
_MAX_NAME = 200
_CACHE_SIZE = 4


@dataclass(frozen=True)
class CommuneIndex:
    """Folded names of the 2018 communes in every language, and how to name them for people.

    Build it with `commune_index` (cached); do not mutate it.

    Attributes
    ----------
    codes
        The 2018 NIS codes, in table order.
    by_name
        Folded name (any language, exonyms, bilingual forms) -> the codes bearing it.
    names
        Code -> names by language (``fr``, ``nl``, ``de``, ``en``).
    regions, provinces
        Code -> region key (``Flanders`` ...) and province code (empty when unknown).
    homonyms
        Language -> the codes whose name in that language another commune bears too.
    """

    codes: tuple[str, ...]
    by_name: dict[str, frozenset[str]]
    names: dict[str, dict[Lang, str]]
    regions: dict[str, str]
    provinces: dict[str, str]
    homonyms: dict[Lang, frozenset[str]]

    def name(self, code: str, lang: Lang) -> str:
        """Return the commune's name in ``lang`` (its code if it has none)."""
        names = self.names.get(code, {})
        return names.get(lang) or names.get("en") or names.get("fr") or code

    def own_name(self, code: str, lang: Lang = "en") -> str:
        """Return the commune's own name: Dutch in Flanders, French or German in Wallonia.

        Brussels communes are bilingual: French or Dutch for those languages, both otherwise.
        """
        names = self.names.get(code, {})
        region = self.regions.get(code, "")
        if region == "Flanders":
            return names.get("nl") or self.name(code, lang)
        if region == "Wallonia":
            own: Lang = "de" if code in _GERMAN_SPEAKING else "fr"
            return names.get(own) or self.name(code, lang)
        if region == "Brussels":
            if lang in ("fr", "nl"):
                return names.get(lang) or self.name(code, lang)
            fr, nl = names.get("fr", ""), names.get("nl", "")
            return fr if fr == nl or not nl else f"{fr} / {nl}"
        return self.name(code, lang)

    def region_name(self, code: str, lang: Lang) -> str:
        """Return the short name of the commune's region in ``lang``."""
        short = _REGION_SHORT.get(self.regions.get(code, ""))
        return short[LANG_INDEX[lang]] if short else self.regions.get(code, "")

    def province_name(self, code: str, lang: Lang) -> str:
        """Return the name of the commune's province (the region for Brussels) in ``lang``."""
        names = PROVINCE_NAMES.get(self.provinces.get(code, ""))
        if names is None:
            region = REGION_NAMES.get(self.regions.get(code, ""))
            return region[LANG_INDEX[lang]] if region else ""
        return names[LANG_INDEX[lang]]

    def describe(self, code: str, lang: Lang) -> str:
        """Return ``44021 (Gent, Flanders)``: code, own name and region, for messages.

        Examples
        --------
        >>> ref = pd.DataFrame({"nis_code": ["44021"], "name_fr": ["Gand"], "name_nl": ["Gent"],
        ...                     "name_de": ["Gent"], "name_en": ["Gent"], "region": ["Flanders"]})
        >>> commune_index(ref).describe("44021", "fr")
        '44021 (Gent, Flandre)'
        """
        if code not in self.names:
            return code
        where = ", ".join(x for x in (self.own_name(code, lang), self.region_name(code, lang)) if x)
        return f"{code} ({where})" if where else code

    def short(self, code: str, lang: Lang) -> str:
        """Return ``44021 (Gent)``."""
        return f"{code} ({self.own_name(code, lang)})" if code in self.names else code

    def lookup(self, text: str) -> frozenset[str]:
        r"""Return the 2018 codes a name may denote (bilingual forms included); empty if none.

        Examples
        --------
        >>> ref = pd.DataFrame({"nis_code": ["21009"], "name_fr": ["Ixelles"],
        ...     "name_nl": ["Elsene"], "name_de": ["Ixelles"], "name_en": ["Ixelles"],
        ...     "region": ["Brussels"]})
        >>> sorted(commune_index(ref).lookup("Ixelles\xa0-\xa0Elsene"))
        ['21009']
        """
        if len(text) > _MAX_NAME:
            return frozenset()
        key = normalize_name(text)
        found = self.by_name.get(key)
        if found is not None or not key:
            return found or frozenset()
        parts = [p for p in _BILINGUAL_SPLIT.split(text.replace("\xa0", " ")) if p.strip()]
        if len(parts) < 2:
            return frozenset()
        sets = [self.by_name.get(normalize_name(p), frozenset()) for p in parts]
        if not all(sets):
            return frozenset()
        return frozenset.intersection(*sets)


def commune_index(gdf_communes: pd.DataFrame) -> CommuneIndex:
    """Return the name index of a commune table, built once per table content.

    Parameters
    ----------
    gdf_communes
        The 2018 commune reference (``nis_code``, ``name_fr`` ... ``name_en``, ``region``,
        optionally ``province_nis``); a GeoDataFrame or a plain frame.

    Examples
    --------
    >>> ref = pd.DataFrame({"nis_code": ["62063"], "name_fr": ["Liège"], "name_nl": ["Luik"],
    ...                     "name_de": ["Lüttich"], "name_en": ["Liège"], "region": ["Wallonia"]})
    >>> sorted(commune_index(ref).lookup("LUIK"))
    ['62063']
    """
    if KEY_COLUMN not in gdf_communes.columns:
        raise ValueError(f"the commune reference has no {KEY_COLUMN} column")
    columns = [KEY_COLUMN, *_NAME_COLUMNS.values(), "region", "province_nis"]
    frame = pd.DataFrame(
        {c: gdf_communes[c].astype(str) for c in columns if c in gdf_communes.columns}
    )
    fingerprint = (
        len(frame),
        tuple(frame.columns),
        int(pd.util.hash_pandas_object(frame, index=False).sum()),
    )
    cached = _CACHE.get(fingerprint)
    if cached is None:
        cached = _build_index(frame)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[fingerprint] = cached
    return cached


_CACHE: dict[tuple[object, ...], CommuneIndex] = {}


def _build_index(frame: pd.DataFrame) -> CommuneIndex:
    codes = tuple(frame[KEY_COLUMN].tolist())
    names: dict[str, dict[Lang, str]] = {}
    by_name: dict[str, set[str]] = defaultdict(set)
    for row in frame.to_dict("records"):
        code = row[KEY_COLUMN]
        own: dict[Lang, str] = {}
        for lang, column in _NAME_COLUMNS.items():
            value = row.get(column)
            if value is not None and not is_blank(value) and value not in ("nan", "None"):
                own[lang] = str(value)
        names[code] = own
        variants = set(own.values()) | set(_EXONYMS.get(code, ()))
        distinct = sorted(set(own.values()))
        # the bilingual forms: "Ixelles Elsene" and "Elsene Ixelles" fold to one key each
        variants |= {f"{a} {b}" for a in distinct for b in distinct if a != b}
        for variant in variants:
            key = normalize_name(variant)
            if key:
                by_name[key].add(code)
    regions = dict(zip(codes, frame.get("region", pd.Series([""] * len(codes))), strict=True))
    provinces = dict(
        zip(codes, frame.get("province_nis", pd.Series([""] * len(codes))), strict=True)
    )
    return CommuneIndex(
        codes=codes,
        by_name={k: frozenset(v) for k, v in by_name.items()},
        names=names,
        regions={k: ("" if v in ("nan", "None") else v) for k, v in regions.items()},
        provinces={k: ("" if v in ("nan", "None") else v) for k, v in provinces.items()},
        homonyms={lang: _homonyms(codes, names, lang) for lang in LANGS},
    )


def rank_communes(
    query: str, gdf_communes: pd.DataFrame, *, lang: Lang = "en", limit: int = 10
) -> pd.DataFrame:
    """Rank the communes a search query may mean: exact names first, then prefixes, then close.

    Parameters
    ----------
    query
        What the user typed: a name in any language (case, accents, hyphens, apostrophes
        and spaces ignored), an English exonym, a bilingual Brussels form, or a NIS code or
        its first digits.
    gdf_communes
        The 2018 commune reference table.
    lang
        Language of ``name`` and ``label``.
    limit
        Most rows returned.

    Returns
    -------
    pandas.DataFrame
        Columns `RANK_COLUMNS`: ``nis_code``; ``name`` in ``lang``; ``label`` (the name, the
        commune's own name when it differs, and the province when several communes share the
        name, e.g. ``Saint-Nicolas (Sint-Niklaas, Flandre orientale)``); ``score`` in (0, 1];
        ``exact`` (a name or code matched exactly). Exact matches come first, then names
        starting with the query, then names containing it, then close spellings (suggestions).
        Empty when nothing is close (or the query is blank).

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> best = rank_communes("Luik", ref, lang="fr").iloc[0]
    >>> best["nis_code"], best["label"], bool(best["exact"])
    ('62063', 'Liège', True)
    >>> rank_communes("saint-nicolas", ref, lang="fr")["label"].tolist()
    ['Saint-Nicolas (Sint-Niklaas, Flandre orientale)', 'Saint-Nicolas (Liège)']
    >>> rank_communes("Brugse", ref, lang="en")["nis_code"].tolist()[:1]
    ['31005']
    >>> rank_communes("zzzzqqq", ref).empty
    True
    """
    lang = lang if lang in LANGS else "en"
    index = commune_index(gdf_communes)
    scores = _score(index, query or "")
    ranked = sorted(scores.items(), key=lambda cs: (-cs[1], index.name(cs[0], lang), cs[0]))
    ranked = ranked[: max(int(limit), 0)]
    homonyms = index.homonyms[lang]
    rows = [
        {
            "nis_code": code,
            "name": index.name(code, lang),
            "label": _label(index, code, lang, homonyms),
            "score": round(score, 3),
            "exact": score >= 1.0,
        }
        for code, score in ranked
    ]
    out = pd.DataFrame(rows, columns=list(RANK_COLUMNS))
    out["nis_code"] = out["nis_code"].astype("str")
    out["name"] = out["name"].astype("str")
    out["label"] = out["label"].astype("str")
    out["score"] = out["score"].astype("float64")
    out["exact"] = out["exact"].astype("bool")
    return out


def _score(index: CommuneIndex, query: str) -> dict[str, float]:
    """Score every commune the query may mean (1 exact, 0.9 prefix, 0.7 contains, <0.6 close)."""
    text = query.strip().lstrip("'")[:_MAX_NAME]
    needle = normalize_name(text)
    if not needle:
        return {}
    scores: dict[str, float] = {}

    def offer(codes: Iterable[str], score: float) -> None:
        for code in codes:
            scores[code] = max(scores.get(code, 0.0), score)

    code = normalize_code(text)
    if code is not None and code in index.names:
        offer([code], 1.0)
    if text.isdigit() and len(text) < 5:
        offer([c for c in index.codes if c.startswith(text)], 0.8)
    offer(index.lookup(text), 1.0)
    for key, codes in index.by_name.items():
        if key.startswith(needle):
            offer(codes, 0.9 - 0.1 * (1 - len(needle) / len(key)))
        elif len(needle) >= 3 and needle in key:
            offer(codes, 0.7 - 0.1 * (1 - len(needle) / len(key)))
    if not scores and len(needle) >= 3:
        keys = list(index.by_name)
        for key in difflib.get_close_matches(needle, keys, n=10, cutoff=0.7):
            ratio = difflib.SequenceMatcher(None, needle, key).ratio()
            offer(index.by_name[key], 0.6 * ratio)
    return scores


def _homonyms(
    codes: tuple[str, ...], names: dict[str, dict[Lang, str]], lang: Lang
) -> frozenset[str]:
    """Codes whose name in ``lang`` is borne by another commune too."""
    seen: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        own = names.get(code, {})
        seen[normalize_name(own.get(lang) or own.get("en") or own.get("fr") or code)].append(code)
    return frozenset(c for group in seen.values() if len(group) > 1 for c in group)


def _label(index: CommuneIndex, code: str, lang: Lang, homonyms: frozenset[str]) -> str:
    name = index.name(code, lang)
    extra: list[str] = []
    own = index.own_name(code, lang)
    if normalize_name(own) != normalize_name(name):
        extra.append(own)
    if code in homonyms:
        extra.append(index.province_name(code, lang))
    extra = [e for e in extra if e]
    return f"{name} ({', '.join(extra)})" if extra else name
