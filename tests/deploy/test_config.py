"""The generated nginx configuration: limits taken from Streamlit's config, accepted by nginx."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest


def test_upload_limit_is_streamlits(launcher: Any, tmp_path: Path) -> None:
    config = launcher.STREAMLIT_CONFIG
    with config.open("rb") as fh:
        limit = tomllib.load(fh)["server"]["maxUploadSize"]
    assert launcher.max_upload_mb() == limit
    text = launcher.render_nginx_config(
        prefix=tmp_path, listen="127.0.0.1:8080", ports=[8501], max_body_mb=limit
    )
    assert re.findall(r"client_max_body_size (\d+)m;", text) == [str(limit)]


def test_every_placeholder_is_filled(launcher: Any, tmp_path: Path) -> None:
    text = launcher.render_nginx_config(
        prefix=tmp_path, listen="127.0.0.1:8080", ports=[8501, 8502, 8503], max_body_mb=10
    )
    assert re.search(r"\{(prefix|listen|servers|max_body_mb)\}", text) is None
    assert text.count("server 127.0.0.1:") == 3
    assert "hash $geobaro_sticky consistent;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    with pytest.raises(ValueError, match="at least one replica"):
        launcher.render_nginx_config(prefix=tmp_path, listen="x", ports=[], max_body_mb=10)


def test_bad_upload_limit_is_named(launcher: Any, tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[server]\nmaxUploadSize = 'ten'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="maxUploadSize"):
        launcher.max_upload_mb(bad)
    assert launcher.max_upload_mb(tmp_path / "missing.toml") == 200  # Streamlit's default


def test_nginx_accepts_the_configuration(launcher: Any, tmp_path: Path) -> None:
    binary = launcher.find_nginx()
    if binary is None:
        pytest.skip("nginx is not installed (apt-get install nginx; CI installs it)")
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        launcher.render_nginx_config(
            prefix=tmp_path, listen="127.0.0.1:1", ports=[8501, 8502], max_body_mb=10
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [binary, "-p", str(tmp_path), "-c", str(conf), "-e", "stderr", "-t"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
