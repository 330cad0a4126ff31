"""The closed sets of geobaro, defined once: each a ``Literal`` type and the tuple of its values.

Every other module of the library and the app imports these; this module imports nothing of
geobaro. Widgets, URLs and requests hold these codes; translated labels are made from them at
display time only (`geobaro.i18n`).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "AGGREGATE_LEVELS",
    "ASSET_MODES",
    "CHANGE_VERDICTS",
    "DATA_STATUSES",
    "FIGURE_BASES",
    "INDICATOR_KINDS",
    "LANGS",
    "LANG_INDEX",
    "LEVELS",
    "MAP_STATUSES",
    "REGIONS",
    "REGION_FILTERS",
    "RESPONSE_STATUSES",
    "SCALES",
    "SCHEMES",
    "SOURCES",
    "VIEWS",
    "VINTAGES",
    "WORDING_MATCHES",
    "AggregateLevel",
    "AssetMode",
    "ChangeVerdict",
    "DataStatus",
    "FigureBase",
    "IndicatorKind",
    "Lang",
    "Level",
    "MapStatus",
    "Region",
    "RegionFilter",
    "ResponseStatus",
    "Scale",
    "Scheme",
    "Source",
    "View",
    "Vintage",
    "WordingMatch",
]

#: Interface languages, in the order of the language switch.
Lang = Literal["fr", "nl", "en", "de"]
LANGS: tuple[Lang, ...] = get_args(Lang)
#: Position of each language in every ``(fr, nl, de, en)`` name tuple of the package.
LANG_INDEX: dict[Lang, int] = {"fr": 0, "nl": 1, "de": 2, "en": 3}

#: Boundary vintages: the 2018 territory of the survey, and after the 2019 and 2025 mergers.
Vintage = Literal["2018", "2019", "2025"]
VINTAGES: tuple[Vintage, ...] = get_args(Vintage)

#: Administrative levels a map can be drawn at.
Level = Literal["commune", "arrondissement", "province", "region"]
LEVELS: tuple[Level, ...] = get_args(Level)

#: Levels a table can be grouped by (the administrative ones and two more).
AggregateLevel = Literal[
    "belgium", "region", "province", "arrondissement", "urban_rural", "commune"
]
AGGREGATE_LEVELS: tuple[AggregateLevel, ...] = get_args(AggregateLevel)

#: The three regions, in the order of the compare view's panels.
Region = Literal["Wallonia", "Flanders", "Brussels"]
REGIONS: tuple[Region, ...] = get_args(Region)
#: The "zoom to" choice: all of Belgium or one region.
RegionFilter = Literal["all", "Flanders", "Wallonia", "Brussels"]
REGION_FILTERS: tuple[RegionFilter, ...] = get_args(RegionFilter)

#: Classification schemes of a choropleth.
Scheme = Literal["quantiles", "natural_breaks", "equal_interval", "user_defined"]
SCHEMES: tuple[Scheme, ...] = get_args(Scheme)

#: Status of one unit on a map; everything but "ok" is drawn with its own neutral style.
MapStatus = Literal["ok", "not_reached", "refused", "too_small", "no_data"]
MAP_STATUSES: tuple[MapStatus, ...] = get_args(MapStatus)

#: Response status of a commune in a survey file.
ResponseStatus = Literal["answered", "refused", "not_reached"]
RESPONSE_STATUSES: tuple[ResponseStatus, ...] = get_args(ResponseStatus)

#: Whether a file's answers are real survey results or illustrative.
DataStatus = Literal["real", "illustrative"]
DATA_STATUSES: tuple[DataStatus, ...] = get_args(DataStatus)

#: Where the survey data of a view come from.
Source = Literal["sample", "upload"]
SOURCES: tuple[Source, ...] = get_args(Source)

#: What an indicator measures.
IndicatorKind = Literal["share", "category", "count", "score"]
INDICATOR_KINDS: tuple[IndicatorKind, ...] = get_args(IndicatorKind)

#: Colour scale of the compare view: one for all panels or one per panel.
Scale = Literal["shared", "panel"]
SCALES: tuple[Scale, ...] = get_args(Scale)

#: How Leaflet reaches a page: files served beside it, or inlined.
AssetMode = Literal["served", "inline"]
ASSET_MODES: tuple[AssetMode, ...] = get_args(AssetMode)

#: Views of the app (and of the static site).
View = Literal["home", "explore", "compare", "commune", "data"]
VIEWS: tuple[View, ...] = get_args(View)

#: How a recurring published figure's question relates to the first wave's (crosswalk).
WordingMatch = Literal["same", "close"]
WORDING_MATCHES: tuple[WordingMatch, ...] = get_args(WordingMatch)

#: What a published figure counts: a share of the wave's respondents, a share of a subset of
#: unknown size, a count or rate over all communes asked, or a mean score (no spread given).
FigureBase = Literal["respondents", "subset", "population", "score"]
FIGURE_BASES: tuple[FigureBase, ...] = get_args(FigureBase)

#: Whether a change between two waves exceeds what the respondent counts can carry.
ChangeVerdict = Literal["beyond_noise", "within_noise", "not_assessable", "exact"]
CHANGE_VERDICTS: tuple[ChangeVerdict, ...] = get_args(ChangeVerdict)
