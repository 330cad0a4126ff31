"""The published figures of the barometers, each with its source (``data/survey/published``).

The 2017 regional and rural/urban figures (Flanders 84%, Wallonia 45%, Brussels 88%,
rural 34%, urban 77%) are shares of communes that *feel concerned* by the Smart City, not
shares that do not: several sources agree, and weighting 84/45/88 by the 308/262/19
communes of each region gives 66.8%, matching the 66% headline (see `weighted_concern`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geobaro.config import Settings, get_settings
from geobaro.errors import GeobaroError

__all__ = [
    "KEY_FIGURES",
    "PUBLISHED_COLUMNS",
    "KeyFigureSpec",
    "key_figures",
    "load_published",
    "published_path",
    "weighted_concern",
]

log = logging.getLogger(__name__)

#: Columns of ``barometer_figures.csv``, as published in the shared collection.
PUBLISHED_COLUMNS = (
    "wave",
    "indicator",
    "breakdown",
    "group",
    "value",
    "unit",
    "base_n",
    "source_url",
    "locator",
    "note",
)
_TEXT_COLUMNS = tuple(c for c in PUBLISHED_COLUMNS if c not in ("value", "base_n"))


@dataclass(frozen=True)
class KeyFigureSpec:
    """Which published row a landing-page key figure is, and how it maps to geobaro.

    Attributes
    ----------
    key
        Stable id of the key figure.
    indicator, breakdown, group
        The row of ``barometer_figures.csv`` (wave ``2017-BE``).
    group_code
        The matching ``group`` of `aggregate.aggregate_by` (``BE``, a region NIS code,
        ``rural``/``urban``).
    indicator_id
        The matching indicator of `indicators.INDICATORS` ("" when there is none).
    labels
        Short labels in French, Dutch and English.
    value
        Picks one row when the collection holds conflicting values (113 vs 119 respondents).
    """

    key: str
    indicator: str
    breakdown: str
    group: str
    group_code: str
    indicator_id: str
    labels: tuple[str, str, str]
    value: float | None = None


def _concern(
    key: str, breakdown: str, group: str, code: str, where: tuple[str, ...]
) -> KeyFigureSpec:
    return KeyFigureSpec(
        key,
        "feels_concerned",
        breakdown,
        group,
        code,
        "feels_concerned",
        (
            f"se sentent concernées ({where[0]})",
            f"voelen zich betrokken ({where[1]})",
            f"feel concerned ({where[2]})",
        ),
    )


def _officers(
    key: str, breakdown: str, group: str, code: str, where: tuple[str, ...]
) -> KeyFigureSpec:
    return KeyFigureSpec(
        key,
        "has_project_officer_count",
        breakdown,
        group,
        code,
        "has_project_officer",
        (
            f"communes avec un chargé de projet Smart City ({where[0]})",
            f"gemeenten met een Smart City-projectmedewerker ({where[1]})",
            f"communes with a Smart City project officer ({where[2]})",
        ),
    )


_BE = ("Belgique", "België", "Belgium")
_FL = ("Flandre", "Vlaanderen", "Flanders")
_WA = ("Wallonie", "Wallonië", "Wallonia")
_BX = ("Bruxelles", "Brussel", "Brussels")

#: The 2017 Belgian headline figures shown on the landing page, in display order.
KEY_FIGURES: tuple[KeyFigureSpec, ...] = (
    _concern("concerned_belgium", "all", "Belgium", "BE", _BE),
    _concern("concerned_flanders", "region", "Flanders", "02000", _FL),
    _concern("concerned_wallonia", "region", "Wallonia", "03000", _WA),
    _concern("concerned_brussels", "region", "Brussels", "04000", _BX),
    _concern("concerned_rural", "rurality", "rural", "rural", ("rurales", "landelijk", "rural")),
    _concern("concerned_urban", "rurality", "urban", "urban", ("urbaines", "stedelijk", "urban")),
    KeyFigureSpec(
        "dedicated_plan",
        "dedicated_strategy_plan",
        "all",
        "Belgium",
        "BE",
        "dedicated_plan",
        (
            "ont un plan stratégique Smart City dédié",
            "hebben een specifiek Smart City-plan",
            "have a dedicated Smart City plan",
        ),
    ),
    KeyFigureSpec(
        "strategy_in_global_plan",
        "strategy_in_global_plan",
        "all",
        "Belgium",
        "BE",
        "strategy_in_global_plan",
        (
            "intègrent la Smart City à leur stratégie globale",
            "nemen Smart City op in hun globale strategie",
            "include the Smart City in their global strategy",
        ),
    ),
    _officers("project_officers_belgium", "all", "Belgium", "BE", _BE),
    _officers("project_officers_wallonia", "region", "Wallonia", "03000", _WA),
    _officers("project_officers_flanders", "region", "Flanders", "02000", _FL),
    _officers("project_officers_brussels", "region", "Brussels", "04000", _BX),
    KeyFigureSpec(
        "communes_responded",
        "communes_responded",
        "all",
        "Belgium",
        "BE",
        "",
        ("communes ont répondu", "gemeenten hebben geantwoord", "communes answered"),
        value=113,
    ),
    KeyFigureSpec(
        "communes_surveyed",
        "communes_surveyed",
        "all",
        "Belgium",
        "BE",
        "",
        ("communes interrogées", "gemeenten bevraagd", "communes surveyed"),
    ),
)


def published_path(settings: Settings | None = None) -> Path:
    """Return the path of ``barometer_figures.csv``."""
    settings = settings or get_settings()
    return settings.survey_dir / "published" / "barometer_figures.csv"


def load_published(settings: Settings | None = None) -> pd.DataFrame:
    """Return every published barometer figure with its source.

    Returns
    -------
    pandas.DataFrame
        The columns of `PUBLISHED_COLUMNS`: ``value`` as float, ``base_n`` as ``Int64``
        (NA when the source gives none), the other columns as strings ("" when empty,
        e.g. rows read from a summary without a web address have no ``source_url``).

    Raises
    ------
    GeobaroError
        If the file is missing or malformed.

    Examples
    --------
    >>> figures = load_published()
    >>> row = figures.query("wave == '2017-BE' and indicator == 'feels_concerned'").iloc[0]
    >>> float(row["value"]), row["unit"], row["source_url"].startswith("https://")
    (66.0, 'percent', True)
    """
    path = published_path(settings)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise GeobaroError(f"published figures {path} cannot be read: {exc}") from exc
    missing = [c for c in PUBLISHED_COLUMNS if c not in raw.columns]
    if missing:
        raise GeobaroError(f"published figures {path} lack columns {missing}")
    out = raw[list(PUBLISHED_COLUMNS)].copy()
    value = pd.to_numeric(out["value"], errors="coerce")
    base_n = pd.to_numeric(out["base_n"].replace("", None), errors="coerce")
    bad = out.loc[value.isna() | (base_n.isna() & out["base_n"].ne("")), "value"]
    if len(bad):
        raise GeobaroError(f"published figures {path}: non-numeric value in rows {list(bad.index)}")
    out["value"] = value.astype(float)
    out["base_n"] = base_n.astype("Int64")
    for column in _TEXT_COLUMNS:
        out[column] = out[column].astype("str").str.strip()
    return out


def key_figures(settings: Settings | None = None) -> pd.DataFrame:
    """Return the 2017 Belgian headline figures of the landing page, each with its source.

    66% of communes feel concerned (Flanders 84%, Wallonia 45%, Brussels 88%; rural 34%,
    urban 77%); 13% have a dedicated Smart City plan and 14% include it in their global
    strategy; 17 have a Smart City project officer (9 Walloon, 6 Flemish, 2 in Brussels);
    113 of the 589 communes answered.

    Returns
    -------
    pandas.DataFrame
        One row per `KEY_FIGURES` entry, in that order: ``key``, ``indicator``,
        ``breakdown``, ``group``, ``group_code``, ``indicator_id``, ``value``, ``unit``,
        ``label_fr``, ``label_nl``, ``label_en``, ``source_url``, ``locator``, ``note``.

    Raises
    ------
    GeobaroError
        If a key figure is missing from the published file.

    Examples
    --------
    >>> kf = key_figures().set_index("key")
    >>> kf.loc[["concerned_belgium", "concerned_wallonia", "communes_responded"], "value"].tolist()
    [66.0, 45.0, 113.0]
    """
    figures = load_published(settings)
    wave = figures[figures["wave"] == "2017-BE"]
    rows = []
    for spec in KEY_FIGURES:
        match = wave[
            (wave["indicator"] == spec.indicator)
            & (wave["breakdown"] == spec.breakdown)
            & (wave["group"] == spec.group)
        ]
        if spec.value is not None:
            match = match[match["value"] == spec.value]
        if match.empty:
            raise GeobaroError(
                f"published figure {spec.key} (2017-BE {spec.indicator} {spec.breakdown} "
                f"{spec.group}) is missing from {published_path(settings)}"
            )
        row = match.iloc[0]
        rows.append(
            {
                "key": spec.key,
                "indicator": spec.indicator,
                "breakdown": spec.breakdown,
                "group": spec.group,
                "group_code": spec.group_code,
                "indicator_id": spec.indicator_id,
                "value": float(row["value"]),
                "unit": row["unit"],
                "label_fr": spec.labels[0],
                "label_nl": spec.labels[1],
                "label_en": spec.labels[2],
                "source_url": row["source_url"],
                "locator": row["locator"],
                "note": row["note"],
            }
        )
    return pd.DataFrame(rows)


def weighted_concern(
    shares: dict[str, float] | None = None, communes: dict[str, int] | None = None
) -> float:
    """Return the regional concern shares weighted by the number of communes, in percent.

    A consistency check of the published 2017 figures: the regional shares that feel
    concerned, weighted by 308/262/19 communes, should be close to the 66% headline.

    Examples
    --------
    >>> round(weighted_concern(), 1)
    66.8
    """
    shares = shares or {"Flanders": 84.0, "Wallonia": 45.0, "Brussels": 88.0}
    communes = communes or {"Flanders": 308, "Wallonia": 262, "Brussels": 19}
    total = sum(communes[r] for r in shares)
    return sum(shares[r] * communes[r] for r in shares) / total
