"""The landing view: the published key figures and the region map of the concern shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geobaro.i18n import format_share, t
from geobaro.maps.choropleth import Classification, build_choropleth, classify
from geobaro.views.common import _framing, _map_html
from geobaro.vocabulary import Lang

if TYPE_CHECKING:
    import folium
    import geopandas as gpd


__all__ = [
    "LandingData",
    "LandingRequest",
    "LandingResult",
    "render_landing",
]


@dataclass(frozen=True)
class LandingRequest:
    """The landing view in one language.

    Attributes
    ----------
    lang
        Language of labels and legend.
    standalone
        Legend and title inside the map (exports, static pages); the app passes ``False``.
    """

    lang: Lang = "en"
    standalone: bool = True


@dataclass(frozen=True, eq=False)
class LandingData:
    """The published figures the landing view shows, loaded by the caller.

    Attributes
    ----------
    figures
        `geobaro.published.key_figures` (one row per key figure, with its source).
    published
        `geobaro.published.load_published` (every published number of every wave).
    gdf_regions
        Web geometry of the three regions.
    """

    figures: pd.DataFrame
    published: pd.DataFrame
    gdf_regions: gpd.GeoDataFrame


@dataclass(frozen=True, eq=False)
class LandingResult:
    """The published key figures and the region map of the published concern shares."""

    figures: pd.DataFrame
    map: folium.Map
    classification: Classification
    values: pd.DataFrame = field(repr=False)
    html: str = field(default="", repr=False)


def render_landing(request: LandingRequest, data: LandingData) -> LandingResult:
    """Return the published key figures and a region map of the published concern shares.

    These are the barometer's own published numbers (2017), not the sample.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.published import key_figures, load_published
    >>> data = LandingData(key_figures(), load_published(), load_units(level="region", web=True))
    >>> landing = render_landing(LandingRequest("fr"), data)
    >>> landing.values["value"].round(2).tolist()
    [0.84, 0.45, 0.88]
    """
    lang = request.lang
    gdf_regions = data.gdf_regions
    published = data.published
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
        **_framing(request.standalone, t("app.home.map_title", lang), lang),
    )
    return LandingResult(data.figures, fmap, classification, values, html=_map_html(fmap))
