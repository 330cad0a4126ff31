"""Seeded generator of the ILLUSTRATIVE sample survey, calibrated to the published 2017 figures.

The per-commune answers of the 2017 barometer are not public. This sample is invented: only
its margins match what was published (see ``data/survey/sample/README.md``).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from geobaro._io import atomic_write
from geobaro.config import Settings, get_settings
from geobaro.survey.read import SurveyResult, load_survey
from geobaro.survey.schema import (
    DATA_STATUS_COLUMN,
    KEY_COLUMN,
    NAME_COLUMN,
    QUESTIONS,
    STATUS_COLUMN,
)

__all__ = [
    "CONCERN_STRATA",
    "N_RESPONDENTS",
    "PROJECT_OFFICERS",
    "SAMPLE_COLUMNS",
    "SAMPLE_FILENAME",
    "STRATEGY_COUNTS",
    "generate_sample",
    "load_sample",
    "main",
    "sample_csv_text",
    "sample_path",
    "write_sample",
]

log = logging.getLogger(__name__)

#: File name of the shipped sample (in ``data/survey/sample``).
SAMPLE_FILENAME = "barometer_2017_illustrative.csv"
#: Communes that answered the 2017 barometer.
N_RESPONDENTS = 113
#: (respondents, of whom feel concerned) per (region, urban/rural). These are the only whole
#: numbers that reproduce every published share at once: 75/113 = 66%; Flanders 36/43 = 84%,
#: Wallonia 24/53 = 45%, Brussels 15/17 = 88%; rural 10/29 = 34%, urban 65/84 = 77%. Only the
#: split of each region between rural and urban is a choice (roughly proportional).
CONCERN_STRATA: dict[tuple[str, str], tuple[int, int]] = {
    ("Flanders", "rural"): (4, 3),
    ("Flanders", "urban"): (39, 33),
    ("Wallonia", "rural"): (25, 7),
    ("Wallonia", "urban"): (28, 17),
    ("Brussels", "urban"): (17, 15),
}
#: Communes with a Smart City project officer, per region (17 in all).
PROJECT_OFFICERS: dict[str, int] = {"Wallonia": 9, "Flanders": 6, "Brussels": 2}
#: Strategy answers: 15/113 = 13% dedicated plan, 16/113 = 14% in the global strategy,
#: 19/113 = 17% intend to write a dedicated plan.
STRATEGY_COUNTS: dict[str, int] = {
    "dedicated_plan": 15,
    "in_global_strategy": 16,
    "intends_to_write": 19,
    "none": 63,
}
#: Columns of the sample file, in order.
SAMPLE_COLUMNS = (
    KEY_COLUMN,
    NAME_COLUMN,
    DATA_STATUS_COLUMN,
    STATUS_COLUMN,
    *(q.id for q in QUESTIONS.values()),
)
_HEADER_COMMENT = (
    "# ILLUSTRATIVE SAMPLE - NOT the real answers of the 2017 Smart City barometer. "
    "Invented with `python -m geobaro sample --seed {seed}`; only its margins match the "
    "published figures (see README.md)."
)
_REFUSED_SHARE = 0.05
_NOT_CONCERNED = {"partly": 0.45, "no": 0.35, "dont_know": 0.20}
_DOMAIN_P = {
    "environment": 0.65,
    "governance": 0.55,
    "living": 0.45,
    "mobility": 0.35,
    "economy": 0.30,
    "people": 0.25,
}
_DIFFICULTY_P = {
    "financial_means": 0.60,
    "expertise": 0.45,
    "coordination": 0.35,
    "political_support": 0.15,
    "citizen_engagement": 0.20,
    "technology_data": 0.25,
    "legal_framework": 0.15,
    "other": 0.05,
}
_MAX_TRIES = 200
_T = TypeVar("_T")


def generate_sample(seed: int = 2017, *, gdf_communes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Draw an illustrative survey of all 589 communes, calibrated to the 2017 figures.

    113 communes answer; the others are ``not_reached`` (about 5% ``refused``). The
    published 2017 figures are reproduced exactly (after rounding to whole percent):
    66% feel concerned overall, 84/45/88% by region, 34% rural / 77% urban; 17 project
    officers (9 Walloon, 6 Flemish, 2 Brussels); 13% dedicated plan, 14% in the global
    strategy, 17% intend to write a plan; mean perception scores rank technological
    challenge > opportunity > future of cities; project domains rank environment >
    governance > living > mobility. Everything else is invented.

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives the same sample.
    gdf_communes
        The 2018 commune reference (``nis_code``, ``name_fr``, ``name_nl``, ``region``,
        ``urban_rural``); loaded when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per commune in the format of ``data/survey/SCHEMA.md`` (`SAMPLE_COLUMNS`),
        with ``data_status`` = ``illustrative`` on every row.

    Examples
    --------
    >>> sample = generate_sample(7)
    >>> len(sample), int((sample["response_status"] == "answered").sum())
    (589, 113)
    >>> sample["data_status"].unique().tolist()
    ['illustrative']
    """
    if gdf_communes is None:
        from geobaro.data.boundaries import load_communes

        gdf_communes = load_communes()
    ref = pd.DataFrame(
        {
            "nis_code": gdf_communes["nis_code"].astype(str).to_numpy(),
            "region": gdf_communes["region"].astype(str).to_numpy(),
            "urban_rural": gdf_communes["urban_rural"].astype(str).to_numpy(),
            "name": np.where(
                gdf_communes["region"].to_numpy() == "Flanders",
                gdf_communes["name_nl"].astype(str).to_numpy(),
                gdf_communes["name_fr"].astype(str).to_numpy(),
            ),
        }
    ).sort_values("nis_code", ignore_index=True)
    rng = np.random.default_rng(seed)
    answered = np.zeros(len(ref), bool)
    concerned = np.zeros(len(ref), bool)
    for (region, rurality), (n, c) in CONCERN_STRATA.items():
        pool = np.flatnonzero((ref["region"] == region) & (ref["urban_rural"] == rurality))
        if len(pool) < n:
            raise ValueError(f"only {len(pool)} {rurality} communes in {region}; need {n}")
        chosen = rng.choice(pool, size=n, replace=False)
        answered[chosen] = True
        concerned[rng.choice(chosen, size=c, replace=False)] = True
    resp = np.flatnonzero(answered)
    out = pd.DataFrame(
        {
            KEY_COLUMN: ref["nis_code"],
            NAME_COLUMN: ref["name"],
            DATA_STATUS_COLUMN: "illustrative",
            STATUS_COLUMN: np.where(
                answered,
                "answered",
                np.where(rng.random(len(ref)) < _REFUSED_SHARE, "refused", "not_reached"),
            ),
        }
    )
    is_concerned = concerned[resp]
    urban = (ref["urban_rural"].to_numpy() == "urban")[resp]
    regions = ref["region"].to_numpy()[resp]
    concern = np.where(
        is_concerned,
        "yes",
        rng.choice(list(_NOT_CONCERNED), size=len(resp), p=list(_NOT_CONCERNED.values())),
    )
    strategy = _draw_strategy(rng, is_concerned, urban, concern)
    officer = _draw_officers(rng, regions, strategy)
    answers: dict[str, object] = {
        "feels_concerned": concern,
        **_draw_perceptions(rng, concern),
        "strategy": strategy,
        "strategy_driver": _draw_driver(rng, strategy, officer),
        "has_project_officer": np.where(officer, "yes", "no"),
        "domains": _draw_multi(rng, _DOMAIN_P, is_concerned, ranked=4),
        "difficulties": _draw_multi(rng, _DIFFICULTY_P, is_concerned, ranked=0),
        "private_involvement": _scale(rng, np.full(len(resp), 2.6)),
        "human_priority": _scale(rng, np.where(is_concerned, 3.9, 3.4)),
    }
    for question, values in answers.items():
        column = pd.Series(pd.NA, index=out.index, dtype="object")
        column.iloc[resp] = np.asarray(values, dtype=object)
        kind = QUESTIONS[question].kind
        out[question] = column.astype("Int64") if kind == "scale" else column.astype("str")
    return out[list(SAMPLE_COLUMNS)]


def sample_csv_text(sample: pd.DataFrame, *, seed: int) -> str:
    """Return the CSV text of a sample, opened by a comment line saying it is illustrative.

    Examples
    --------
    >>> sample_csv_text(generate_sample(1), seed=1).splitlines()[0][:22]
    '# ILLUSTRATIVE SAMPLE '
    """
    body = str(sample.to_csv(index=False, lineterminator="\n"))
    return _HEADER_COMMENT.format(seed=seed) + "\n" + body


def write_sample(
    seed: int = 2017,
    out: str | os.PathLike[str] | None = None,
    *,
    settings: Settings | None = None,
    gdf_communes: pd.DataFrame | None = None,
) -> Path:
    """Generate the sample and write it as ``barometer_2017_illustrative.csv``; return the path.

    ``out`` is a folder (created if needed); by default ``data/survey/sample``.
    """
    folder = Path(out) if out is not None else sample_path(settings).parent
    folder.mkdir(parents=True, exist_ok=True)
    text = sample_csv_text(generate_sample(seed, gdf_communes=gdf_communes), seed=seed)
    path = folder / SAMPLE_FILENAME
    atomic_write(path, text)
    log.info("wrote the illustrative sample (seed %s) to %s", seed, path)
    return path


def sample_path(settings: Settings | None = None) -> Path:
    """Return the path of the shipped illustrative sample."""
    return (settings or get_settings()).survey_dir / "sample" / SAMPLE_FILENAME


def load_sample(
    settings: Settings | None = None, *, gdf_communes: pd.DataFrame | None = None
) -> SurveyResult:
    """Read the shipped illustrative sample with `survey.load_survey`.

    Examples
    --------
    >>> result = load_sample()
    >>> result.is_illustrative, result.report.rows_used, result.report.ok
    (True, 589, True)
    """
    return load_survey(sample_path(settings), settings=settings, gdf_communes=gdf_communes)


def main(seed: int = 2017, out: str | None = None) -> int:
    """Entry point of ``python -m geobaro sample --seed N [--out DIR]``; return the exit status."""
    path = write_sample(seed, out)
    sys.stdout.write(
        f"wrote {path} (seed {seed}): an ILLUSTRATIVE sample, not the real survey responses\n"
    )
    return 0


# --- drawing ---------------------------------------------------------------------------------


def _pick(
    rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, size: int
) -> np.ndarray:
    p = weights[candidates] / weights[candidates].sum()
    return rng.choice(candidates, size=size, replace=False, p=p)


def _draw_strategy(
    rng: np.random.Generator, concerned: np.ndarray, urban: np.ndarray, concern: np.ndarray
) -> np.ndarray:
    n = len(concerned)
    strategy = np.full(n, "none", dtype=object)
    free = np.ones(n, bool)
    # written strategies only where the commune feels concerned; urban communes more often
    weight = np.where(urban, 2.0, 1.0)
    for answer in ("dedicated_plan", "in_global_strategy"):
        chosen = _pick(rng, np.flatnonzero(free & concerned), weight, STRATEGY_COUNTS[answer])
        strategy[chosen] = answer
        free[chosen] = False
    weight = np.select([concern == "yes", concern == "partly"], [3.0, 2.0], 1.0)
    chosen = _pick(rng, np.flatnonzero(free), weight, STRATEGY_COUNTS["intends_to_write"])
    strategy[chosen] = "intends_to_write"
    return strategy


def _draw_officers(
    rng: np.random.Generator, regions: np.ndarray, strategy: np.ndarray
) -> np.ndarray:
    weight = np.select(
        [strategy == "dedicated_plan", strategy == "in_global_strategy"], [6.0, 4.0], 1.0
    )
    officer = np.zeros(len(regions), bool)
    for region, count in PROJECT_OFFICERS.items():
        officer[_pick(rng, np.flatnonzero(regions == region), weight, count)] = True
    return officer


def _draw_driver(rng: np.random.Generator, strategy: np.ndarray, officer: np.ndarray) -> np.ndarray:
    drawn = rng.choice(
        ["mayor_college", "administration", "other"], size=len(strategy), p=[0.55, 0.35, 0.10]
    )
    driver = np.where(officer & (rng.random(len(strategy)) < 0.7), "project_officer", drawn)
    driver = driver.astype(object)
    driver[strategy == "none"] = None
    return driver


def _draw_perceptions(rng: np.random.Generator, concern: np.ndarray) -> dict[str, np.ndarray]:
    shift = np.select([concern == "yes", concern == "no"], [0.5, -0.6], 0.0)
    means = {
        "perception_technological": 3.9 + 0.2 * shift,
        "perception_opportunity": 3.5 + shift,
        "perception_future": 3.1 + shift,
    }

    def ranked(draw: dict[str, np.ndarray]) -> bool:
        m = [draw[k].mean() for k in means]
        return bool(m[0] > m[1] > m[2])

    return _until(lambda: {k: _scale(rng, v) for k, v in means.items()}, ranked)


def _draw_multi(
    rng: np.random.Generator, probs: dict[str, float], concerned: np.ndarray, *, ranked: int
) -> np.ndarray:
    """Draw a multi-select answer; the first ``ranked`` options keep their published order."""
    options = list(probs)
    p = np.array(list(probs.values()))
    factor = np.where(concerned, 1.0, 0.5)[:, None]

    def draw() -> np.ndarray:
        return rng.random((len(concerned), len(options))) < p[None, :] * factor

    def ordered(chosen: np.ndarray) -> bool:
        counts = chosen.sum(axis=0)[:ranked]
        return bool(np.all(np.diff(counts) < 0))

    chosen = _until(draw, ordered)
    return np.array(
        [";".join(o for o, c in zip(options, row, strict=True) if c) or "none" for row in chosen],
        dtype=object,
    )


def _scale(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(rng.normal(mean, 0.9)), 1, 5).astype(int)


def _until(draw: Callable[[], _T], ok: Callable[[_T], bool]) -> _T:
    for _ in range(_MAX_TRIES):
        value = draw()
        if ok(value):
            return value
    raise RuntimeError("the sample calibration failed; widen the gaps between option shares")
