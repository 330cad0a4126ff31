"""geobaro: map explorer for the Smart City barometer of Belgian communes.

The public names below are imported on first use (PEP 562), so ``import geobaro`` and its
subpackages cost nothing until one is used: the server starts answering at once and imports
the library in the background (`geobaro.app.warm`).
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Public name -> the module that defines it.
_HOMES = {
    "INDICATORS": "geobaro.indicators",
    "BoundaryDataError": "geobaro.errors",
    "DataUnavailableError": "geobaro.errors",
    "GeobaroError": "geobaro.errors",
    "Settings": "geobaro.config",
    "SurveyResult": "geobaro.survey",
    "SurveyValidationError": "geobaro.errors",
    "aggregate_by": "geobaro.aggregate",
    "build_choropleth": "geobaro.maps",
    "classify": "geobaro.maps",
    "compute_indicators": "geobaro.indicators",
    "get_settings": "geobaro.config",
    "key_figures": "geobaro.published",
    "load_communes": "geobaro.data",
    "load_published": "geobaro.published",
    "load_sample": "geobaro.survey",
    "load_survey": "geobaro.survey",
    "load_units": "geobaro.data",
    "prepare_boundaries": "geobaro.data",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (then it is a plain attribute)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'geobaro' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
