"""The session's own survey file: size check, validation, indicators, kept per session."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from geobaro.errors import GeobaroError

__all__ = [
    "UPLOAD_KEY",
    "Upload",
    "clear_upload",
    "current_upload",
    "process_upload",
    "store_upload",
]

log = logging.getLogger(__name__)

#: Session-state key of the current `Upload` (never in a shared cache).
UPLOAD_KEY = "_upload"


@dataclass(frozen=True, eq=False)
class Upload:
    """The outcome of one uploaded file.

    Attributes
    ----------
    name
        File name as the browser sent it (display only; never used as a path).
    digest
        SHA-256 of the bytes; keys this session's memoised views.
    result
        The `geobaro.survey.SurveyResult`, or ``None`` if the file could not be used at all.
    indicators
        Per-commune indicators of the file, or ``None``.
    error
        The one clear message when the file is not usable.
    """

    name: str
    digest: str
    result: Any | None
    indicators: pd.DataFrame | None
    error: str | None

    @property
    def ok(self) -> bool:
        """True when the file gave data (possibly with rejected rows in its report)."""
        return self.indicators is not None


def process_upload(data: bytes, name: str, *, gdf_communes: pd.DataFrame) -> Upload:
    """Validate an uploaded survey file and compute its indicators.

    Never raises for bad input: a file that cannot be used gives an `Upload` with ``error``
    set; a file with bad rows gives data plus every rejected row in its report.

    Parameters
    ----------
    data
        The file's bytes (bounded by the reader's ``max_bytes``).
    name
        File name, used only to guess the format and in messages.
    gdf_communes
        The 2018 commune reference table.
    """
    from geobaro.indicators import compute_indicators
    from geobaro.survey.read import DEFAULT_MAX_BYTES, load_survey

    digest = hashlib.sha256(data).hexdigest()
    safe_name = str(name)[:200]
    if len(data) > DEFAULT_MAX_BYTES:
        limit = DEFAULT_MAX_BYTES // (1024 * 1024)
        return Upload(safe_name, digest, None, None, f"file too large (limit {limit} MB)")
    try:
        result = load_survey(data, filename=safe_name, gdf_communes=gdf_communes)
        indicators = compute_indicators(result, gdf_communes)
    except GeobaroError as exc:
        return Upload(safe_name, digest, None, None, str(exc))
    except (ValueError, KeyError) as exc:
        log.warning("upload %s could not be used: %r", safe_name, exc)
        return Upload(safe_name, digest, None, None, str(exc))
    return Upload(safe_name, digest, result, indicators, None)


def store_upload(upload: Upload) -> None:
    """Keep an upload in this session (replacing any earlier one) and drop its memo."""
    st.session_state[UPLOAD_KEY] = upload
    st.session_state.pop("_memo", None)


def current_upload() -> Upload | None:
    """Return this session's usable upload, if any."""
    upload = st.session_state.get(UPLOAD_KEY)
    return upload if isinstance(upload, Upload) else None


def clear_upload() -> None:
    """Forget this session's upload."""
    st.session_state.pop(UPLOAD_KEY, None)
    st.session_state.pop("_memo", None)
