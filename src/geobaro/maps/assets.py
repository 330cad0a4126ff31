"""Leaflet for the maps without any CDN: copied for the app, or inlined for standalone pages.

Leaflet comes from the ``XStatic-Leaflet`` package (``xstatic.pkg.leaflet``). Two modes:

``served``
    The map links ``<prefix>/leaflet.js`` and ``<prefix>/leaflet.css``. The app serves those
    files itself: `install_static_assets` copies them into Streamlit's ``static/`` folder,
    which ``server.enableStaticServing`` publishes under ``/app/static/`` (the default
    prefix). The app's map frame loads exactly these links, so the app works offline.
``inline``
    Leaflet's script and style sheet (with its images as data URIs) are embedded in the page:
    one self-contained HTML file for exports and the static site.
"""

from __future__ import annotations

import base64
import functools
import logging
import re
import shutil
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branca.element import Element

from geobaro._io import atomic_write, file_sha256
from geobaro.vocabulary import ASSET_MODES, AssetMode

if TYPE_CHECKING:
    import folium

__all__ = [
    "ASSET_MODES",
    "DEFAULT_PREFIX",
    "AssetMode",
    "apply_assets",
    "find_external_urls",
    "install_static_assets",
    "leaflet_css_inline",
    "leaflet_dir",
    "leaflet_js_inline",
]

log = logging.getLogger(__name__)

#: Where Streamlit's static file serving publishes ``./static/``.
DEFAULT_PREFIX = "/app/static"

_JS_NAME = "leaflet"
_CSS_NAME = "leaflet_css"
_FILES = ("leaflet.js", "leaflet.css", "leaflet.js.map")
# Resource loads: src=, <link href=>, url(), @import (an <a href> is a link, not a load).
_URL_IN_RESOURCE = re.compile(
    r"""(?:\bsrc\s*=\s*|<link\b[^>]*?\bhref\s*=\s*|url\(\s*|@import\s+)["']?"""
    r"""((?:https?:)?//[^"')\s>]+)""",
    re.IGNORECASE,
)
_ANY_URL = re.compile(r"https?://[a-z0-9.-]+[^\s\"'<>)\\]*", re.IGNORECASE)
#: Strings that look like URLs but are never fetched (XML namespaces).
_NOT_LOADED = ("http://www.w3.org/",)
_CDN_HOSTS = re.compile(
    r"(?:https?:)?//(?:[a-z0-9.-]*\.)?(?:cdn\.[a-z0-9.-]+|cdnjs\.[a-z0-9.-]+|[a-z0-9.-]*jsdelivr"
    r"\.net|[a-z0-9.-]*bootstrapcdn\.com|code\.jquery\.com|unpkg\.com|d3js\.org"
    r"|fonts\.googleapis\.com|[a-z0-9.-]*cloudflare\.com)[^\s\"'<>)]*",
    re.IGNORECASE,
)


def leaflet_dir() -> Path:
    """Return the folder of the installed Leaflet distribution (``leaflet.js`` and friends).

    Examples
    --------
    >>> (leaflet_dir() / "leaflet.js").is_file()
    True
    """
    import xstatic.pkg.leaflet as xl

    return Path(xl.BASE_DIR)


def install_static_assets(dest: Path) -> None:
    """Copy Leaflet's script, style sheet and images into ``dest`` for static serving.

    Idempotent (files already identical are left alone) and atomic per file (each is written
    to a temporary name in ``dest`` and renamed), so concurrent app starts never serve a
    half-written file.

    Parameters
    ----------
    dest
        The folder Streamlit serves (``static/`` beside ``streamlit_app.py``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     install_static_assets(pathlib.Path(tmp))
    ...     sorted(p.name for p in pathlib.Path(tmp).rglob("*.png"))[:2]
    ['layers-2x.png', 'layers.png']
    """
    src = leaflet_dir()
    pairs = [(src / name, dest / name) for name in _FILES if (src / name).is_file()]
    pairs += [(p, dest / "images" / p.name) for p in sorted((src / "images").glob("*.png"))]
    copied = 0
    for source, target in pairs:
        if _same_file(source, target):
            continue
        atomic_write(target, functools.partial(_copy_to, source))
        copied += 1
    log.info("Leaflet assets in %s: %d copied, %d up to date", dest, copied, len(pairs) - copied)


def apply_assets(
    fmap: folium.Map, mode: AssetMode = "served", *, prefix: str = DEFAULT_PREFIX
) -> None:
    """Make ``fmap`` load Leaflet from ``prefix`` (``served``) or embed it (``inline``).

    Every CDN link folium would add (Leaflet, jQuery, Bootstrap, awesome-markers, Font
    Awesome) is dropped. Changes ``fmap`` in place: call it on a map you own or on a copy.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> apply_assets(m, "served", prefix="/app/static")
    >>> m.default_js
    [('leaflet', '/app/static/leaflet.js')]
    >>> find_external_urls(m.get_root().render())
    []
    """
    if mode not in ASSET_MODES:
        raise ValueError(f"unknown asset mode {mode!r}; allowed: {', '.join(ASSET_MODES)}")
    figure: Any = fmap.get_root()
    header = figure.header
    if mode == "served":
        base = prefix.rstrip("/")
        fmap.default_js = [(_JS_NAME, f"{base}/leaflet.js")]
        fmap.default_css = [(_CSS_NAME, f"{base}/leaflet.css")]
        for name in (_JS_NAME, _CSS_NAME):
            header._children.pop(name, None)
        return
    fmap.default_js = []
    fmap.default_css = []
    # same names as the links folium would add, so a rendered link is replaced, not doubled
    header.add_child(Element(f"<script>{leaflet_js_inline()}</script>"), name=_JS_NAME)
    header.add_child(Element(f"<style>{leaflet_css_inline()}</style>"), name=_CSS_NAME)


def find_external_urls(html: str, *, allow: Iterable[str] = (), strict: bool = False) -> list[str]:
    """Return the external URLs a page would load: ``src``/``href``/``url()``/CDN hosts.

    Namespace strings (``http://www.w3.org/2000/svg``) are not loads and are not reported.

    Parameters
    ----------
    html
        Rendered page.
    allow
        URL prefixes that are allowed (e.g. the tile server when tiles are switched on).
    strict
        Report every ``http(s)://`` URL anywhere in the page (scripts, comments, text), not
        only resource loads.

    Examples
    --------
    >>> find_external_urls('<script src="https://cdn.jsdelivr.net/x.js"></script>')
    ['https://cdn.jsdelivr.net/x.js']
    >>> find_external_urls('<link href="/app/static/leaflet.css">')
    []
    >>> find_external_urls('<script>var u = "https://example.org/x";</script>', strict=True)
    ['https://example.org/x']
    """
    skip = (*allow, *_NOT_LOADED)
    found = [m.group(1) for m in _URL_IN_RESOURCE.finditer(html)]
    found += [m.group(0) for m in _CDN_HOSTS.finditer(html)]
    if strict:
        found += [m.group(0) for m in _ANY_URL.finditer(html)]
    out: list[str] = []
    for url in found:
        if url.startswith(skip):
            continue
        if url not in out:
            out.append(url)
    return out


@lru_cache(maxsize=1)
def leaflet_js_inline() -> str:
    """Return Leaflet's script, ready to sit inside ``<script>`` (no source-map fetch).

    Examples
    --------
    >>> "L.map" in leaflet_js_inline() or "function" in leaflet_js_inline()
    True
    """
    text = (leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    text = re.sub(r"//# sourceMappingURL=\S+", "", text)
    # the link of Leaflet's default attribution prefix, which the maps replace by plain text
    text = text.replace("https://leafletjs.com", "#")
    return text.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def leaflet_css_inline() -> str:
    """Return Leaflet's style sheet with its images embedded as data URIs.

    Examples
    --------
    >>> "images/" in leaflet_css_inline()
    False
    """
    folder = leaflet_dir()
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def embed(match: re.Match[str]) -> str:
        path = folder / match.group(1)
        if not path.is_file():
            return "url()"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)  # comments (they hold URLs)
    css = re.sub(r"url\((images/[^)]+)\)", embed, css)
    return css.replace("</style", "<\\/style")


def _same_file(source: Path, target: Path) -> bool:
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        return False
    return file_sha256(source) == file_sha256(target)


def _copy_to(source: Path, tmp: Path) -> None:
    shutil.copyfile(source, tmp)
