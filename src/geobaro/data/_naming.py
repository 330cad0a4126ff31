"""One home for the hierarchy and naming rules of units: codes up the tree, merged-unit names."""

from __future__ import annotations

import pandas as pd

from geobaro._units import province_of_arrondissement, unit_names

__all__ = [
    "arrondissement_of_codes",
    "merged_unit_names",
    "province_of_codes",
    "unit_names",
]


def arrondissement_of_codes(codes: pd.Series) -> pd.Series:
    """Return the arrondissement of commune codes by the REFNIS convention (first two digits).

    It holds for every vintage's own codes (the 2019 Hainaut recodes moved communes to the
    arrondissement their new code names); missing codes stay missing.

    Examples
    --------
    >>> arrondissement_of_codes(pd.Series(["58001", "21004", None])).tolist()
    ['58000', '21000', nan]
    """
    text = codes.astype("object")
    return text.map(lambda c: f"{c[:2]}000" if isinstance(c, str) and len(c) == 5 else c)


def province_of_codes(arrondissements: pd.Series) -> pd.Series:
    """Return the province of arrondissement codes (Brussels-Capital as its own unit).

    Examples
    --------
    >>> province_of_codes(pd.Series(["24000", "21000"])).tolist()
    ['20001', '04000']
    """
    return arrondissements.map(
        lambda a: province_of_arrondissement(a) if isinstance(a, str) else pd.NA
    )


def merged_unit_names(mergers: pd.DataFrame, *, vintage: str) -> dict[str, str]:
    """Return code -> name of the units that are mergers of several 2018 communes in a vintage.

    A unit merged in 2019 still exists, under its merged name, in 2025 unless merged again
    (then the later name wins). Recodes (same territory, new code) are not mergers.

    Examples
    --------
    >>> from geobaro.data.refnis import mergers_frame
    >>> names = merged_unit_names(mergers_frame(), vintage="2025")
    >>> names["12041"], names["46030"], "58001" in names
    ('Puurs-Sint-Amands', 'Beveren-Kruibeke-Zwijndrecht', False)
    >>> merged_unit_names(mergers_frame(), vintage="2018")
    {}
    """
    year = mergers["effective_date"].astype(str).str[:4]
    rows = mergers[year.le(vintage) & mergers["change"].eq("merger")].sort_values(
        "effective_date", kind="stable"
    )
    return {str(k): str(v) for k, v in zip(rows["new_nis"], rows["new_name"], strict=True)}
