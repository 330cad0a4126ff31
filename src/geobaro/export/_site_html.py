"""HTML of the static site's pages: the page shell, map frames, tables, links (all escaped)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geobaro._io import atomic_write
from geobaro.i18n import t

if TYPE_CHECKING:
    from geobaro.i18n import Lang

__all__ = [
    "PageShell",
    "cell_html",
    "downloads_html",
    "esc",
    "figures_html",
    "map_frame",
    "switch_html",
    "table_html",
    "write_page",
]


@dataclass(frozen=True)
class PageShell:
    """What every page shares: language, notice, attribution (one export's settings)."""

    lang: Lang
    illustrative: bool
    attribution: str


def write_page(
    shell: PageShell,
    target: Path,
    *,
    title: str,
    body: str,
    up: str,
    scripts: Sequence[str] = (),
    illustrative: bool | None = None,
    nav: bool = True,
) -> None:
    """Write one page: header (navigation, title, notice), ``body``, footer (attribution).

    ``scripts`` are site paths loaded in the head, in order, before the maps' frames exist
    (``assets/site.js``, the geometry, the values); ``up`` leads from the page to the root.
    """
    show_notice = shell.illustrative if illustrative is None else illustrative
    notice = (
        f'<p class="notice" role="note">{esc(t("app.illustrative.notice", shell.lang))}</p>'
        if show_notice
        else ""
    )
    attribution = "<br>".join(esc(line) for line in shell.attribution.splitlines())
    index_link = esc(t("site.nav.index", shell.lang))
    links = f'<nav><a href="{up}index.html">{index_link}</a></nav>' if nav else ""
    head_scripts = "".join(f'<script src="{esc(up + s)}"></script>\n' for s in scripts)
    page = f"""<!doctype html>
<html lang="{esc(shell.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="geobaro">
<title>{esc(title)}</title>
<style>{_CSS}</style>
{head_scripts}</head>
<body>
<header>{links}<h1>{esc(title)}</h1>{notice}</header>
<main>
{body}
</main>
<footer><p>{esc(t("app.footer.boundaries", shell.lang))} {attribution}</p>
<p>{esc(t("app.footer.published", shell.lang))}</p></footer>
</body>
</html>
"""
    atomic_write(target, page)


def map_frame(document: str, *, key: str, title: str, height: str) -> str:
    """Return a map document in an ``<iframe srcdoc>``, marked with the values ``key`` it draws.

    A srcdoc frame has the page's origin, also under ``file://``, so it reads the page's data.
    """
    return (
        f'<iframe class="map" title="{esc(title)}" style="height:{height}" '
        f'data-key="{esc(key)}" srcdoc="{html.escape(document, quote=True)}"></iframe>'
    )


def switch_html(
    options: Sequence[tuple[str, str]], *, current: str, values_dir: str, lang: Lang
) -> str:
    """Return the indicator select box of a map page (``options``: page stem, label)."""
    items = "".join(
        f'<option value="{esc(stem)}"{" selected" if stem == current else ""}>{esc(label)}</option>'
        for stem, label in options
    )
    return (
        '<form class="switch" onsubmit="return false">'
        f'<label for="gb-indicator">{esc(t("app.control.indicator", lang))}</label> '
        f'<select id="gb-indicator" data-values="{esc(values_dir)}">{items}</select> '
        '<span id="gb-status" role="status"></span></form>'
    )


def table_html(table: pd.DataFrame) -> str:
    """Return a plain HTML table; every cell escaped exactly once."""
    head = "".join(f"<th scope='col'>{esc(str(c))}</th>" for c in table.columns)
    rows = []
    for record in table.itertuples(index=False):
        cells = "".join(f"<td>{cell_html(v)}</td>" for v in record)
        rows.append(f"<tr>{cells}</tr>")
    return (
        f"<table class='data'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def figures_html(figures: pd.DataFrame, lang: Lang) -> str:
    """Return the published key figures as a table: figure, value, source (linked)."""
    label_col = f"label_{lang}" if f"label_{lang}" in figures else "label_en"
    rows = []
    for rec in figures.to_dict("records"):
        value = float(rec["value"])
        text = f"{value:.0f}%" if rec.get("unit") == "percent" else f"{value:.0f}"
        url = str(rec.get("source_url") or "")
        locator = str(rec.get("locator") or "")
        source = (
            f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
            if url.startswith(("https://", "http://"))
            else ""
        )
        if locator:
            source += f" ({esc(locator)})" if source else esc(locator)
        rows.append(
            f"<tr><td>{esc(rec.get(label_col, ''))}</td><td>{esc(text)}</td><td>{source}</td></tr>"
        )
    return (
        "<table class='data'><thead><tr><th>Figure</th><th>Value</th><th>Source</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def cell_html(value: Any) -> str:
    """Return one table cell's text: escaped once, numbers with one decimal, blanks empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return esc(html.unescape(str(value)))


def downloads_html(files: Sequence[str], *, prefix: str) -> str:
    """Return the links to a page's data files (the table, its values, the geometry)."""
    links = " · ".join(
        f'<a href="{esc(prefix + f)}" download>{esc(Path(f).name)}</a>' for f in files
    )
    return f"Data of this page: {links}"


def esc(text: object) -> str:
    """Return ``text`` escaped for HTML text and attributes."""
    return html.escape(str(text), quote=True)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1400px;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.5rem;margin:.6rem 0}h2{font-size:1.15rem}
.notice{background:#fff3cd;border:1px solid #e0b000;padding:.5rem .75rem;border-radius:4px}
iframe.map{width:100%;border:1px solid #ccc;display:block}
.switch{margin:.5rem 0}.switch select{font-size:1rem;max-width:100%}
.panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:1rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1rem}
.chart{margin:0}.chart img{max-width:100%;height:auto;display:block}
.chart figcaption{font-weight:600}.sources a,td a{word-break:break-all}
.gb-legend{margin:.5rem 0;font-size:.95rem;max-width:32rem}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.2rem .4rem}
th{text-align:left;background:#f4f4f4}footer{font-size:.8rem;color:#555;margin:2rem 0}
"""
