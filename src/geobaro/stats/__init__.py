"""Survey statistics: finite-population intervals, non-response weights, spatial patterns."""

from __future__ import annotations

from geobaro.stats.fpc import Z95, effective_size, wilson_fpc_interval, wilson_interval

__all__ = ["Z95", "effective_size", "wilson_fpc_interval", "wilson_interval"]
