"""The barometer waves: their scope, their order, and where each published figure lies on a map.

Each row of ``barometer_figures.csv`` is a figure of one wave for one group. A group is a
place when its breakdown is ``region`` or ``province``, and also when a Walloon barometer
gives a figure for all of Wallonia (its whole territory is the Walloon region). Belgian
totals, rural/urban and size groups, and the figures about the survey itself
(`SURVEY_FACTS`), have no unit on a map.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geobaro._units import PROVINCE_NAMES, REGION_NIS
from geobaro.errors import GeobaroError

if TYPE_CHECKING:
    from geobaro.vocabulary import Level, Region

__all__ = [
    "MAP_LEVELS",
    "SURVEY_FACTS",
    "WAVES",
    "WaveInfo",
    "find_conflicts",
    "group_nis_code",
    "list_waves",
    "locate_figures",
    "wave_population",
    "wave_respondents",
]

#: Levels a published figure can be mapped at.
MAP_LEVELS: tuple[Level, ...] = ("region", "province")


@dataclass(frozen=True)
class WaveInfo:
    """One barometer wave.

    Attributes
    ----------
    wave
        Its code in ``barometer_figures.csv`` (``2018-BE``).
    scope
        ``Belgium`` (all 589 communes were asked) or ``Wallonia`` (the 262 Walloon ones).
    published
        Month of publication (``YYYY-MM``, from ``data/survey/published/README.md``); it
        orders the waves on the time axis.
    """

    wave: str
    scope: str
    published: str

    @property
    def regions(self) -> tuple[Region, ...]:
        """Regions whose communes were asked."""
        if self.scope == "Wallonia":
            return ("Wallonia",)
        return ("Flanders", "Wallonia", "Brussels")


#: The waves of the collection, in order of publication.
WAVES: dict[str, WaveInfo] = {
    w.wave: w
    for w in (
        WaveInfo("2017-BE", "Belgium", "2017-02"),
        WaveInfo("2018-WAL", "Wallonia", "2018-02"),
        WaveInfo("2018-BE", "Belgium", "2018-06"),
        WaveInfo("2019-WAL", "Wallonia", "2019-09"),
        WaveInfo("2020-WAL", "Wallonia", "2021-01"),
        WaveInfo("2021-WAL", "Wallonia", "2022-03"),
    )
}

#: Figures about the survey itself (who was asked, who answered, how): never drawn on a map.
SURVEY_FACTS = frozenset(
    {
        "communes_surveyed",
        "communes_responded",
        "response_rate",
        "questionnaire_items",
        "mean_response_time_min",
        "respondent_share_executive_directors",
        "respondent_share_general_directors",
        "respondent_share_heads_of_department",
        "respondent_share_sc_managers",
        "respondents_by_rurality",
        "respondents_by_size",
        "large_cities_count",
        "small_communes_share",
    }
)

# Province names as the sources spell them -> REFNIS code (accents and case folded).
_PROVINCE_ALIASES = {"liege": "60000", "luik": "60000"}


def list_waves(figures: pd.DataFrame) -> tuple[str, ...]:
    """Return the waves present in ``figures``, in order of publication.

    Raises
    ------
    GeobaroError
        If a wave of the file is not one of `WAVES`.

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> list_waves(load_published())
    ('2017-BE', '2018-WAL', '2018-BE', '2019-WAL', '2020-WAL', '2021-WAL')
    """
    present = set(figures["wave"].astype(str))
    unknown = sorted(present - set(WAVES))
    if unknown:
        raise GeobaroError(
            f"published figures hold unknown waves {unknown}; known: {', '.join(WAVES)}"
        )
    return tuple(w for w in WAVES if w in present)


def group_nis_code(group: str) -> str | None:
    """Return the REFNIS code of a region or province as the sources name it (else ``None``).

    Examples
    --------
    >>> group_nis_code("Wallonia"), group_nis_code("Liege"), group_nis_code("Brabant wallon")
    ('03000', '60000', '20002')
    >>> group_nis_code("rural") is None
    True
    """
    if group in REGION_NIS:
        return REGION_NIS[group]
    key = _fold(group)
    if key in _PROVINCE_ALIASES:
        return _PROVINCE_ALIASES[key]
    for code, names in PROVINCE_NAMES.items():
        if code not in REGION_NIS.values() and key in {_fold(n) for n in names}:
            return code
    return None


def locate_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Return ``figures`` with the map ``level`` and ``nis_code`` of each row ("" if none).

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> located = locate_figures(load_published())
    >>> row = located.query("wave == '2018-BE' and group == 'Hainaut'").iloc[0]
    >>> row["level"], row["nis_code"]
    ('province', '50000')
    >>> located.query("wave == '2021-WAL' and indicator == 'progress_score_mean'")[
    ...     ["level", "nis_code"]].iloc[0].tolist()
    ['region', '03000']
    """
    out = figures.copy()
    breakdown = out["breakdown"].astype(str)
    group = out["group"].astype(str)
    walloon_total = (
        (breakdown == "all") & (group == "Wallonia") & ~out["indicator"].isin(SURVEY_FACTS)
    )
    level = np.select(
        [breakdown == "region", breakdown == "province", walloon_total],
        ["region", "province", "region"],
        "",
    )
    codes = [group_nis_code(g) if lv else None for g, lv in zip(group, level, strict=True)]
    unknown = [g for g, c, lv in zip(group, codes, level, strict=True) if lv and c is None]
    if unknown:
        raise GeobaroError(f"published figures name unknown places: {sorted(set(unknown))}")
    out["level"] = level
    out["nis_code"] = [c or "" for c in codes]
    return out


def wave_respondents(figures: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Return the published respondent counts of a wave (several rows when sources disagree).

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> wave_respondents(load_published(), "2017-BE")["value"].tolist()
    [113.0, 119.0]
    """
    rows = figures[
        (figures["wave"] == wave)
        & (figures["indicator"] == "communes_responded")
        & (figures["breakdown"] == "all")
    ]
    return rows.reset_index(drop=True)


def wave_population(figures: pd.DataFrame, wave: str) -> int | None:
    """Return the number of communes asked in a wave (``communes_surveyed``), if published.

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> wave_population(load_published(), "2020-WAL")
    262
    """
    rows = figures[
        (figures["wave"] == wave)
        & (figures["indicator"] == "communes_surveyed")
        & (figures["breakdown"] == "all")
    ]
    if rows.empty:
        return None
    return int(rows["value"].iloc[0])


def find_conflicts(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of figures that sources give with different values.

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> c = find_conflicts(load_published())
    >>> c[["wave", "indicator", "value"]].values.tolist()[:2]
    [['2017-BE', 'communes_responded', 113.0], ['2017-BE', 'communes_responded', 119.0]]
    """
    keys = ["wave", "indicator", "breakdown", "group"]
    distinct = figures.groupby(keys)["value"].transform("nunique")
    return figures[distinct > 1].sort_values([*keys, "value"]).reset_index(drop=True)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().replace("-", " ").strip()
