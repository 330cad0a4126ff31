"""Atheris (libFuzzer) harness for the survey reader.

Run by hand for as long as you like::

    .venv/bin/python tests/fuzz/fuzz_survey.py -max_total_time=600 /tmp/corpus

(``tests/fuzz/test_fuzz.py`` runs it for a bounded number of inputs in CI.) Any exception
other than `SurveyValidationError`, and any report whose rows do not add up, is a crash.
The first byte of each input picks the file name and the language the reader is told, the
rest is the file. Messages longer than 2,000 characters are crashes too.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["geobaro"]):
    from geobaro.errors import SurveyValidationError
    from geobaro.survey.read import load_survey

from geobaro.data.boundaries import load_communes

_NAMES = (None, "survey.csv", "survey.xlsx", "survey.txt", "survey.tsv")
_LANGS = ("en", "fr", "nl", "de")
_MAX_MESSAGE = 2000
_COMMUNES = load_communes()


def test_one_input(data: bytes) -> None:
    """Load one fuzzed file; fail on anything but data with a consistent report or one error."""
    if not data:
        return
    name = _NAMES[data[0] % len(_NAMES)]
    lang = _LANGS[(data[0] // len(_NAMES)) % len(_LANGS)]
    try:
        result = load_survey(
            data[1:], filename=name, gdf_communes=_COMMUNES, time_limit=10, lang=lang
        )
    except SurveyValidationError as exc:
        if len(str(exc)) > _MAX_MESSAGE:
            raise AssertionError(f"message of {len(str(exc))} characters") from exc
        return
    report = result.report
    if report.rows_used + report.rows_rejected != report.rows_in:
        raise AssertionError(f"rows lost: {report.summary()}")
    keys = [c for c in ("nis_code", "wave") if c in result.data.columns]
    if report.rows_used != len(result.data) or result.data.duplicated(keys).any():
        raise AssertionError(f"data and report disagree: {report.summary()}")
    if any(len(w) > _MAX_MESSAGE for w in report.warnings):
        raise AssertionError("a warning is longer than the bound")


def main() -> None:
    """Start libFuzzer with the command-line arguments."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
