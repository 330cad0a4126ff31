"""Data files of the static site: one shared geometry, small value tables, downloads.

The geometry of every level the site draws is one TopoJSON topology (one object per level,
shared arcs, one quantisation), written twice: ``assets/geometry.js`` (assigns a global, so
pages opened from ``file://`` can load it with ``<script src>``, where ``fetch`` is refused)
and ``data/geometry.topojson`` (the download). Each map's values (label, count, style per
unit, the legend, the title) are a small ``data/values/<stem>.js`` file.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geobaro._io import atomic_write
from geobaro._units import NAME_COLUMNS

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "GEOMETRY_DOWNLOAD",
    "GEOMETRY_SCRIPT",
    "LAYER_SCRIPT",
    "MapData",
    "SiteData",
    "build_site_topology",
    "frame_document",
    "layer_script",
    "map_data",
    "write_table_files",
]

#: Where the shared geometry is written, relative to the site folder.
GEOMETRY_SCRIPT = "assets/geometry.js"
GEOMETRY_DOWNLOAD = "data/geometry.topojson"
#: Properties of the units kept in the geometry download (plain text, every language).
_UNIT_COLUMNS = ("nis_code", *NAME_COLUMNS, "region")
_QUANTUM = 1e-5
#: The layer's script, a resource of `geobaro.maps`, copied into ``assets/``.
LAYER_SCRIPT = "choropleth.js"
#: Parts of a layer's configuration that differ between maps of one frame.
_PER_MAP = ("topology", "styles", "title", "legend")


@dataclass(frozen=True)
class MapData:
    """What one map shows per unit, taken from the map the views built.

    Attributes
    ----------
    codes, labels, counts, style_ids
        Per drawn unit, in the map's order: code, value text, respondents, style index.
    names
        Per drawn unit: display name and region name (HTML-escaped, the site's language).
    styles
        Leaflet path styles referenced by ``style_ids``.
    title, legend
        The map's own title and in-map legend (HTML-escaped text / HTML).
    """

    codes: tuple[str, ...]
    labels: tuple[str, ...]
    counts: tuple[int | None, ...]
    style_ids: tuple[int, ...]
    names: dict[str, tuple[str, str]]
    styles: list[dict[str, Any]]
    title: str
    legend: str

    def to_json(self, *, level: str) -> dict[str, Any]:
        """Return the map's entry of a values file (the geometry is referenced by level)."""
        return {
            "level": level,
            "codes": list(self.codes),
            "label": list(self.labels),
            "n": list(self.counts),
            "s": list(self.style_ids),
            "styles": self.styles,
            "title": self.title,
            "legend": self.legend,
        }


@dataclass
class SiteData:
    """The data files of one export: units per level, display names, what was written."""

    out_dir: Path
    units: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    names: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)

    def use_units(self, level: str, gdf_units: gpd.GeoDataFrame) -> None:
        """Remember the units of a level (the geometry file holds every level used)."""
        self.units.setdefault(level, gdf_units)

    def write_values(self, stem: str, entries: dict[str, dict[str, Any]]) -> str:
        """Write ``data/values/<stem>.js`` registering ``entries`` (key -> map or page data).

        Returns
        -------
        str
            The file's path relative to the site folder.
        """
        path = f"data/values/{stem}.js"
        lines = [f"GEOBARO.add({_js(key)}, {_js(entry)});" for key, entry in entries.items()]
        _write_text(self.out_dir / path, "\n".join(lines) + "\n")
        self.written.append(path)
        return path

    def add_names(self, level: str, data: MapData) -> None:
        """Keep the display names of the units a map draws (one table per level)."""
        self.names.setdefault(level, {}).update(data.names)

    def write_geometry(self) -> tuple[str, str]:
        """Write the shared geometry script and its TopoJSON download; return both paths."""
        topology = build_site_topology(self.units)
        labels = {
            level: {code: list(pair) for code, pair in names.items()}
            for level, names in self.names.items()
        }
        script = f"GEOBARO.setGeometry({_js(topology)}, {_js(labels)});\n"
        _write_text(self.out_dir / GEOMETRY_SCRIPT, script)
        text = json.dumps(topology, ensure_ascii=False, separators=(",", ":"))
        _write_text(self.out_dir / GEOMETRY_DOWNLOAD, text)
        return GEOMETRY_SCRIPT, GEOMETRY_DOWNLOAD


def build_site_topology(units: dict[str, gpd.GeoDataFrame]) -> dict[str, Any]:
    """Return one TopoJSON topology with an object per level (EPSG:4326, 1e-5 degree grid).

    Each level's topology comes from `geobaro.maps.choropleth.build_topology` (the maps'
    own), so the site draws exactly the app's shapes; the levels' arcs are put end to end
    and shifted onto one common origin.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"nis_code": ["a", "b"]}, crs=4326,
    ...     geometry=[shapely.box(4, 50, 4.1, 50.1), shapely.box(4.1, 50, 4.2, 50.1)])
    >>> topo = build_site_topology({"commune": g, "region": g.dissolve()})
    >>> sorted(topo["objects"]), len(topo["objects"]["commune"]["geometries"])
    (['commune', 'region'], 2)
    """
    from geobaro.maps.choropleth import _drawable
    from geobaro.maps.topology import build_topology

    parts = {}
    for level, gdf in units.items():
        drawable = gdf.loc[_drawable(gdf)]
        parts[level] = (drawable, build_topology(drawable))
    origins = [topo["transform"]["translate"] for _, topo in parts.values()] or [[0.0, 0.0]]
    tx = min(float(o[0]) for o in origins)
    ty = min(float(o[1]) for o in origins)
    arcs: list[list[list[int]]] = []
    objects: dict[str, Any] = {}
    for level, (gdf, topo) in parts.items():
        offset = len(arcs)
        dx = round((float(topo["transform"]["translate"][0]) - tx) / _QUANTUM)
        dy = round((float(topo["transform"]["translate"][1]) - ty) / _QUANTUM)
        for arc in topo["arcs"]:
            moved = [list(map(int, p)) for p in arc]
            moved[0] = [moved[0][0] + dx, moved[0][1] + dy]  # delta-encoded: the first is absolute
            arcs.append(moved)
        records = _unit_records(gdf)
        objects[level] = {
            "type": "GeometryCollection",
            "geometries": [
                {"type": g["type"], "arcs": _shift(g["arcs"], offset), "properties": props}
                for g, props in zip(topo["objects"]["units"]["geometries"], records, strict=True)
            ],
        }
    return {
        "type": "Topology",
        "transform": {"scale": [_QUANTUM, _QUANTUM], "translate": [tx, ty]},
        "objects": objects,
        "arcs": arcs,
    }


def map_data(fmap: folium.Map) -> MapData:
    """Return what a map from `geobaro.maps.build_choropleth` draws per unit.

    Raises
    ------
    ValueError
        If the map has no geobaro choropleth layer.
    """
    config = json.loads(_choropleth_layer(fmap).config_json)
    props = [g["properties"] for g in config["topology"]["objects"]["units"]["geometries"]]
    codes = tuple(html.unescape(str(p["nis_code"])) for p in props)
    return MapData(
        codes=codes,
        labels=tuple(str(p["label"]) for p in props),
        counts=tuple(None if p.get("n") is None else int(p["n"]) for p in props),
        style_ids=tuple(int(p["s"]) for p in props),
        names={c: (str(p["name"]), str(p["region"])) for c, p in zip(codes, props, strict=True)},
        styles=config["styles"],
        title=config["title"],
        legend=config["legend"],
    )


def frame_document(fmap: folium.Map, *, key: str, assets: str) -> str:
    """Return the map as a small document drawing ``key``'s values on the shared geometry.

    The map is the views' own (same Leaflet layer, tooltips, controls, notice, attribution);
    only the layer's per-map data (topology, styles, title, legend) are swapped for a call
    into the page's ``GEOBARO`` registry (``assets/site.js``), and Leaflet and the layer's
    script are linked from ``assets`` instead of inlined.
    """
    import copy

    from branca.element import Element

    from geobaro.maps.assets import apply_assets

    frame = copy.deepcopy(fmap)
    apply_assets(frame, "served", prefix=assets)
    layer = _choropleth_layer(frame)
    config = json.loads(layer.config_json)
    fixed = {k: v for k, v in config.items() if k not in _PER_MAP}
    layer.config_json = (
        f"Object.assign({_js(fixed)}, JSON.parse(parent.GEOBARO.config({_js(key)})))"
    )
    layer.script = ""  # the shared assets/choropleth.js
    root: Any = frame.get_root()
    root.header.add_child(
        Element(f'<script src="{html.escape(assets)}/{LAYER_SCRIPT}"></script>'),
        name="geobaro_layer",
    )
    page: str = root.render()
    return page


def layer_script() -> str:
    """Return the maps' layer script (``geobaro/maps/choropleth.js``), shared by the site."""
    from importlib import resources

    return resources.files("geobaro.maps").joinpath(LAYER_SCRIPT).read_text(encoding="utf-8")


def write_table_files(
    out_dir: Path, stem: str, table: pd.DataFrame, values: pd.DataFrame, *, status: str
) -> tuple[str, str]:
    """Write the page's table (CSV for spreadsheets) and its values (JSON records).

    Rows carry ``data_status`` (``illustrative`` for the sample), so the files say what they
    are wherever they end up. Both join the geometry download on ``nis_code``.
    """
    from geobaro.export.files import _plain_json, export_csv

    csv_path = f"data/{stem}.csv"
    json_path = f"data/{stem}.json"
    plain = table.copy()
    for column in plain.columns:
        if plain[column].dtype == object:
            # the view's table is escaped for HTML; a CSV holds the plain text
            plain[column] = plain[column].map(
                lambda v: html.unescape(v) if isinstance(v, str) else v
            )
    plain["data_status"] = status
    (out_dir / csv_path).write_bytes(export_csv(plain))
    records = values.assign(data_status=status)
    records["nis_code"] = records["nis_code"].astype(str)
    rows = _plain_json(records.astype(object).where(records.notna(), None).to_dict("records"))
    _write_text(out_dir / json_path, json.dumps(rows, ensure_ascii=False, indent=0))
    return csv_path, json_path


# --- private helpers -------------------------------------------------------------------------


def _choropleth_layer(fmap: folium.Map) -> Any:
    for child in fmap._children.values():
        if hasattr(child, "config_json") and hasattr(child, "script"):
            return child
    raise ValueError("the map has no geobaro choropleth layer (see geobaro.maps.build_choropleth)")


def _unit_records(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    keep = [c for c in _UNIT_COLUMNS if c in gdf.columns]
    frame = pd.DataFrame(gdf[keep]).astype(object)
    frame["nis_code"] = frame["nis_code"].astype(str)
    records: list[dict[str, Any]] = frame.where(frame.notna(), None).to_dict("records")
    return records


def _shift(arcs: Any, offset: int) -> Any:
    """Arc indices moved by ``offset`` (``~i`` is arc ``i`` reversed)."""
    if isinstance(arcs, list):
        return [_shift(a, offset) for a in arcs]
    index = int(arcs)
    return index + offset if index >= 0 else ~(~index + offset)


def _js(data: Any) -> str:
    from geobaro.maps.choropleth import _json_for_script

    return _json_for_script(data)


def _write_text(path: Path, text: str) -> None:
    atomic_write(path, text)
