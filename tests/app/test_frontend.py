"""Streamlit's frontend files answered from memory (issue 15, cold start): the same answer as
Streamlit's, each file read once, and every other request left to Streamlit."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import HTTPException
from streamlit.web.server.starlette.starlette_static_routes import (
    create_streamlit_static_handler,
)

from geobaro.app.frontend import FrontendFiles, streamlit_static_dir

ROOT = streamlit_static_dir()
JS = sorted((ROOT / "static" / "js").glob("index.*.js"))[0]
#: one file of each kind Streamlit's frontend loads from static/: script, style, font, image
SAMPLES = [
    JS,
    sorted((ROOT / "static" / "css").glob("*.css"))[0],
    sorted((ROOT / "static" / "media").glob("*.woff2"))[0],
    sorted((ROOT / "static" / "media").glob("*.png"))[0],
]


class Downstream:
    """Streamlit's own static handler, counting the requests that reach it."""

    def __init__(self) -> None:
        self.handler = create_streamlit_static_handler(str(ROOT), base_url=None)
        self.paths: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.paths.append(scope["path"])
        try:
            await self.handler(scope, receive, send)
        except HTTPException as exc:  # the app's routes answer these (e.g. /_stcore/health)
            await send({"type": "http.response.start", "status": exc.status_code, "headers": []})
            await send({"type": "http.response.body", "body": b""})


def request(
    app: Any, path: str, *, method: str = "GET", headers: tuple[tuple[bytes, bytes], ...] = ()
) -> tuple[int, dict[str, str], bytes]:
    """Send one HTTP request to the ASGI ``app``; return status, headers and body."""
    sent: list[dict[str, Any]] = []
    received = 0

    async def receive() -> dict[str, Any]:
        nonlocal received
        received += 1
        if received > 1:  # the client stays connected until the answer is sent
            await asyncio.Event().wait()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    _run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def _run(coroutine: Any) -> None:
    """Run ``coroutine`` to its end in a thread of its own (a test may hold a running loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result(timeout=60)


def _path(file: Path) -> str:
    return "/" + file.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("file", SAMPLES, ids=lambda f: f.suffix)
def test_the_answer_is_streamlits_own(file: Path) -> None:
    streamlit_answer = request(Downstream(), _path(file))
    downstream = Downstream()
    app = FrontendFiles(downstream, base_url="")
    ours = request(app, _path(file))
    assert downstream.paths == []  # answered from memory, not by Streamlit
    assert ours[0] == streamlit_answer[0] == 200
    assert ours[2] == streamlit_answer[2] == file.read_bytes()
    assert ours[1] == streamlit_answer[1]
    assert ours[1]["cache-control"] == "public, immutable, max-age=31536000"


def test_each_file_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def counted(self: Path) -> bytes:
        reads.append(self)
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    app = FrontendFiles(Downstream(), base_url="")
    first = request(app, _path(JS))
    again = request(app, _path(JS))
    assert reads == [JS.resolve()]
    assert first == again
    assert app.held_bytes == JS.stat().st_size


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        ("/static/js/no-such-file.js", "GET", ()),  # Streamlit answers: its index.html
        ("/index.html", "GET", ()),  # not under static/
        ("/_stcore/health", "GET", ()),
        ("/static/js/../../index.html", "GET", ()),
        ("/static/js/%2e%2e/x.js", "GET", ()),
        ("/static//js/x.js", "GET", ()),
        ("/static/js\\..\\x.js", "GET", ()),
        ("/static/.hidden", "GET", ()),
        (_path(JS), "HEAD", ()),
        (_path(JS), "POST", ()),
        (_path(JS), "GET", ((b"range", b"bytes=0-99"),)),
        (_path(JS), "GET", ((b"if-none-match", b'"x"'),)),
        (_path(JS), "GET", ((b"If-Modified-Since", b"Tue, 01 Dec 2026 00:00:00 GMT"),)),
    ],
)
def test_every_other_request_goes_to_streamlit(
    path: str, method: str, headers: tuple[tuple[bytes, bytes], ...]
) -> None:
    downstream = Downstream()
    app = FrontendFiles(downstream, base_url="")
    request(app, path, method=method, headers=headers)
    assert downstream.paths == [path]
    assert app.held_bytes == 0


def test_a_conditional_request_gets_streamlits_not_modified() -> None:
    app = FrontendFiles(Downstream(), base_url="")
    etag = request(app, _path(JS))[1]["etag"]
    status, _, body = request(app, _path(JS), headers=((b"if-none-match", etag.encode()),))
    assert (status, body) == (304, b"")


def test_the_base_url_path_is_honoured() -> None:
    downstream = Downstream()
    app = FrontendFiles(downstream, base_url="/geo/")
    status, _, body = request(app, "/geo" + _path(JS))
    assert (status, body, downstream.paths) == (200, JS.read_bytes(), [])
    request(app, _path(JS))  # without the base: not a file of this server's frontend
    assert downstream.paths == [_path(JS)]


def test_memory_is_bounded() -> None:
    downstream = Downstream()
    small, big = sorted(SAMPLES, key=lambda f: f.stat().st_size)[:2]
    app = FrontendFiles(downstream, base_url="", max_bytes=small.stat().st_size)
    assert request(app, _path(small))[0] == 200
    status, _, body = request(app, _path(big))  # over the bound: Streamlit serves it
    assert (status, body) == (200, big.read_bytes())
    assert downstream.paths == [_path(big)]
    assert app.held_bytes == small.stat().st_size


def test_websockets_and_lifespan_pass_through() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    app = FrontendFiles(inner, base_url="")
    for kind in ("websocket", "lifespan"):
        _run(app({"type": kind, "path": _path(JS)}, None, None))
    assert seen == ["websocket", "lifespan"]
