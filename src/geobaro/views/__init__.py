"""Views: a frozen request and the data in, the rendered result out (no file or network access).

One module per view (`explore`, `compare`, `commune`, `landing`, `response`, `patterns`, ...);
`values` holds the numbers they share (map values, group summaries, tables) and `common` the
indicator metadata and labels.
"""

from __future__ import annotations

from geobaro.views.common import (
    ViewData,
    format_value,
    indicator_kind,
    indicator_label,
    list_indicators,
)
from geobaro.views.commune import (
    CommuneProfile,
    CommuneRequest,
    compute_profile_groups,
    render_commune,
    search_communes,
)
from geobaro.views.compare import ComparePanel, CompareRequest, CompareResult, render_compare
from geobaro.views.explore import (
    ExploreRequest,
    ExploreResult,
    Exporters,
    ExportFile,
    list_exports,
    render_explore,
)
from geobaro.views.landing import LandingData, LandingRequest, LandingResult, render_landing
from geobaro.views.patterns import PatternsRequest, PatternsResult, render_patterns
from geobaro.views.published import (
    PublishedRequest,
    PublishedResult,
    list_published_choices,
    render_published,
    resolve_published_request,
)
from geobaro.views.response import ResponseRequest, ResponseResult, render_response
from geobaro.views.trends import (
    ChangeRequest,
    ChangeResult,
    TrendsResult,
    WaveChangeRequest,
    WaveChangeResult,
    commune_waves,
    indicators_by_wave,
    list_headlines,
    list_site_pages,
    render_change,
    render_trends,
    render_wave_change,
    split_waves,
    trend_chart_png,
    wave_change_values,
)
from geobaro.views.values import GroupSummary, map_values, sort_table, summarize_groups
from geobaro.vocabulary import REGIONS, Region, Source

__all__ = [
    "REGIONS",
    "ChangeRequest",
    "ChangeResult",
    "CommuneProfile",
    "CommuneRequest",
    "ComparePanel",
    "CompareRequest",
    "CompareResult",
    "ExploreRequest",
    "ExploreResult",
    "ExportFile",
    "Exporters",
    "GroupSummary",
    "LandingData",
    "LandingRequest",
    "LandingResult",
    "PatternsRequest",
    "PatternsResult",
    "PublishedRequest",
    "PublishedResult",
    "Region",
    "ResponseRequest",
    "ResponseResult",
    "Source",
    "TrendsResult",
    "ViewData",
    "WaveChangeRequest",
    "WaveChangeResult",
    "commune_waves",
    "compute_profile_groups",
    "format_value",
    "indicator_kind",
    "indicator_label",
    "indicators_by_wave",
    "list_exports",
    "list_headlines",
    "list_indicators",
    "list_published_choices",
    "list_site_pages",
    "map_values",
    "render_change",
    "render_commune",
    "render_compare",
    "render_explore",
    "render_landing",
    "render_patterns",
    "render_published",
    "render_response",
    "render_trends",
    "render_wave_change",
    "resolve_published_request",
    "search_communes",
    "sort_table",
    "split_waves",
    "summarize_groups",
    "trend_chart_png",
    "wave_change_values",
]
