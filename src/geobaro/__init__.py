"""geobaro: map explorer for the Smart City barometer of Belgian communes."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from geobaro.aggregate import aggregate_by
from geobaro.config import Settings, get_settings
from geobaro.data import load_communes, load_units, prepare_boundaries
from geobaro.errors import (
    BoundaryDataError,
    DataUnavailableError,
    GeobaroError,
    SurveyValidationError,
)
from geobaro.indicators import INDICATORS, compute_indicators
from geobaro.maps import build_choropleth, classify
from geobaro.published import key_figures, load_published
from geobaro.survey import SurveyResult, load_sample, load_survey

try:
    __version__ = version("geobaro")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "INDICATORS",
    "BoundaryDataError",
    "DataUnavailableError",
    "GeobaroError",
    "Settings",
    "SurveyResult",
    "SurveyValidationError",
    "__version__",
    "aggregate_by",
    "build_choropleth",
    "classify",
    "compute_indicators",
    "get_settings",
    "key_figures",
    "load_communes",
    "load_published",
    "load_sample",
    "load_survey",
    "load_units",
    "prepare_boundaries",
]
