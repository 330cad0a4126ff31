"""Survey statistics: finite-population intervals, non-response weights, spatial patterns."""

from __future__ import annotations

from geobaro.stats.fpc import Z95, effective_size, wilson_fpc_interval, wilson_interval
from geobaro.stats.weights import (
    MIN_CELL,
    DesignEstimate,
    design_means,
    kish_design_effect,
    poststratification_cells,
    poststratification_weights,
    weighted_group_means,
    weighted_wilson_interval,
)

__all__ = [
    "MIN_CELL",
    "Z95",
    "DesignEstimate",
    "design_means",
    "effective_size",
    "kish_design_effect",
    "poststratification_cells",
    "poststratification_weights",
    "weighted_group_means",
    "weighted_wilson_interval",
    "wilson_fpc_interval",
    "wilson_interval",
]
