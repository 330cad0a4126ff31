"""Trend charts of the recurring published figures: a Vega-Lite spec (app) and a PNG (exports)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import pandas as pd

from geobaro.i18n import t
from geobaro.published import WAVES
from geobaro.views.published import group_label, wave_label

if TYPE_CHECKING:
    from geobaro.vocabulary import Lang

__all__ = ["series_label", "trend_chart_png", "trend_chart_spec"]


def series_label(series: str, lang: Lang = "en") -> str:
    """Return the name of a crosswalk series.

    Examples
    --------
    >>> series_label("progress_score", "de")
    'Selbst eingeschätzter Fortschritt (von 10)'
    """
    key = f"published.series.{series}"
    text = t(key, lang)
    return series.replace("_", " ") if text == key else text


def trend_chart_spec(points: pd.DataFrame, *, lang: Lang = "en") -> dict[str, Any]:
    """Return a Vega-Lite chart of one group's points: line, 95% intervals, values, sources.

    Each point links to its source (click) and names it in its tooltip; points that sources
    give with different values are drawn as crosses. Render with ``st.vega_lite_chart``.

    Examples
    --------
    >>> from geobaro.views.trends import render_trends
    >>> from geobaro.published import load_crosswalk, load_published
    >>> tr = render_trends("obstacle_expertise", load_published(), load_crosswalk())
    >>> spec = tr.charts["Wallonia"]
    >>> [d["value"] for d in spec["data"]["values"]], spec["layer"][2]["encoding"]["href"]
    ([38.0, 49.0], {'field': 'source_url'})
    """
    if points.empty:
        raise ValueError("no points to draw")
    group = str(points["group"].iloc[0])
    series = str(points["series"].iloc[0])
    data = []
    for row in points.itertuples(index=False):
        data.append(
            {
                "date": f"{row.published}-01",
                "wave": str(row.wave),
                "wave_name": wave_label(str(row.wave), lang),
                "value": float(row.value),
                "low": None if pd.isna(row.low) else round(float(row.low), 2),
                "high": None if pd.isna(row.high) else round(float(row.high), 2),
                "text": str(row.text),
                "source_url": str(row.source_url),
                "locator": str(row.locator),
                "match": t(f"published.match.{row.match}", lang),
                "conflict": t("published.conflict", lang) if row.conflict else "",
                "shape": "cross" if row.conflict else "circle",
            }
        )
    # waves in order of publication, equally spaced: two 2018 surveys four months apart
    order = list(dict.fromkeys(d["wave"] for d in sorted(data, key=lambda d: str(d["date"]))))
    x = {
        "field": "wave",
        "type": "ordinal",
        "sort": order,
        "title": t("published.chart.x", lang),
        "axis": {"labelAngle": 0, "labelOverlap": False, "labelFontSize": 9},
        "scale": {"paddingOuter": 0.5},
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "title": _axis_title(str(points["unit"].iloc[0])),
        "scale": {"zero": False, "nice": True, "padding": 24},
        "axis": {"format": "~g", "tickCount": 4},
    }
    tooltip = [
        {"field": "wave_name", "title": t("published.column.wave", lang)},
        {"field": "text", "title": t("published.column.value", lang)},
        {"field": "match", "title": t("published.column.match", lang)},
        {"field": "source_url", "title": t("published.column.source", lang)},
        {"field": "locator", "title": t("published.column.locator", lang)},
        {"field": "conflict", "title": t("published.conflict", lang)},
    ]
    # the series is named above the charts: each small chart is titled by its group
    return {
        "title": group_label(group, lang),
        "description": f"{series_label(series, lang)} — {group_label(group, lang)}",
        "width": "container",
        "height": 180,
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "rule", "color": "#9ecae1", "strokeWidth": 3},
                "encoding": {
                    "x": x,
                    "y": {**y, "field": "low"},
                    "y2": {"field": "high"},
                },
            },
            {"mark": {"type": "line", "color": "#3182bd"}, "encoding": {"x": x, "y": y}},
            {
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 80,
                    "color": "#08519c",
                    "cursor": "pointer",
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "shape": {"field": "shape", "type": "nominal", "scale": None},
                    "href": {"field": "source_url"},
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "dy": -12, "fontSize": 11},
                "encoding": {"x": x, "y": y, "text": {"field": "text"}},
            },
        ],
    }


def trend_chart_png(points: pd.DataFrame, *, lang: Lang = "en", dpi: int = 110) -> bytes:
    r"""Return one group's trend as a PNG, with a numbered source line under the chart.

    For the static export and downloads (the app draws `trend_chart_spec`).

    Examples
    --------
    >>> from geobaro.views.trends import render_trends
    >>> from geobaro.published import load_crosswalk, load_published
    >>> tr = render_trends("progress_score", load_published(), load_crosswalk())
    >>> trend_chart_png(tr.points[tr.points["group"] == "Wallonia"])[:4]
    b'\x89PNG'
    """
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    if points.empty:
        raise ValueError("no points to draw")
    pts = points.sort_values(["published", "value"]).reset_index(drop=True)
    waves = list(dict.fromkeys(pts["wave"]))
    dates = pts["wave"].map({w: i for i, w in enumerate(waves)})  # equally spaced waves
    group, series = str(pts["group"].iloc[0]), str(pts["series"].iloc[0])
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=dpi)
    try:
        has_ci = pts["low"].notna()
        ax.vlines(
            dates[has_ci], pts.loc[has_ci, "low"], pts.loc[has_ci, "high"], color="#9ecae1", lw=4
        )
        ax.plot(dates, pts["value"], color="#3182bd", lw=1.5)
        for i, row in pts.iterrows():
            marker = "X" if row["conflict"] else "o"
            ax.plot(dates[i], row["value"], marker=marker, color="#08519c", ms=7)
            ax.annotate(
                f"{row['text']} [{i + 1}]", (dates[i], row["value"]), textcoords="offset points",
                xytext=(0, 8), ha="center", fontsize=8,
            )  # fmt: skip
        ax.set_title(f"{series_label(series, lang)} — {group_label(group, lang)}", fontsize=10)
        ax.set_ylabel(_axis_title(str(pts["unit"].iloc[0])), fontsize=8)
        ticks = [f"{w}\n{WAVES[w].published}" for w in waves]
        ax.set_xticks(range(len(waves)), ticks, fontsize=7)
        ax.margins(x=0.12, y=0.25)
        ax.grid(axis="y", color="#eeeeee")
        notes = [
            f"[{i + 1}] {u or ''} ({loc})"
            for i, (u, loc) in enumerate(zip(pts["source_url"], pts["locator"], strict=True))
        ]
        fig.text(0.01, 0.01, "\n".join(notes), fontsize=5.5, va="bottom", ha="left", wrap=True)
        fig.subplots_adjust(bottom=0.18 + 0.035 * len(notes))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    finally:
        plt.close(fig)
    return buffer.getvalue()


# --- private helpers -------------------------------------------------------------------------


def _axis_title(unit: str) -> str:
    return {"percent": "%", "score_0_10": "/10"}.get(unit, "")
