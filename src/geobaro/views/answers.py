"""Each commune's own answer at every boundary vintage: the values of commune maps of answers.

A commune keeps its own category on every map: "partly" is never drawn as "no", and a commune
that is a unit on its own in 2019 or 2025 reads its answer, not "0%". Units merged from several
2018 communes show the most frequent answer of their members and its share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geobaro.i18n import format_share, t
from geobaro.indicators import INDICATORS
from geobaro.views.common import _answer_label
from geobaro.vocabulary import Lang, Vintage

__all__ = ["answer_categories", "commune_answer_values", "commune_answers"]

_YES_NO = ("yes", "no")
_GROUP_COLUMNS = ["n_communes", "response_rate", "ci_low", "ci_high"]


def answer_categories(indicator: str) -> tuple[str, ...]:
    """Return the answers a commune can show for an indicator, in questionnaire order.

    A yes/no share of a question with more degrees (``feels_concerned``: yes, partly, no,
    don't know) keeps those degrees; other shares are yes / no.

    Examples
    --------
    >>> answer_categories("feels_concerned")
    ('yes', 'partly', 'no', 'dont_know')
    >>> answer_categories("has_project_officer")
    ('yes', 'no')
    """
    spec = INDICATORS[indicator]
    if spec.kind == "category":
        return spec.categories
    own = _own_answer_indicator(indicator)
    return INDICATORS[own].categories if own else _YES_NO


def commune_answers(
    indicators_df: pd.DataFrame, codes: pd.Series, indicator: str
) -> tuple[pd.Series, pd.Series]:
    """Return the response status and the own answer of each commune of ``codes``.

    Parameters
    ----------
    indicators_df
        `geobaro.indicators.compute_indicators` output.
    codes
        2018 commune codes, in the order wanted.
    indicator
        A ``share`` or ``category`` indicator.

    Returns
    -------
    tuple of pandas.Series
        Status (``answered``, ``refused``, ``not_reached``) and answer (``None`` when there is
        none), both indexed by the codes.

    Examples
    --------
    >>> import pandas as pd
    >>> ind = pd.DataFrame({"nis_code": ["1", "2", "3"],
    ...                     "response_status": ["answered", "answered", "refused"],
    ...                     "feels_concerned": [0.0, 1.0, None],
    ...                     "concern": ["partly", "yes", None]})
    >>> status, answer = commune_answers(ind, pd.Series(["1", "2", "3"]), "feels_concerned")
    >>> answer.tolist(), status.tolist()
    (['partly', 'yes', None], ['answered', 'answered', 'refused'])
    """
    codes = codes.astype(str)
    ind = indicators_df.drop_duplicates("nis_code").set_index("nis_code")
    ind.index = ind.index.astype(str)
    status = ind["response_status"].reindex(codes).fillna("not_reached").astype(str)
    raw = _present(ind[indicator].reindex(codes))
    if INDICATORS[indicator].kind == "category":
        return status, raw.map(lambda v: None if v is None else str(v))
    own_id = _own_answer_indicator(indicator)
    own = _present(ind[own_id].reindex(codes)) if own_id in ind else pd.Series(None, index=codes)
    answers = [
        None if v is None else ("yes" if float(v) >= 0.5 else _degree(o))
        for v, o in zip(raw, own, strict=True)
    ]
    return status, pd.Series(answers, index=codes, dtype=object)


def commune_answer_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    vintage: Vintage = "2018",
    lang: Lang = "en",
) -> pd.DataFrame:
    """Return the ``values`` frame of a commune map of answers, at any vintage.

    Returns
    -------
    pandas.DataFrame
        ``nis_code`` (of the vintage), ``value`` (the answer), ``n``, ``status``, ``label``;
        for 2019 and 2025 also ``n_communes``, ``response_rate``, ``ci_low``, ``ci_high``.
        A unit with one 2018 member is labelled with its answer; a merged unit with its most
        frequent answer (ties: questionnaire order), that answer's share and ``n``.
    """
    codes = gdf_communes["nis_code"].astype(str)
    status_in, answers = commune_answers(indicators_df, codes, indicator)
    unit = codes if vintage == "2018" else gdf_communes[f"nis_{vintage}"].astype(str)
    frame = pd.DataFrame(
        {
            "unit": unit.to_numpy(),
            "status": status_in.to_numpy(),
            "answer": answers.to_numpy(),
        }
    )
    frame["ok"] = frame["status"].eq("answered") & frame["answer"].notna()
    units = pd.unique(frame["unit"]) if vintage == "2018" else np.sort(frame["unit"].unique())
    out = _unit_answers(frame, units, answer_categories(indicator))
    out["label"] = [
        _label(indicator, a, p, n, size, s, lang)
        for a, p, n, size, s in zip(
            out["value"], out["_share"], out["n"], out["n_communes"], out["status"], strict=True
        )
    ]
    columns = ["nis_code", "value", "n", "status", "label"]
    if vintage != "2018":
        columns += _GROUP_COLUMNS
    return out[columns]


def _unit_answers(frame: pd.DataFrame, units: np.ndarray, order: tuple[str, ...]) -> pd.DataFrame:
    """Per unit: members, respondents, the most frequent answer, its share and the status."""
    by_unit = frame["unit"]
    size = frame.groupby("unit", sort=False).size().reindex(units)
    respondents = frame["status"].eq("answered").groupby(by_unit, sort=False).sum().reindex(units)
    refused = frame["status"].eq("refused").groupby(by_unit, sort=False).any().reindex(units)
    rank = {a: i for i, a in enumerate(order)}
    counts = (
        frame.loc[frame["ok"]]
        .groupby(["unit", "answer"], sort=False)
        .size()
        .rename("count")
        .reset_index()
    )
    counts["rank"] = counts["answer"].map(rank).fillna(len(rank))
    counts = counts.sort_values(["unit", "count", "rank"], ascending=[True, False, True])
    n = counts.groupby("unit")["count"].sum().reindex(units).fillna(0).astype(int)
    top = counts.drop_duplicates("unit").set_index("unit").reindex(units)
    status = np.where(
        n.to_numpy() > 0,
        "ok",
        np.where(
            respondents.to_numpy() > 0,
            "no_data",
            np.where(refused.to_numpy(), "refused", "not_reached"),
        ),
    )
    return pd.DataFrame(
        {
            "nis_code": units,
            "value": np.where(status == "ok", top["answer"].to_numpy(dtype=object), None),
            "n": n.to_numpy(),
            "status": status,
            "_share": (top["count"] / n.where(n > 0)).to_numpy(dtype=float),
            "n_communes": size.to_numpy(dtype=int),
            "response_rate": (respondents / size).to_numpy(dtype=float),
            "ci_low": np.nan,
            "ci_high": np.nan,
        }
    )


def _label(
    indicator: str, answer: object, share: float, n: int, size: int, status: str, lang: Lang
) -> str:
    if status != "ok":
        return t(f"maps.status.{status}", lang)
    text = _answer_label(indicator, str(answer), lang)
    if size == 1:
        return text
    return f"{text} ({format_share(share, lang)}, n = {n})"


def _own_answer_indicator(indicator: str) -> str | None:
    """Return the category indicator holding the answer a yes/no share is the "yes" of."""
    spec = INDICATORS[indicator]
    if spec.kind != "share":
        return None
    for other in INDICATORS.values():
        same_question = other.kind == "category" and other.question == spec.question
        if same_question and set(_YES_NO) <= set(other.categories):
            return other.id
    return None


def _present(series: pd.Series) -> pd.Series:
    raw = series.astype(object)
    return raw.where(raw.notna() & raw.astype(str).ne("nan"), None)


def _degree(answer: object) -> str:
    """Return the answer of a commune whose share is 0: its own degree, else "no"."""
    if isinstance(answer, str) and answer not in {"", "yes"}:
        return answer
    return "no"
