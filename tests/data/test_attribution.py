"""The boundary attribution in every language: each manifest line translated, nothing lost."""

from __future__ import annotations

import json

import pytest

from geobaro.config import PROJECT_ROOT
from geobaro.data.attribution import translate_attribution
from geobaro.vocabulary import LANGS

MANIFEST = json.loads((PROJECT_ROOT / "data" / "shapes" / "manifest.json").read_text("utf-8"))
_STATBEL = next(s["attribution"] for s in MANIFEST["sources"] if s.get("attribution"))


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_every_manifest_line_is_translated(lang) -> None:
    lines = MANIFEST["attribution"]
    out = translate_attribution("\n".join(lines), lang).split("\n")
    assert len(out) == len(lines)
    for english, translated in zip(lines, out, strict=True):
        assert translated != english
        assert "Statbel" in translated
        assert "CC BY" in translated


@pytest.mark.parametrize("lang", LANGS)
def test_statbel_lines_keep_their_year_and_file_name(lang) -> None:
    filled = [
        line.replace("{year}", "2018").replace("{name}", "sh_2018.shp.zip") for line in _STATBEL
    ]
    out = translate_attribution("\n".join(filled), lang)
    assert "2018" in out
    assert "sh_2018.shp.zip" in out
    assert out.count("\n") == len(filled) - 1


def test_unknown_lines_are_kept_as_written() -> None:
    text = "A source nobody translated (CC BY 4.0)."
    assert translate_attribution(text, "de") == text
