"""The landing view: the published key figures and the region map of the concern shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import branca.utilities
import numpy as np
import pandas as pd

from geobaro.i18n import format_integer, format_share, region_name, t
from geobaro.maps.choropleth import Classification, build_choropleth, classify
from geobaro.views.common import _framing, _map_html
from geobaro.views.published import _add_value_labels
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
    """The published key figures and the region map of the published concern shares.

    ``figures`` is the published table plus, in the request's language, ``label`` (what the
    figure counts), ``group_label`` (Belgium, a region, urban or rural communes: what tells
    9, 6 and 2 project officers apart), ``value_text`` and ``source`` (short). On the map each
    region is its own legend entry, labelled with its value and source.
    """

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
    source_of = {
        str(g): _source_text(u, loc)
        for g, u, loc in zip(
            concern["group"], concern["source_url"], concern["locator"], strict=True
        )
    }
    values = pd.DataFrame({"nis_code": gdf_regions["nis_code"].astype(str).to_numpy()})
    regions = gdf_regions["region"].astype(str).to_numpy()
    values["value"] = [by_region.get(r, np.nan) for r in regions]
    values["n"] = 0
    values["status"] = ["ok" if r in by_region else "no_data" for r in regions]
    labels = {
        r: t(
            "views.landing.region",
            lang,
            region=region_name(r, lang),
            value=format_share(by_region[r], lang),
            source=source_of[r],
        )
        for r in regions
        if r in by_region
    }
    values["label"] = [labels.get(r, t("maps.status.no_data", lang)) for r in regions]
    # each region its own legend entry with its value and source, and its own colour (darker
    # = higher), so that close values (84% and 88%) are never merged into one class
    shown = sorted(labels, key=lambda r: -by_region[r])
    ramp = branca.utilities.color_brewer("YlGnBu", max(3, len(shown)))[::-1]
    drawn = values.assign(value=[r if r in by_region else None for r in regions])
    classification = classify(
        drawn,
        kind="categorical",
        categories={r: labels[r] for r in shown},
        palette=ramp[: len(shown)],
        lang=lang,
    )
    fmap = build_choropleth(
        gdf_regions,
        drawn,
        classification=classification,
        kind="categorical",
        lang=lang,
        **_framing(request.standalone, t("app.home.map_title", lang), lang),
    )
    on_units = values.assign(
        label=[
            format_share(v, lang) if s == "ok" else ""
            for v, s in zip(values["value"], values["status"], strict=True)
        ]
    )
    _add_value_labels(fmap, gdf_regions, on_units)
    figures = _figures(data.figures, lang)
    return LandingResult(figures, fmap, classification, values, html=_map_html(fmap))


def _figures(figures: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Add what tells the figures apart, in ``lang``: the group, the value, the source."""
    out = figures.copy()
    fallback = out[f"label_{lang}"] if f"label_{lang}" in out else out["label_en"]
    out["label"] = [
        _text(f"views.figure.{ind}", lang, default=str(f))
        for ind, f in zip(out["indicator"], fallback, strict=True)
    ]
    out["group_label"] = [
        _text(f"views.group.{code}", lang, default=str(group))
        for code, group in zip(out["group_code"], out["group"], strict=True)
    ]
    out["value_text"] = [
        format_share(v / 100, lang) if u == "percent" else format_integer(v, lang)
        for v, u in zip(out["value"].astype(float), out["unit"], strict=True)
    ]
    out["source"] = [
        _source_text(u, loc) for u, loc in zip(out["source_url"], out["locator"], strict=True)
    ]
    return out


def _text(key: str, lang: Lang, *, default: str) -> str:
    text = t(key, lang)
    return default if text == key else text


def _source_text(url: object, locator: object) -> str:
    """Return a short source: the site's name, else the locator (a publication's title)."""
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        host = urlsplit(url).hostname or url
        return host.removeprefix("www.")
    return "" if locator is None or pd.isna(locator) else str(locator)
