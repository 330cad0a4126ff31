"""The session's own survey file: size check, validation, indicators, kept per session."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from geobaro.errors import GeobaroError
from geobaro.survey.messages import MAX_MESSAGE, plain, say, shorten
from geobaro.vocabulary import Lang

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


def process_upload(
    data: bytes, name: str, *, gdf_communes: pd.DataFrame, lang: Lang = "en"
) -> Upload:
    """Validate an uploaded survey file and compute its indicators.

    Never raises for a file, whatever it holds: a file that cannot be used gives an `Upload`
    with ``error`` set to one short message in ``lang`` (no traceback; the exception goes
    to the log); a file with bad rows gives data plus every rejected row in its report. A
    file that failed is remembered by its digest (with its name and the language), so a
    rerun, another click or another session does not parse it again.

    Parameters
    ----------
    data
        The file's bytes (bounded by the reader's ``max_bytes``).
    name
        File name, used only to guess the format and in messages.
    gdf_communes
        The 2018 commune reference table.
    lang
        Language of the messages and of the report.
    """
    from geobaro.indicators import compute_indicators
    from geobaro.survey.read import DEFAULT_MAX_BYTES, load_survey

    digest = hashlib.sha256(data).hexdigest()
    safe_name = plain(str(name), limit=200)
    key = (digest, safe_name, lang)
    remembered = _failed_get(key)
    if remembered is not None:
        return Upload(safe_name, digest, None, None, remembered)
    if len(data) > DEFAULT_MAX_BYTES:
        limit = f"{DEFAULT_MAX_BYTES // (1024 * 1024)} MB"
        size = f"{len(data) / (1024 * 1024):.1f} MB"
        message = say("err.too_large", lang, name=safe_name, size=size, limit=limit)
        return Upload(safe_name, digest, None, None, message)
    try:
        result = load_survey(data, filename=safe_name, gdf_communes=gdf_communes, lang=lang)
        indicators = compute_indicators(result, gdf_communes)
    except GeobaroError as exc:
        message = shorten(str(exc), MAX_MESSAGE)
    except Exception as exc:  # an upload must never take the page down, whatever it raises
        log.warning("upload %s could not be used", safe_name, exc_info=True)
        message = say("err.unexpected", lang, name=safe_name, detail=type(exc).__name__)
        if isinstance(exc, ValueError | KeyError) and len(str(exc)) < 300:
            message = f"{message} {plain(str(exc), limit=300)}"
    else:
        return Upload(safe_name, digest, result, indicators, None)
    _failed_put(key, message)
    return Upload(safe_name, digest, None, None, message)


#: Failed uploads remembered (digest, name, language -> message), most recent last.
_FAILED: OrderedDict[tuple[str, str, str], str] = OrderedDict()
_FAILED_SIZE = 256
_FAILED_LOCK = threading.Lock()


def _failed_get(key: tuple[str, str, str]) -> str | None:
    with _FAILED_LOCK:
        message = _FAILED.get(key)
        if message is not None:
            _FAILED.move_to_end(key)
        return message


def _failed_put(key: tuple[str, str, str], message: str) -> None:
    with _FAILED_LOCK:
        _FAILED[key] = message
        while len(_FAILED) > _FAILED_SIZE:
            _FAILED.popitem(last=False)


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
