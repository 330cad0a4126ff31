"""Tests of the commune-name index and the search ranking."""

from __future__ import annotations

import pandas as pd
import pytest

from geobaro.survey.match import RANK_COLUMNS, commune_index, rank_communes


def test_index_is_built_once_per_table(gdf_communes) -> None:
    assert commune_index(gdf_communes) is commune_index(gdf_communes.copy())


@pytest.mark.parametrize(
    ("query", "lang", "code"),
    [
        ("Luik", "fr", "62063"),
        ("Lüttich", "en", "62063"),
        ("LIEGE", "nl", "62063"),
        ("Ghent", "en", "44021"),
        ("Antwerp", "fr", "11002"),
        ("Bruges", "nl", "31005"),
        ("Ixelles - Elsene", "en", "21009"),
        ("Bruxelles / Brussel", "de", "21004"),
        ("62063", "en", "62063"),
    ],
)
def test_exact_names_in_any_language_come_first(gdf_communes, query, lang, code) -> None:
    ranked = rank_communes(query, gdf_communes, lang=lang)
    assert list(ranked.columns) == list(RANK_COLUMNS)
    assert ranked.iloc[0]["nis_code"] == code
    assert bool(ranked.iloc[0]["exact"])
    assert ranked.iloc[0]["score"] == 1.0


def test_names_are_in_the_language_asked(gdf_communes) -> None:
    assert rank_communes("Luik", gdf_communes, lang="fr").iloc[0]["name"] == "Liège"
    assert rank_communes("Liège", gdf_communes, lang="nl").iloc[0]["name"] == "Luik"
    assert rank_communes("Gent", gdf_communes, lang="fr").iloc[0]["label"] == "Gand (Gent)"


def test_homonyms_are_told_apart(gdf_communes) -> None:
    ranked = rank_communes("Saint-Nicolas", gdf_communes, lang="fr")
    labels = dict(zip(ranked["nis_code"], ranked["label"], strict=True))
    assert labels["46021"] == "Saint-Nicolas (Sint-Niklaas, Flandre orientale)"
    assert labels["62093"] == "Saint-Nicolas (Liège)"
    assert ranked["exact"].all()


def test_prefix_then_contains_then_close(gdf_communes) -> None:
    ranked = rank_communes("Sint-Jo", gdf_communes, lang="nl")
    assert "21014" in ranked["nis_code"].tolist()
    assert not ranked["exact"].any()
    assert ranked["score"].is_monotonic_decreasing
    close = rank_communes("Charleroj", gdf_communes, lang="fr")
    assert close.iloc[0]["nis_code"] == "52011"
    assert close.iloc[0]["score"] < 0.7


@pytest.mark.parametrize("query", ["", "   ", "zzzzqqqxx", "x" * 10_000])
def test_nothing_close_gives_an_empty_frame(gdf_communes, query) -> None:
    ranked = rank_communes(query, gdf_communes)
    assert ranked.empty
    assert list(ranked.columns) == list(RANK_COLUMNS)


def test_limit_and_no_mutation(gdf_communes) -> None:
    before = gdf_communes.drop(columns="geometry").copy()
    ranked = rank_communes("sint", gdf_communes, lang="nl", limit=3)
    assert len(ranked) == 3
    pd.testing.assert_frame_equal(gdf_communes.drop(columns="geometry"), before)
