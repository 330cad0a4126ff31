"""The upload path: one short message for any failure, remembered per file, never raised."""

from __future__ import annotations

import pytest

from geobaro.app import upload as upload_module
from geobaro.errors import SurveyValidationError


@pytest.fixture(autouse=True)
def _forget_failures():
    """Each test starts with no remembered failure."""
    upload_module._FAILED.clear()
    yield
    upload_module._FAILED.clear()


def test_good_file_gives_data(gdf_communes) -> None:
    up = upload_module.process_upload(
        b"nis_code,feels_concerned\n62063,yes\n", "a.csv", gdf_communes=gdf_communes
    )
    assert up.ok
    assert up.error is None


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError("boom " * 10_000),
        MemoryError(),
        TypeError("unhashable type"),
        ValueError("Exceeds the limit (4300 digits) for integer string conversion"),
        SurveyValidationError("x" * 100_000),
    ],
)
def test_any_failure_is_one_short_message_remembered_per_file(
    gdf_communes, monkeypatch, exc
) -> None:
    calls = []

    def explode(*args, **kwargs):
        calls.append(1)
        raise exc

    monkeypatch.setattr("geobaro.survey.read.load_survey", explode)
    first = upload_module.process_upload(b"a,b\n1,2\n", "a.csv", gdf_communes=gdf_communes)
    assert not first.ok
    assert first.error
    assert len(first.error) <= 2000
    assert "Traceback" not in first.error
    again = upload_module.process_upload(b"a,b\n1,2\n", "a.csv", gdf_communes=gdf_communes)
    assert again.error == first.error
    assert calls == [1]
    other = upload_module.process_upload(b"a,b\n1,3\n", "a.csv", gdf_communes=gdf_communes)
    assert not other.ok
    assert calls == [1, 1]


def test_failure_message_is_in_the_users_language(gdf_communes) -> None:
    up = upload_module.process_upload(
        b"city,population\nLiege,1\n", "a.csv", gdf_communes=gdf_communes, lang="nl"
    )
    assert "geen gemeentekolom" in up.error
    big = upload_module.process_upload(
        b"x" * (11 * 1024 * 1024), "b.csv", gdf_communes=gdf_communes
    )
    assert "limit" in big.error


def test_remembered_failures_are_bounded(gdf_communes) -> None:
    for i in range(upload_module._FAILED_SIZE + 20):
        upload_module._failed_put((str(i), "a", "en"), "m")
    assert len(upload_module._FAILED) == upload_module._FAILED_SIZE
