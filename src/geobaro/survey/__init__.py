"""Survey files: schema, reading and validation, commune matching, the illustrative sample."""

from __future__ import annotations

from geobaro.survey.match import RANK_COLUMNS, CommuneIndex, commune_index, rank_communes
from geobaro.survey.read import SurveyResult, ValidationReport, load_survey, match_communes
from geobaro.survey.sample import load_sample

__all__ = [
    "RANK_COLUMNS",
    "CommuneIndex",
    "SurveyResult",
    "ValidationReport",
    "commune_index",
    "load_sample",
    "load_survey",
    "match_communes",
    "rank_communes",
]
