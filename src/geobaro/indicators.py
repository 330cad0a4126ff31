"""Per-commune indicators derived from survey answers (shares, categories, counts, scores)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from geobaro.survey.read import SurveyResult
from geobaro.survey.schema import (
    ANSWER_COLUMNS,
    KEY_COLUMN,
    QUESTIONS,
    RESPONSE_STATUSES,
    STATUS_COLUMN,
)
from geobaro.vocabulary import INDICATOR_KINDS, LANG_INDEX, IndicatorKind

__all__ = [
    "INDICATORS",
    "INDICATOR_KINDS",
    "IndicatorKind",
    "IndicatorSpec",
    "compute_indicators",
]

log = logging.getLogger(__name__)

#: ``share``: 1.0 / 0.0 per commune (NaN if not answered), aggregated as a share with a
#: Wilson interval; ``category``: the answer itself (string); ``count``: a whole number of
#: options chosen; ``score``: a 1-5 scale value, aggregated as a mean.


@dataclass(frozen=True)
class IndicatorSpec:
    """What an indicator is and where it comes from.

    Attributes
    ----------
    id
        Column name in the output of `compute_indicators`.
    kind
        One of `INDICATOR_KINDS`.
    question
        Id of the source question in `schema.QUESTIONS`.
    labels
        Label in French, Dutch, German and English (the package's ``(fr, nl, de, en)``
        order, indexed by `geobaro.vocabulary.LANG_INDEX`).
    categories
        ``category`` only: the possible values, in display order.
    """

    id: str
    kind: IndicatorKind
    question: str
    labels: tuple[str, str, str, str]
    categories: tuple[str, ...] = ()

    def label(self, lang: str = "en") -> str:
        """Return the label in ``fr``, ``nl``, ``de`` or ``en`` (other languages: English).

        Examples
        --------
        >>> INDICATORS["feels_concerned"].label("fr")
        'Se sent concernée par la Smart City'
        >>> INDICATORS["n_domains"].label("de")
        'Anzahl der Bereiche'
        """
        return self.labels[LANG_INDEX.get(lang, LANG_INDEX["en"])]  # type: ignore[call-overload]


#: German names of the domain and difficulty options (the questionnaire has FR, NL and EN).
def _spec_list() -> list[IndicatorSpec]:
    specs = [
        IndicatorSpec(
            "feels_concerned",
            "share",
            "feels_concerned",
            (
                "Se sent concernée par la Smart City",
                "Voelt zich betrokken bij Smart City",
                "Fühlt sich von der Smart City betroffen",
                "Feels concerned by the Smart City",
            ),
        ),
        IndicatorSpec(
            "concern",
            "category",
            "feels_concerned",
            (
                "Se sent concernée (réponse)",
                "Voelt zich betrokken (antwoord)",
                "Fühlt sich betroffen (Antwort)",
                "Concern (answer)",
            ),
            tuple(str(v) for v in QUESTIONS["feels_concerned"].values),
        ),
    ]
    perceptions = {
        "technological": (
            "défi technologique",
            "technologische uitdaging",
            "technologische Herausforderung",
            "technological challenge",
        ),
        "opportunity": ("opportunité", "kans", "Chance", "opportunity"),
        "future": (
            "avenir des villes",
            "toekomst van de steden",
            "Zukunft der Städte",
            "future of cities",
        ),
    }
    for key, (fr, nl, de, en) in perceptions.items():
        qid = f"perception_{key}"
        specs.append(
            IndicatorSpec(
                qid,
                "score",
                qid,
                (
                    f"Perception : {fr} (score 1-5)",
                    f"Perceptie: {nl} (score 1-5)",
                    f"Wahrnehmung: {de} (Skala 1-5)",
                    f"Perception: {en} (score 1-5)",
                ),
            )
        )
        specs.append(
            IndicatorSpec(
                f"{qid}_agree",
                "share",
                qid,
                (
                    f"D'accord : {fr} (4-5)",
                    f"Akkoord: {nl} (4-5)",
                    f"Zustimmung: {de} (4-5)",
                    f"Agrees: {en} (4-5)",
                ),
            )
        )
    specs += [
        IndicatorSpec(
            "strategy",
            "category",
            "strategy",
            (
                "Stratégie Smart City",
                "Smart City-strategie",
                "Smart-City-Strategie",
                "Smart City strategy",
            ),
            tuple(str(v) for v in QUESTIONS["strategy"].values),
        ),
        IndicatorSpec(
            "dedicated_plan",
            "share",
            "strategy",
            (
                "Plan stratégique Smart City dédié",
                "Specifiek Smart City-plan",
                "Eigener Smart-City-Strategieplan",
                "Dedicated Smart City plan",
            ),
        ),
        IndicatorSpec(
            "strategy_in_global_plan",
            "share",
            "strategy",
            (
                "Smart City intégrée à la stratégie globale",
                "Smart City in de globale strategie",
                "Smart City in der Gesamtstrategie",
                "Smart City in the global strategy",
            ),
        ),
        IndicatorSpec(
            "intends_dedicated_plan",
            "share",
            "strategy",
            (
                "Compte rédiger un plan Smart City",
                "Plant een Smart City-plan",
                "Will einen Smart-City-Plan erstellen",
                "Intends to write a Smart City plan",
            ),
        ),
        IndicatorSpec(
            "any_strategy",
            "share",
            "strategy",
            (
                "A une stratégie Smart City (dédiée ou globale)",
                "Heeft een Smart City-strategie (specifiek of globaal)",
                "Hat eine Smart-City-Strategie (eigene oder in der Gesamtstrategie)",
                "Has a Smart City strategy (dedicated or global)",
            ),
        ),
        IndicatorSpec(
            "strategy_driver",
            "category",
            "strategy_driver",
            (
                "Porteur de la démarche",
                "Trekker van de aanpak",
                "Treiber des Vorgehens",
                "Driver of the approach",
            ),
            tuple(str(v) for v in QUESTIONS["strategy_driver"].values),
        ),
        IndicatorSpec(
            "has_project_officer",
            "share",
            "has_project_officer",
            (
                "A un chargé de projet Smart City",
                "Heeft een Smart City-projectmedewerker",
                "Hat einen Smart-City-Projektbeauftragten",
                "Has a Smart City project officer",
            ),
        ),
        IndicatorSpec(
            "n_domains",
            "count",
            "domains",
            ("Nombre de domaines", "Aantal domeinen", "Anzahl der Bereiche", "Number of domains"),
        ),
    ]
    for question, prefix, word in (
        ("domains", "domain", ("Domaine", "Domein", "Bereich", "Domain")),
        (
            "difficulties",
            "difficulty",
            ("Difficulté", "Moeilijkheid", "Schwierigkeit", "Difficulty"),
        ),
    ):
        q = QUESTIONS[question]
        if question == "difficulties":
            specs.append(
                IndicatorSpec(
                    "n_difficulties",
                    "count",
                    "difficulties",
                    (
                        "Nombre de difficultés",
                        "Aantal moeilijkheden",
                        "Anzahl der Schwierigkeiten",
                        "Number of difficulties",
                    ),
                )
            )
        for value, (fr, nl, de, en) in zip(q.values, q.value_labels, strict=True):
            specs.append(
                IndicatorSpec(
                    f"{prefix}_{value}",
                    "share",
                    question,
                    (
                        f"{word[0]} : {fr}",
                        f"{word[1]}: {nl}",
                        f"{word[2]}: {de}",
                        f"{word[3]}: {en}",
                    ),
                )
            )
    for qid, names, high in (
        (
            "private_involvement",
            (
                "Implication des acteurs privés",
                "Betrokkenheid private actoren",
                "Einbindung privater Akteure",
                "Private actors",
            ),
            (
                "Implication forte des acteurs privés (4-5)",
                "Sterke betrokkenheid private actoren (4-5)",
                "Starke Einbindung privater Akteure (4-5)",
                "Strong involvement of private actors (4-5)",
            ),
        ),
        (
            "human_priority",
            (
                "Priorité à l'humain",
                "Prioriteit menselijke dimensie",
                "Vorrang des Menschen",
                "Priority to the human",
            ),
            (
                "Priorité élevée à l'humain (4-5)",
                "Hoge prioriteit menselijke dimensie (4-5)",
                "Hoher Vorrang des Menschen (4-5)",
                "High priority to the human aspect (4-5)",
            ),
        ),
    ):
        fr, nl, de, en = names
        labels = (
            f"{fr} (score 1-5)",
            f"{nl} (score 1-5)",
            f"{de} (Skala 1-5)",
            f"{en} (score 1-5)",
        )
        specs.append(IndicatorSpec(qid, "score", qid, labels))
        specs.append(IndicatorSpec(f"{qid}_high", "share", qid, high))
    return specs


#: Every indicator, by id, in display order.
INDICATORS: dict[str, IndicatorSpec] = {s.id: s for s in _spec_list()}

_STRATEGY_SHARES = {
    "dedicated_plan": ("dedicated_plan",),
    "strategy_in_global_plan": ("in_global_strategy",),
    "intends_dedicated_plan": ("intends_to_write",),
    "any_strategy": ("dedicated_plan", "in_global_strategy"),
}


def compute_indicators(
    survey_data: pd.DataFrame | SurveyResult, gdf_communes: pd.DataFrame
) -> pd.DataFrame:
    """Derive every indicator for every commune of the reference table.

    Parameters
    ----------
    survey_data
        `survey.SurveyResult` or its ``data`` (one row per commune: ``nis_code``,
        ``response_status`` and canonical answer columns; missing answer columns are NA).
    gdf_communes
        The reference table (e.g. the 589 communes of 2018); only ``nis_code`` is used.

    Returns
    -------
    pandas.DataFrame
        One row per reference commune, in its order and with its index: ``nis_code``,
        ``response_status`` (communes absent from the survey are ``not_reached``), then one
        column per indicator of `INDICATORS`. Shares are 1.0/0.0, NaN when the commune did
        not answer that question (never 0 for a non-respondent); categories are strings or
        NaN; counts ``Int64``; scores floats.

    Raises
    ------
    ValueError
        If the survey holds codes that are not in the reference or holds a code twice.

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"nis_code": ["11001", "11002", "11004"]})
    >>> survey = pd.DataFrame({"nis_code": ["11002", "11001"],
    ...                        "response_status": ["answered", "refused"],
    ...                        "feels_concerned": ["partly", None],
    ...                        "strategy": ["dedicated_plan", None]})
    >>> ind = compute_indicators(survey, ref)
    >>> ind[["nis_code", "response_status", "feels_concerned", "concern", "any_strategy"]]
      nis_code response_status  feels_concerned concern  any_strategy
    0    11001         refused              NaN     NaN           NaN
    1    11002        answered              0.0  partly           1.0
    2    11004     not_reached              NaN     NaN           NaN
    """
    data = survey_data.data if isinstance(survey_data, SurveyResult) else survey_data
    _check_survey(data, gdf_communes)
    ref_codes = gdf_communes[KEY_COLUMN].astype(str)
    survey = data.copy()
    survey[KEY_COLUMN] = survey[KEY_COLUMN].astype(str)
    for column in ANSWER_COLUMNS:
        if column not in survey.columns:
            survey[column] = pd.NA
    aligned = survey.set_index(KEY_COLUMN).reindex(ref_codes.to_numpy())
    answered = (aligned[STATUS_COLUMN] == "answered").to_numpy()
    out = pd.DataFrame(index=gdf_communes.index)
    out[KEY_COLUMN] = ref_codes.to_numpy()
    out[STATUS_COLUMN] = aligned[STATUS_COLUMN].fillna("not_reached").astype("str").to_numpy()
    for spec in INDICATORS.values():
        out[spec.id] = _compute(spec, aligned, answered)
    return out


def _check_survey(data: pd.DataFrame, gdf_communes: pd.DataFrame) -> None:
    for frame, what in ((data, "survey data"), (gdf_communes, "commune reference")):
        if KEY_COLUMN not in frame.columns:
            raise ValueError(f"the {what} has no {KEY_COLUMN!r} column")
    if STATUS_COLUMN not in data.columns:
        raise ValueError(f"the survey data has no {STATUS_COLUMN!r} column")
    codes = data[KEY_COLUMN].astype(str)
    dup = sorted(set(codes[codes.duplicated()]))
    if dup:
        raise ValueError(f"the survey data holds these communes more than once: {dup}")
    unknown = sorted(set(codes) - set(gdf_communes[KEY_COLUMN].astype(str)))
    if unknown:
        raise ValueError(f"survey communes not in the reference table: {unknown[:20]}")
    bad = sorted(set(data[STATUS_COLUMN].dropna()) - set(RESPONSE_STATUSES))
    if bad:
        raise ValueError(f"response_status values {bad} not allowed; allowed: {RESPONSE_STATUSES}")


def _compute(
    spec: IndicatorSpec, aligned: pd.DataFrame, answered: np.ndarray
) -> np.ndarray | ExtensionArray:
    q = QUESTIONS[spec.question]
    if spec.kind == "category":
        values = aligned[q.id].astype(object).where(answered)
        return pd.array(values.to_numpy(dtype=object), dtype="str")
    if spec.kind == "score":
        return _as_float(aligned[q.id], answered)
    if spec.kind == "count":
        flags = aligned[list(q.columns)].astype("boolean")
        known = flags.notna().any(axis=1).to_numpy() & answered
        counts = pd.array(flags.fillna(False).astype(int).sum(axis=1).to_numpy(), dtype="Int64")
        counts[~known] = pd.NA
        return counts
    return _compute_share(spec, aligned, answered)


def _compute_share(spec: IndicatorSpec, aligned: pd.DataFrame, answered: np.ndarray) -> np.ndarray:
    """Return 1.0 / 0.0 per commune (NaN when the question was not answered)."""
    q = QUESTIONS[spec.question]
    if spec.question == "feels_concerned":
        return _flag(aligned[q.id], answered, lambda s: s == "yes")
    if spec.id in _STRATEGY_SHARES:
        chosen = _STRATEGY_SHARES[spec.id]
        return _flag(aligned[q.id], answered, lambda s: s.isin(chosen))
    if q.kind in {"bool", "multi"}:
        column = q.id if q.kind == "bool" else spec.id
        flags = aligned[column].astype("boolean")
        return _flag(flags, answered, lambda s: s.astype(bool))
    # *_agree / *_high from a 1-5 scale
    return _flag(aligned[q.id], answered, lambda s: s.astype(float) >= 4)


def _as_float(values: pd.Series, answered: np.ndarray) -> np.ndarray:
    numbers = pd.to_numeric(values.astype(object), errors="coerce").to_numpy(dtype=float)
    return np.where(answered, numbers, np.nan)


def _flag(
    values: pd.Series, answered: np.ndarray, test: Callable[[pd.Series], pd.Series]
) -> np.ndarray:
    known = values.notna().to_numpy() & answered
    result = np.full(len(values), np.nan)
    if known.any():
        result[known] = test(values[known]).to_numpy(dtype=np.float64)
    return result
