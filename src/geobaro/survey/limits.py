"""Bounds on untrusted input (uploaded survey files), read from ``GEOBARO_*`` variables.

One place for every limit of the survey reader. Each can be changed with an environment
variable; the defaults suit a public server on 2 cores:

============================  ==========================  =======
variable                      bound                       default
============================  ==========================  =======
``GEOBARO_MAX_UPLOAD_MB``     file size, in MiB           10
``GEOBARO_MAX_ROWS``          rows after the header       10000
``GEOBARO_MAX_COLUMNS``       columns                     500
``GEOBARO_PARSE_SECONDS``     time to read one file       8
``GEOBARO_MAX_UNZIP_MB``      unpacked size of an XLSX    50
============================  ==========================  =======

``GEOBARO_MAX_UPLOAD_MB`` falls back to ``STREAMLIT_SERVER_MAX_UPLOAD_SIZE`` (Streamlit's own
variable for ``server.maxUploadSize``), so setting that one variable moves both the browser
upload limit and the reader's check. ``.streamlit/config.toml`` holds the same default (10).
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from dataclasses import dataclass

from geobaro.errors import SurveyValidationError

__all__ = [
    "ENV_MAX_COLUMNS",
    "ENV_MAX_ROWS",
    "ENV_MAX_UNZIP_MB",
    "ENV_MAX_UPLOAD_MB",
    "ENV_PARSE_SECONDS",
    "ENV_STREAMLIT_UPLOAD",
    "MIB",
    "Deadline",
    "Limits",
    "get_limits",
]

log = logging.getLogger(__name__)

MIB = 1024 * 1024
ENV_MAX_UPLOAD_MB = "GEOBARO_MAX_UPLOAD_MB"
ENV_STREAMLIT_UPLOAD = "STREAMLIT_SERVER_MAX_UPLOAD_SIZE"
ENV_MAX_ROWS = "GEOBARO_MAX_ROWS"
ENV_MAX_COLUMNS = "GEOBARO_MAX_COLUMNS"
ENV_PARSE_SECONDS = "GEOBARO_PARSE_SECONDS"
ENV_MAX_UNZIP_MB = "GEOBARO_MAX_UNZIP_MB"


@dataclass(frozen=True)
class Limits:
    """Bounds applied to one survey file.

    Attributes
    ----------
    max_bytes
        Largest file accepted, in bytes.
    max_rows
        Most rows after the header (blank rows included; rows before the header count too).
    max_columns
        Most columns in the header.
    parse_seconds
        Time allowed to read, match and validate one file; checked inside every expensive
        step (every few rows), so a file is refused within about this time. With the size
        bounds, every upload is answered within 10 s on a 2-core server.
    max_unzip_bytes
        Largest total unpacked size of an XLSX workbook (zip-bomb guard: the bytes really
        inflated are counted, in bounded chunks, whatever sizes the archive declares).
    """

    max_bytes: int = 10 * MIB
    max_rows: int = 10_000
    max_columns: int = 500
    parse_seconds: float = 8.0
    max_unzip_bytes: int = 50 * MIB


def get_limits() -> Limits:
    """Return the limits, read from the environment (see the module docstring).

    A variable that is not a positive number is ignored with a logged warning.

    Examples
    --------
    >>> limits = get_limits()
    >>> limits.max_rows > 0 and limits.max_bytes > 0
    True
    """
    default = Limits()
    upload_mb = _env_number(ENV_MAX_UPLOAD_MB)
    if upload_mb is None:
        upload_mb = _env_number(ENV_STREAMLIT_UPLOAD)
    rows = _env_number(ENV_MAX_ROWS)
    columns = _env_number(ENV_MAX_COLUMNS)
    seconds = _env_number(ENV_PARSE_SECONDS)
    unzip_mb = _env_number(ENV_MAX_UNZIP_MB)
    return Limits(
        max_bytes=int(upload_mb * MIB) if upload_mb else default.max_bytes,
        max_rows=int(rows) if rows else default.max_rows,
        max_columns=int(columns) if columns else default.max_columns,
        parse_seconds=seconds if seconds else default.parse_seconds,
        max_unzip_bytes=int(unzip_mb * MIB) if unzip_mb else default.max_unzip_bytes,
    )


class Deadline:
    """A time budget for reading one file; `check` raises once it is spent.

    Parameters
    ----------
    seconds
        Budget; ``math.inf`` never expires, ``0`` expires at the first check.
    name
        File name used in the message.
    lang
        Language of the message.

    Examples
    --------
    >>> Deadline(math.inf, "a.csv").check("reading")
    >>> try:
    ...     Deadline(0, "a.csv").check("reading rows")
    ... except SurveyValidationError as exc:
    ...     print(str(exc)[:64])
    a.csv took longer than 0 s to read (stopped while reading rows);
    """

    def __init__(self, seconds: float, name: str, lang: str = "en") -> None:
        self.seconds = seconds
        self.name = name
        self.lang = lang
        self._end = time.monotonic() + seconds if math.isfinite(seconds) else math.inf

    def check(self, phase: str) -> None:
        """Raise `SurveyValidationError` if the budget is spent.

        ``phase`` says, in English, what was being done; the message gives it in the
        deadline's language when the catalogue has it (``survey.phase.*``).
        """
        if time.monotonic() >= self._end:
            from geobaro.i18n import t

            phase = _phase_in(phase, self.lang)
            message = t(
                "survey.err.deadline",
                self.lang,  # type: ignore[arg-type]
                name=self.name,
                seconds=f"{self.seconds:g}",
                phase=phase,
                variable=ENV_PARSE_SECONDS,
            )
            raise SurveyValidationError(message)


def _phase_in(phase: str, lang: str) -> str:
    """Return an English phase (``reading row 12``) in ``lang``, or as given."""
    from geobaro.i18n import load_catalog, t

    english = load_catalog("en")
    for key, text in english.items():
        if not key.startswith("survey.phase."):
            continue
        pattern = re.escape(text).replace(re.escape("{row}"), r"(?P<row>\d+)")
        match = re.fullmatch(pattern, phase)
        if match is not None:
            return t(key, lang, **match.groupdict())  # type: ignore[arg-type]
    return phase


def _env_number(name: str) -> float | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        log.warning("ignoring %s=%r: not a positive number", name, text)
        return None
    return value
