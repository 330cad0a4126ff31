"""Boundary data: manifest, mirror and Statbel sources, reference table, units and vintages."""

from __future__ import annotations

from geobaro.data.boundaries import (
    LEVELS,
    VINTAGES,
    Level,
    Vintage,
    attribution_text,
    load_communes,
    load_units,
    prepare_boundaries,
)

__all__ = [
    "LEVELS",
    "VINTAGES",
    "Level",
    "Vintage",
    "attribution_text",
    "load_communes",
    "load_units",
    "prepare_boundaries",
]
