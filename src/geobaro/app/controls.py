"""The controls the map views share, each holding a URL field's code; requests built from them."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
import streamlit as st

from geobaro import views
from geobaro.app import resources
from geobaro.app.draw import illustrative_notice
from geobaro.app.state import LEVELS, REGIONS, SCALES, SCHEMES, ViewState, parse_breaks
from geobaro.app.upload import current_upload
from geobaro.app.url import PERSIST
from geobaro.i18n import Lang, t
from geobaro.maps.choices import ClassificationChoices, classification_choices
from geobaro.vocabulary import Source

__all__ = [
    "active_indicators",
    "default_indicator",
    "explore_result",
    "indicator_controls",
    "map_choices",
    "region_of",
    "request_fields",
    "upload_digest",
    "weighted_control",
]


def active_indicators(state: ViewState, lang: Lang) -> tuple[pd.DataFrame, Source]:
    """Return the indicators of the chosen source and that source (upload falls back).

    Shows the illustrative notice whenever the sample is what is shown.
    """
    upload = current_upload()
    if state.source == "upload":
        if upload is not None and upload.ok and upload.indicators is not None:
            if upload.result is not None and upload.result.is_illustrative:
                illustrative_notice(lang)
            return upload.indicators, "upload"
        st.info(t("app.data.no_upload", lang))
    illustrative_notice(lang)
    return resources.get_sample_indicators(), "sample"


def default_indicator() -> str:
    """Return the indicator a view opens with when none is chosen."""
    ids = views.list_indicators()
    return "feels_concerned" if "feels_concerned" in ids else ids[0]


def map_choices(
    values: pd.DataFrame, classification: Any, state: ViewState, lang: Lang
) -> ClassificationChoices:
    """Tell which of the scheme and class controls can change the map of these values."""
    return classification_choices(
        values,
        kind=classification.kind,
        scheme=state.scheme,
        k=state.k,
        lang=lang,
    )


def indicator_controls(
    state: ViewState,
    lang: Lang,
    *,
    choices: ClassificationChoices | None = None,
    with_region: bool = False,
    with_scale: bool = False,
) -> None:
    """Draw indicator, level, scheme and classes (and region and base map, or scale), weights.

    With ``choices``, a control that cannot change the map is disabled, its reason below.
    """
    ss = st.session_state
    fixed_scheme = choices is not None and choices.scheme_disabled
    fixed_k = choices is not None and choices.k_disabled
    ids = views.list_indicators()
    if ss.get("indicator") not in ids:
        ss["indicator"] = state.indicator if state.indicator in ids else default_indicator()
    row = st.columns([3, 2, 2, 1])
    row[0].selectbox(
        t("app.control.indicator", lang),
        ids,
        key="indicator",
        format_func=lambda i: views.indicator_label(i, lang),
        persist_state=PERSIST,
    )
    row[1].selectbox(
        t("app.control.level", lang),
        LEVELS,
        key="level",
        help=t("app.control.level_help", lang),
        format_func=lambda v: t(f"app.level.{v}", lang),
        persist_state=PERSIST,
    )
    row[2].selectbox(
        t("app.control.scheme", lang),
        SCHEMES,
        key="scheme",
        help=t("app.control.scheme_help", lang),
        format_func=lambda s: t(f"app.scheme.{s}", lang),
        persist_state=PERSIST,
        disabled=fixed_scheme,
    )
    row[3].number_input(
        t("app.control.k", lang),
        min_value=3,
        max_value=7,
        step=1,
        key="k",
        persist_state=PERSIST,
        disabled=fixed_k,
    )
    extra = st.columns([3, 2, 3])
    if choices is not None:
        with extra[0]:
            _reasons(choices, fixed_scheme=fixed_scheme, fixed_k=fixed_k)
    if ss.get("scheme") == "user_defined":
        extra[0].text_input(
            t("app.control.breaks", lang),
            key="breaks",
            placeholder="0.2, 0.4, 0.6",
            help=t("app.control.breaks_help", lang),
            persist_state=PERSIST,
        )
        if ss.get("breaks") and parse_breaks(ss["breaks"]) is None:
            extra[0].caption(t("app.control.breaks_invalid", lang))
    if with_region:
        extra[1].selectbox(
            t("app.control.region", lang),
            REGIONS,
            key="region",
            format_func=lambda r: t(f"app.region.{r}", lang),
            persist_state=PERSIST,
        )
        extra[2].toggle(t("app.control.tiles", lang), key="tiles", persist_state=PERSIST)
    weighted_control(lang, container=extra[2])
    if with_scale:
        extra[1].radio(
            t("app.control.scale", lang),
            SCALES,
            key="scale",
            horizontal=True,
            format_func=lambda s: t(f"app.scale.{s}", lang),
            persist_state=PERSIST,
        )


def weighted_control(lang: Lang, *, container: Any = None) -> None:
    """Draw the switch between weighted and unweighted estimates (URL field ``weighted``)."""
    (container or st).toggle(
        t("stats.estimate.control", lang),
        key="weighted",
        help=t("stats.estimate.control_help", lang),
        persist_state=PERSIST,
    )


def _reasons(choices: ClassificationChoices, *, fixed_scheme: bool, fixed_k: bool) -> None:
    """One line under the controls saying why some of them are disabled."""
    reasons = []
    if fixed_scheme and choices.scheme_reason:
        reasons.append(choices.scheme_reason)
    if fixed_k and choices.k_reason and choices.k_reason not in reasons:
        reasons.append(choices.k_reason)
    if reasons:
        with st.container(key="classes_note"):
            st.caption(" ".join(reasons))


def request_fields(state: ViewState, lang: Lang, source: Source) -> dict[str, Any]:
    """Return the request fields the explore and compare views share, from the view state."""
    return {
        "indicator": state.indicator,
        "level": state.level,
        "scheme": state.scheme,
        "k": state.k,
        "vintage": state.vintage,
        "lang": lang,
        "breaks": _breaks(state),
        "source": source,
        "weighted": state.weighted,
    }


def explore_result(request: views.ExploreRequest, indicators: pd.DataFrame) -> views.ExploreResult:
    """Return the explore view of a request: shared for the sample, per session for uploads."""
    if request.source == "sample":
        return resources.sample_explore(request)
    return resources.memo_session(
        ("explore", request, upload_digest()),
        lambda: views.render_explore(
            request,
            views.ViewData(
                indicators,
                resources.get_communes(),
                gdf_units=resources.get_units(request.level, request.vintage),
            ),
        ),
    )


def upload_digest() -> str:
    """Return the digest of this session's upload ("" without one): keys its memo."""
    upload = current_upload()
    return "" if upload is None else upload.digest


def region_of(nis_code: str | None) -> Any:
    """Return the region of a 2018 commune, or ``None`` for an unknown code."""
    communes = resources.get_communes()
    match = communes.loc[communes["nis_code"] == nis_code, "region"]
    return cast(Any, str(match.iloc[0])) if not match.empty else None


def _breaks(state: ViewState) -> tuple[float, ...] | None:
    if state.scheme != "user_defined":
        return None
    breaks = parse_breaks(state.breaks)
    if breaks is None:
        return None
    if views.indicator_kind(state.indicator) == "share" and any(b > 1 for b in breaks):
        return tuple(b / 100 for b in breaks)
    return breaks
