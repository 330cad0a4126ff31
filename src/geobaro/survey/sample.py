"""Seeded generator of the ILLUSTRATIVE sample survey: a 2017 and a 2018 wave.

The per-commune answers of the barometers are not public. This sample is invented: only its
margins match what was published, the 2017 wave the 2017 figures and the 2018 wave the 2018
figures (see ``data/survey/sample/README.md``).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
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
    WAVE_COLUMN,
)

__all__ = [
    "CONCERN_STRATA",
    "CONCERN_STRATA_2018",
    "DOMAIN_COUNTS_2018",
    "N_RESPONDENTS",
    "N_RESPONDENTS_2018",
    "PROJECT_OFFICERS",
    "PROJECT_OFFICERS_2018",
    "SAMPLE_2018_COLUMNS",
    "SAMPLE_2018_FILENAME",
    "SAMPLE_COLUMNS",
    "SAMPLE_FILENAME",
    "SAMPLE_WAVES",
    "STRATEGY_COUNTS",
    "STRATEGY_COUNTS_2018",
    "WAVE_2018",
    "generate_sample",
    "generate_sample_2018",
    "load_sample",
    "load_sample_waves",
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

#: File name of the shipped 2018 wave of the sample (in ``data/survey/sample``).
SAMPLE_2018_FILENAME = "barometer_2018_illustrative.csv"
#: The wave code of the 2018 file (its ``wave`` column).
WAVE_2018 = "2018-BE"
#: The waves of the sample, in order (the keys of `load_sample_waves`).
SAMPLE_WAVES = ("2017-BE", WAVE_2018)
#: Communes that answered the 2018 barometer (123 of 589, published).
N_RESPONDENTS_2018 = 123
#: (respondents, of whom feel concerned) per stratum in 2018. The split of the 123 by region
#: was not published: respondents are proportional to the communes of each region (64/55/4)
#: and of each region's rural and urban parts; no 2018 concern figure was published either,
#: so the concerned counts keep the 2017 regional shares (invented: 54/64 = 84%, 25/55 = 45%).
CONCERN_STRATA_2018: dict[tuple[str, str], tuple[int, int]] = {
    ("Flanders", "rural"): (4, 3),
    ("Flanders", "urban"): (60, 51),
    ("Wallonia", "rural"): (24, 8),
    ("Wallonia", "urban"): (31, 17),
    ("Brussels", "urban"): (4, 4),
}
#: Strategy answers 2018: 43/123 = 35% have Smart City objectives in their global strategy
#: (published, a close wording of the 2017 question); the other counts are invented.
STRATEGY_COUNTS_2018: dict[str, int] = {
    "dedicated_plan": 16,
    "in_global_strategy": 43,
    "intends_to_write": 21,
    "none": 43,
}
#: Communes with a project officer in 2018: not published; invented at the 2017 rates.
PROJECT_OFFICERS_2018: dict[str, int] = {"Wallonia": 9, "Flanders": 9, "Brussels": 1}
#: Communes per project domain in 2018: the published shares of communes developing each
#: strategic area (energy 44%, governance 44%, transport 43%, economic development 42%),
#: read as the schema's close domains: 54, 54, 53 and 52 of 123.
DOMAIN_COUNTS_2018: dict[str, int] = {
    "environment": 54,
    "governance": 54,
    "mobility": 53,
    "economy": 52,
}
#: Columns of the 2018 file: the wave after the commune key, then the 2017 columns.
SAMPLE_2018_COLUMNS = (KEY_COLUMN, WAVE_COLUMN, *SAMPLE_COLUMNS[1:])
_HEADER_COMMENT = (
    "# ILLUSTRATIVE SAMPLE - NOT the real answers of the 2017 Smart City barometer. "
    "Invented with `python -m geobaro sample --seed {seed}`; only its margins match the "
    "published figures (see README.md)."
)
_HEADER_COMMENT_2018 = (
    "# ILLUSTRATIVE SAMPLE - NOT the real answers of the 2018 Smart City barometer. "
    "Invented with `python -m geobaro sample --seed {seed_2017}` (2018 wave: seed {seed}); "
    "only its margins match the published figures (see README.md)."
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
    return _draw_wave(np.random.default_rng(seed), _reference(gdf_communes), _CALIBRATION_2017)


def generate_sample_2018(
    seed: int = 2018, *, gdf_communes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Draw the illustrative 2018 wave of all 589 communes, calibrated to the 2018 figures.

    123 communes answer (published); 35% have the Smart City in their global strategy (43,
    published as "objectives in the global strategy"); the project domains environment,
    governance, mobility and economy are chosen by 44%, 44%, 43% and 42% (the published
    shares of communes developing energy, governance, transport and economic development
    strategies). The regional split of the respondents and every other answer are invented
    (see `CONCERN_STRATA_2018`). The draw is independent of the 2017 wave: some communes
    answer both.

    Returns
    -------
    pandas.DataFrame
        One row per commune: `SAMPLE_2018_COLUMNS`, ``wave`` = ``2018-BE`` and
        ``data_status`` = ``illustrative`` on every row.

    Examples
    --------
    >>> wave = generate_sample_2018(7)
    >>> len(wave), int((wave["response_status"] == "answered").sum()), wave["wave"].unique()[0]
    (589, 123, '2018-BE')
    """
    out = _draw_wave(np.random.default_rng(seed), _reference(gdf_communes), _CALIBRATION_2018)
    out.insert(1, WAVE_COLUMN, WAVE_2018)
    return out[list(SAMPLE_2018_COLUMNS)]


def sample_csv_text(sample: pd.DataFrame, *, seed: int) -> str:
    """Return the CSV text of a sample, opened by a comment line saying it is illustrative.

    A 2018 wave (with a ``wave`` column) names the command that writes it: the 2017 seed,
    and its own seed, the next one.

    Examples
    --------
    >>> sample_csv_text(generate_sample(1), seed=1).splitlines()[0][:22]
    '# ILLUSTRATIVE SAMPLE '
    """
    body = str(sample.to_csv(index=False, lineterminator="\n"))
    if WAVE_COLUMN in sample.columns:
        return _HEADER_COMMENT_2018.format(seed=seed, seed_2017=seed - 1) + "\n" + body
    return _HEADER_COMMENT.format(seed=seed) + "\n" + body


def write_sample(
    seed: int = 2017,
    out: str | os.PathLike[str] | None = None,
    *,
    wave: str = "2017",
    settings: Settings | None = None,
    gdf_communes: pd.DataFrame | None = None,
) -> Path:
    """Generate one wave of the sample and write it; return the path.

    ``wave`` ``2017`` writes ``barometer_2017_illustrative.csv``, ``2018`` writes
    ``barometer_2018_illustrative.csv``. ``out`` is a folder (created if needed); by default
    ``data/survey/sample``.
    """
    if wave not in _FILES:
        raise ValueError(f"unknown sample wave {wave!r}; allowed: {', '.join(_FILES)}")
    folder = Path(out) if out is not None else sample_path(settings).parent
    folder.mkdir(parents=True, exist_ok=True)
    draw = generate_sample if wave == "2017" else generate_sample_2018
    text = sample_csv_text(draw(seed, gdf_communes=gdf_communes), seed=seed)
    path = folder / _FILES[wave]
    atomic_write(path, text)
    log.info("wrote the illustrative %s sample (seed %s) to %s", wave, seed, path)
    return path


def sample_path(settings: Settings | None = None, *, wave: str = "2017") -> Path:
    """Return the path of one wave of the shipped illustrative sample."""
    return (settings or get_settings()).survey_dir / "sample" / _FILES[wave]


def load_sample(
    settings: Settings | None = None,
    *,
    gdf_communes: pd.DataFrame | None = None,
    wave: str = "2017",
) -> SurveyResult:
    """Read one wave of the shipped illustrative sample with `survey.load_survey`.

    Examples
    --------
    >>> result = load_sample()
    >>> result.is_illustrative, result.report.rows_used, result.report.ok
    (True, 589, True)
    >>> load_sample(wave="2018").waves
    ('2018-BE',)
    """
    path = sample_path(settings, wave=wave)
    return load_survey(path, settings=settings, gdf_communes=gdf_communes)


def load_sample_waves(
    settings: Settings | None = None, *, gdf_communes: pd.DataFrame | None = None
) -> dict[str, SurveyResult]:
    """Return both waves of the illustrative sample: ``{"2017-BE": ..., "2018-BE": ...}``.

    Examples
    --------
    >>> {w: int((r.data["response_status"] == "answered").sum())
    ...  for w, r in load_sample_waves().items()}
    {'2017-BE': 113, '2018-BE': 123}
    """
    return {
        wave: load_sample(settings, gdf_communes=gdf_communes, wave=wave[:4])
        for wave in SAMPLE_WAVES
    }


def main(seed: int = 2017, out: str | None = None) -> int:
    """Entry point of ``python -m geobaro sample --seed N [--out DIR]``; return the exit status.

    Writes both waves: 2017 with ``seed``, 2018 with ``seed + 1``.
    """
    for wave, wave_seed in (("2017", seed), ("2018", seed + 1)):
        path = write_sample(wave_seed, out, wave=wave)
        sys.stdout.write(
            f"wrote {path} (seed {wave_seed}): an ILLUSTRATIVE sample, "
            "not the real survey responses\n"
        )
    return 0


# --- drawing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Calibration:
    """The published margins one wave reproduces."""

    strata: dict[tuple[str, str], tuple[int, int]]
    strategy: dict[str, int]
    officers: dict[str, int]
    #: Exact communes per domain, or ``None`` for the 2017 ranking of the domains.
    domains: dict[str, int] | None


_CALIBRATION_2017 = _Calibration(CONCERN_STRATA, STRATEGY_COUNTS, PROJECT_OFFICERS, None)
_CALIBRATION_2018 = _Calibration(
    CONCERN_STRATA_2018, STRATEGY_COUNTS_2018, PROJECT_OFFICERS_2018, DOMAIN_COUNTS_2018
)
_FILES = {"2017": SAMPLE_FILENAME, "2018": SAMPLE_2018_FILENAME}


def _reference(gdf_communes: pd.DataFrame | None) -> pd.DataFrame:
    if gdf_communes is None:
        from geobaro.data.boundaries import load_communes

        gdf_communes = load_communes()
    return pd.DataFrame(
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


def _draw_wave(rng: np.random.Generator, ref: pd.DataFrame, cal: _Calibration) -> pd.DataFrame:
    """Draw one wave; the order of the draws keeps the 2017 file of a seed unchanged."""
    answered = np.zeros(len(ref), bool)
    concerned = np.zeros(len(ref), bool)
    for (region, rurality), (n, c) in cal.strata.items():
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
    strategy = _draw_strategy(rng, is_concerned, urban, concern, cal.strategy)
    officer = _draw_officers(rng, regions, strategy, cal.officers)
    perceptions = _draw_perceptions(rng, concern)
    driver = _draw_driver(rng, strategy, officer)
    if cal.domains is None:
        domains = _draw_multi(rng, _DOMAIN_P, is_concerned, ranked=4)
    else:
        domains = _draw_counted(rng, _DOMAIN_P, cal.domains, is_concerned)
    answers: dict[str, object] = {
        "feels_concerned": concern,
        **perceptions,
        "strategy": strategy,
        "strategy_driver": driver,
        "has_project_officer": np.where(officer, "yes", "no"),
        "domains": domains,
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


def _pick(
    rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, size: int
) -> np.ndarray:
    p = weights[candidates] / weights[candidates].sum()
    return rng.choice(candidates, size=size, replace=False, p=p)


def _draw_strategy(
    rng: np.random.Generator,
    concerned: np.ndarray,
    urban: np.ndarray,
    concern: np.ndarray,
    counts: dict[str, int],
) -> np.ndarray:
    n = len(concerned)
    strategy = np.full(n, "none", dtype=object)
    free = np.ones(n, bool)
    # written strategies only where the commune feels concerned; urban communes more often
    weight = np.where(urban, 2.0, 1.0)
    for answer in ("dedicated_plan", "in_global_strategy"):
        chosen = _pick(rng, np.flatnonzero(free & concerned), weight, counts[answer])
        strategy[chosen] = answer
        free[chosen] = False
    weight = np.select([concern == "yes", concern == "partly"], [3.0, 2.0], 1.0)
    chosen = _pick(rng, np.flatnonzero(free), weight, counts["intends_to_write"])
    strategy[chosen] = "intends_to_write"
    return strategy


def _draw_officers(
    rng: np.random.Generator, regions: np.ndarray, strategy: np.ndarray, counts: dict[str, int]
) -> np.ndarray:
    weight = np.select(
        [strategy == "dedicated_plan", strategy == "in_global_strategy"], [6.0, 4.0], 1.0
    )
    officer = np.zeros(len(regions), bool)
    for region, count in counts.items():
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


def _draw_counted(
    rng: np.random.Generator,
    probs: dict[str, float],
    counts: dict[str, int],
    concerned: np.ndarray,
) -> np.ndarray:
    """Draw a multi-select answer where the options of ``counts`` are chosen that many times.

    Concerned communes are twice as likely to choose a counted option; the other options
    are drawn with their probabilities (halved for communes not concerned).
    """
    options = list(probs)
    chosen = np.zeros((len(concerned), len(options)), bool)
    weight = np.where(concerned, 2.0, 1.0)
    everyone = np.arange(len(concerned))
    for j, option in enumerate(options):
        if option in counts:
            chosen[_pick(rng, everyone, weight, counts[option]), j] = True
        else:
            p = probs[option] * np.where(concerned, 1.0, 0.5)
            chosen[:, j] = rng.random(len(concerned)) < p
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
