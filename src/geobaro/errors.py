"""The exception hierarchy of geobaro."""

from __future__ import annotations

__all__ = [
    "BoundaryDataError",
    "DataUnavailableError",
    "GeobaroError",
    "SurveyValidationError",
]


class GeobaroError(Exception):
    """Base class of every error geobaro raises on purpose."""


class BoundaryDataError(GeobaroError, ValueError):
    """Commune boundary files are corrupt, incomplete or inconsistent."""


class DataUnavailableError(BoundaryDataError):
    """No source of the boundary files could be reached (no mirror, no cache, no network)."""


class SurveyValidationError(GeobaroError, ValueError):
    """A survey file cannot be used at all (not a survey, unreadable, too large)."""
