"""Streamlit's frontend files answered from memory: an ASGI middleware of the app's ``st.App``.

A first visit loads about 90 files of Streamlit's frontend (4.6 MB of JavaScript, its CSS and
fonts) from ``/static/``, then some 70 more as the page's elements need them. Streamlit serves
each through Starlette's ``StaticFiles``: a ``stat`` and every 64 KB read run in a worker
thread. While the server also runs the warm-up or a script, each of those hops waits for the
interpreter lock, and the files of the first visit arrive late. `FrontendFiles` reads each
file once, on its first request, and answers it from memory after that (no thread, no
filesystem): in the cold-start benchmark, the first map was drawn about 0.1 s sooner and the
server used 0.1 s less CPU (``benchmarks/README.md``).

The files belong to the installed Streamlit package: hashed names, content fixed for the
life of the process, which Streamlit itself serves as immutable. The answer is the one
Streamlit gives (same status, body and headers: type, length, ``ETag``, ``Last-Modified``,
``Cache-Control``); `tests/app/test_frontend.py` compares the two. Everything else goes to
Streamlit unchanged: another path, a method other than ``GET``, a ``Range`` or conditional
request, a name with any character outside ``[A-Za-z0-9_.-]`` or a segment starting with a
dot, an HTML or JSON file, a file that is not there or that does not fit the memory bound.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from starlette.responses import FileResponse

__all__ = ["MAX_CACHED_BYTES", "FrontendFiles", "streamlit_static_dir"]

#: Bound on the bytes held in memory (Streamlit's whole frontend is about 30 MB; a session
#: needs 5-8 MB of it); a file that would pass it is left to Streamlit.
MAX_CACHED_BYTES = 64 * 1024 * 1024
#: Streamlit's caching of its hashed frontend files (``starlette_static_routes``).
_CACHE_CONTROL = b"public, immutable, max-age=31536000"
#: Requests that Streamlit answers itself: partial and conditional ones.
_PASS_HEADERS = frozenset({b"range", b"if-range", b"if-none-match", b"if-modified-since"})
#: Names Streamlit serves with ``no-cache`` (none are under ``static/`` today): left to it.
_NOT_IMMUTABLE = (".html", ".json")
_SAFE_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")

Scope = dict[str, Any]
Answer = tuple[bytes, list[tuple[bytes, bytes]]]


def streamlit_static_dir() -> Path:
    """Return the folder Streamlit serves its frontend from (``streamlit/static``)."""
    import streamlit

    return Path(streamlit.__file__).resolve().parent / "static"


class FrontendFiles:
    """ASGI middleware: answer ``GET <base>/static/...`` from memory, pass the rest on.

    Parameters
    ----------
    app
        The ASGI application it wraps (Streamlit's).
    root
        The folder served at ``<base>/``; default `streamlit_static_dir`. Only its ``static``
        subfolder (Streamlit's hashed files) is answered from memory.
    base_url
        The server's ``server.baseUrlPath``; default: read from Streamlit's configuration at
        the first request.
    max_bytes
        Bound on the bytes held in memory.
    """

    def __init__(
        self,
        app: Any,
        *,
        root: Path | None = None,
        base_url: str | None = None,
        max_bytes: int = MAX_CACHED_BYTES,
    ) -> None:
        self.app = app
        self.root = (root or streamlit_static_dir()).resolve()
        self.max_bytes = max_bytes
        self._base_url = base_url
        self._prefix: str | None = None
        self._answers: dict[str, Answer] = {}
        self._held = 0

    @property
    def held_bytes(self) -> int:
        """Bytes of file content held in memory."""
        return self._held

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """Answer one ASGI connection: from memory, or through the wrapped app."""
        answer = self._answer(scope) if scope.get("type") == "http" else None
        if answer is None:
            await self.app(scope, receive, send)
            return
        body, headers = answer
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _answer(self, scope: Scope) -> Answer | None:
        if scope.get("method") != "GET":
            return None
        if any(name.lower() in _PASS_HEADERS for name, _ in scope.get("headers", ())):
            return None
        path = str(scope.get("path", ""))
        prefix = self._static_prefix()
        if not path.startswith(prefix):
            return None
        relative = path[len(prefix) :]
        if not _SAFE_PATH.fullmatch(relative) or relative.endswith(_NOT_IMMUTABLE):
            return None
        answer = self._answers.get(relative)
        return answer if answer is not None else self._read(relative)

    def _static_prefix(self) -> str:
        if self._prefix is None:
            base = self._base_url
            if base is None:
                from streamlit import config

                base = str(config.get_option("server.baseUrlPath") or "")
            base = base.strip("/")
            self._prefix = f"/{base}/static/" if base else "/static/"
        return self._prefix

    def _read(self, relative: str) -> Answer | None:
        file = (self.root / "static" / relative).resolve()
        if not file.is_relative_to(self.root / "static") or not file.is_file():
            return None
        stat = file.stat()
        if self._held + stat.st_size > self.max_bytes:
            return None
        # a small package file read once, on the event loop: that is the point (no thread)
        body = file.read_bytes()
        if len(body) != stat.st_size:  # changed while read: Streamlit answers this one
            return None
        answer = (body, _headers(file, stat))
        self._answers[relative] = answer
        self._held += len(body)
        return answer


def _headers(file: Path, stat: os.stat_result) -> list[tuple[bytes, bytes]]:
    """Return the headers Streamlit gives the file, with its caching.

    They are Starlette's ``FileResponse`` headers (type, length, ``Last-Modified``, ``ETag``),
    built from the ``stat`` without reading the file.
    """
    response = FileResponse(file, stat_result=stat)
    return [*response.raw_headers, (b"cache-control", _CACHE_CONTROL)]
