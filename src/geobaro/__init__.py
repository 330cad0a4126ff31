"""geobaro: map explorer for the Smart City barometer of Belgian communes."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from geobaro.boundaries import load_communes, load_units, prepare_boundaries
from geobaro.config import Settings, get_settings
from geobaro.errors import (
    BoundaryDataError,
    DataUnavailableError,
    GeobaroError,
    SurveyValidationError,
)

try:
    __version__ = version("geobaro")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "BoundaryDataError",
    "DataUnavailableError",
    "GeobaroError",
    "Settings",
    "SurveyValidationError",
    "__version__",
    "get_settings",
    "load_communes",
    "load_units",
    "prepare_boundaries",
]
