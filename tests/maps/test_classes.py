"""Tests of class labels (which side is closed, integers, number format) and of the choices."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geobaro.i18n import load_catalog
from geobaro.maps import classification_choices, classify
from geobaro.vocabulary import LANGS


def _values(numbers: list[Any]) -> pd.DataFrame:
    return pd.DataFrame({"nis_code": [f"{i:05d}" for i in range(len(numbers))], "value": numbers})


def _classes(numbers: list[Any], **kw: Any) -> list[str]:
    c = classify(_values(numbers), kind="sequential", **kw)
    return [e.label for e in c.legend if e.kind == "class"]


def test_labels_say_which_side_of_a_class_is_closed() -> None:
    labels = _classes([0.1, 0.2, 0.4, 0.8], scheme="equal_interval", k=2)
    assert labels == ["10% – 45%", "> 45% – 80%"]
    # a value equal to a bound is in the class that the bound closes
    c = classify(
        _values([1.0, 2.0, 2.5, 3.0]), kind="sequential", scheme="user_defined", breaks=[2.0, 3.0]
    )
    assert c.labels.tolist() == ["1 – 2", "1 – 2", "> 2 – 3", "> 2 – 3"]


def test_integer_scores_get_integer_classes() -> None:
    scores = [1, 1, 2, 2, 3, 4, 5, 5, 5, 4, 3, 2]
    labels = _classes(scores, scheme="user_defined", breaks=[1, 2, 5])
    assert labels == ["1", "2", "3 – 5"]
    assert all("," not in label and "." not in label for label in _classes(scores, k=3))
    # every class of five-point scores holds whole numbers only
    for label in _classes(scores, k=4, scheme="equal_interval"):
        assert re.fullmatch(r"\d( – \d)?", label), label


def test_few_values_are_labelled_by_value() -> None:
    assert _classes([0.0, 1.0, 1.0, 0.0], k=5) == ["0%", "100%"]
    assert _classes([1, 3, 5, 3], k=5) == ["1", "3", "5"]


def test_shared_bins_start_with_at_most() -> None:
    labels = _classes([0.3], bins=[0.25, 0.5])
    assert labels == ["≤ 25%", "> 25% – 50%"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "1.5 – 2.5"), ("fr", "1,5 – 2,5"), ("nl", "1,5 – 2,5"), ("de", "1,5 – 2,5")],
)
def test_bounds_are_written_in_the_language(lang: Any, expected: str) -> None:
    labels = _classes(
        [1.5, 2.0, 2.5, 3.7, 4.1], scheme="user_defined", breaks=[2.5, 4.1], lang=lang
    )
    assert labels[0] == expected
    big = _classes(
        [1200.5, 3400.25, 5000.0], scheme="user_defined", breaks=[3400.25, 5000.0], lang=lang
    )
    thousands = {"en": "1,200", "fr": "1\u202f200", "nl": "1.200", "de": "1.200"}[lang]
    assert big[0].startswith(thousands), big


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(0, 6), st.floats(0, 1, allow_nan=False)), min_size=1, max_size=30
    ),
    st.integers(1, 7),
    st.sampled_from(["quantiles", "equal_interval", "natural_breaks"]),
)
def test_labels_are_distinct_and_every_unit_has_one(
    numbers: list[float], k: int, scheme: str
) -> None:
    c = classify(_values(numbers), kind="sequential", scheme=scheme, k=k)  # type: ignore[arg-type]
    labels = [e.label for e in c.legend if e.kind == "class"]
    assert len(set(labels)) == len(labels)
    assert set(c.labels) <= set(labels)
    assert sum(e.count for e in c.legend) == len(numbers)


# --- which controls can change the map --------------------------------------------------------


def test_yes_no_shares_disable_scheme_and_classes() -> None:
    c = classification_choices(_values([0.0, 1.0, 1.0, 0.0, 1.0]), kind="sequential")
    assert c.scheme_disabled
    assert c.k_disabled
    assert c.distinct == 2
    assert c.k_reason == "Only 2 distinct values: each has its own class, whatever the choice."
    assert c.scheme_reason == c.k_reason


def test_five_point_scores_cap_the_classes_and_the_scheme_at_five() -> None:
    scores = _values([1, 2, 3, 4, 5, 5, 2, 3, 1, 4])
    at_five = classification_choices(scores, kind="sequential", k=5, lang="fr")
    assert at_five.scheme_disabled
    assert not at_five.k_disabled
    assert at_five.k_max == 5
    assert "5 valeurs distinctes en 5 classes" in at_five.scheme_reason
    assert "plus de 5 classes" in at_five.k_reason
    at_three = classification_choices(scores, kind="sequential", k=3)
    assert not at_three.scheme_disabled
    assert at_three.scheme_reason == ""
    # what the choices say is what classify does: 6 and 7 classes give the 5-class map
    legends = {
        k: [e.label for e in classify(scores, kind="sequential", k=k).legend] for k in (5, 6, 7)
    }
    assert legends[5] == legends[6] == legends[7]
    schemes = {
        s: classify(scores, kind="sequential", k=5, scheme=s).labels.tolist()  # type: ignore[arg-type]
        for s in ("quantiles", "natural_breaks", "equal_interval")
    }
    assert len({tuple(v) for v in schemes.values()}) == 1


def test_many_values_enable_both_and_categories_disable_both() -> None:
    rng = np.random.default_rng(1)
    many = classification_choices(_values(list(rng.random(50))), kind="sequential")
    assert not many.scheme_disabled
    assert not many.k_disabled
    assert many.k_reason == ""
    answers = classification_choices(_values(["yes", "no"]), kind="categorical", lang="nl")
    assert answers.scheme_disabled
    assert answers.k_disabled
    assert answers.k_reason.startswith("Antwoorden worden per categorie")
    empty = pd.DataFrame({"nis_code": ["a"], "value": [None], "status": ["refused"]})
    assert classification_choices(empty, kind="sequential").k_reason.startswith("No unit")


def test_every_maps_text_exists_in_every_language() -> None:
    keys = {lang: {k for k in load_catalog(lang) if k.startswith("maps.")} for lang in LANGS}
    for lang in LANGS:
        assert keys[lang] == keys["en"], (lang, keys[lang] ^ keys["en"])
