"""The landing view: the published key figures and the region map of the concern shares."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geobaro.data.boundaries import load_units
from geobaro.i18n import format_share, t
from geobaro.maps.choropleth import Classification, build_choropleth, classify
from geobaro.views.common import _framing
from geobaro.vocabulary import Lang

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geobaro.i18n import Lang

__all__ = [
    "LandingResult",
    "render_landing",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class LandingResult:
    """The published key figures and the region map of the published concern shares."""

    figures: pd.DataFrame
    map: folium.Map
    classification: Classification
    values: pd.DataFrame = field(repr=False)


def render_landing(
    lang: Lang = "en",
    *,
    figures: pd.DataFrame | None = None,
    gdf_regions: gpd.GeoDataFrame | None = None,
    standalone: bool = True,
) -> LandingResult:
    """Return the published key figures and a region map of the published concern shares.

    These are the barometer's own published numbers (2017), not the sample.

    Examples
    --------
    >>> landing = render_landing("fr")
    >>> landing.values["value"].round(2).tolist()
    [0.84, 0.45, 0.88]
    """
    from geobaro.published import key_figures, load_published

    if figures is None:
        figures = key_figures()
    if gdf_regions is None:
        gdf_regions = load_units(level="region", web=True)
    published = load_published()
    concern = published.loc[
        (published["wave"] == "2017-BE")
        & (published["indicator"] == "feels_concerned")
        & (published["breakdown"] == "region")
    ]
    by_region = dict(zip(concern["group"], concern["value"].astype(float) / 100, strict=False))
    values = pd.DataFrame({"nis_code": gdf_regions["nis_code"].astype(str).to_numpy()})
    regions = gdf_regions["region"].astype(str).to_numpy()
    values["value"] = [by_region.get(r, np.nan) for r in regions]
    values["n"] = 0
    values["status"] = ["ok" if r in by_region else "no_data" for r in regions]
    values["label"] = [
        f"{format_share(by_region[r], lang)} ({t('app.home.published', lang)})"
        if r in by_region
        else "–"
        for r in regions
    ]
    classification = classify(
        values, kind="sequential", scheme="user_defined", breaks=(0.5, 0.8), lang=lang
    )
    fmap = build_choropleth(
        gdf_regions,
        values,
        classification=classification,
        kind="sequential",
        lang=lang,
        **_framing(standalone, t("app.home.map_title", lang), lang),
    )
    return LandingResult(figures, fmap, classification, values)
