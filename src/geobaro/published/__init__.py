"""The barometers' published figures with their sources, their waves and their trends."""

from __future__ import annotations

from geobaro.published.crosswalk import (
    CROSSWALK_COLUMNS,
    change_verdict,
    crosswalk_path,
    list_changes,
    list_series,
    load_crosswalk,
    trend_points,
    wilson_interval,
)
from geobaro.published.figures import (
    KEY_FIGURES,
    PUBLISHED_COLUMNS,
    KeyFigureSpec,
    key_figures,
    load_published,
    published_path,
    weighted_concern,
)
from geobaro.published.waves import (
    MAP_LEVELS,
    SURVEY_FACTS,
    WAVES,
    WaveInfo,
    find_conflicts,
    group_nis_code,
    list_waves,
    locate_figures,
    wave_population,
    wave_respondents,
)

__all__ = [
    "CROSSWALK_COLUMNS",
    "KEY_FIGURES",
    "MAP_LEVELS",
    "PUBLISHED_COLUMNS",
    "SURVEY_FACTS",
    "WAVES",
    "KeyFigureSpec",
    "WaveInfo",
    "change_verdict",
    "crosswalk_path",
    "find_conflicts",
    "group_nis_code",
    "key_figures",
    "list_changes",
    "list_series",
    "list_waves",
    "load_crosswalk",
    "load_published",
    "locate_figures",
    "published_path",
    "trend_points",
    "wave_population",
    "wave_respondents",
    "weighted_concern",
    "wilson_interval",
]
