"""Tests of the spatial statistics against direct computations on synthetic grids."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geobaro.stats.spatial import (
    contiguity_weights,
    global_moran,
    join_counts,
    knn_weights,
    local_clusters,
)


def _grid(side: int, *, extra: bool = False) -> gpd.GeoDataFrame:
    """side x side squares of 1 km (EPSG:31370), codes g00, g01 ...; optionally a far island."""
    boxes, codes = [], []
    for row in range(side):
        for col in range(side):
            boxes.append(shapely.box(col * 1000, row * 1000, (col + 1) * 1000, (row + 1) * 1000))
            codes.append(f"g{row}{col}")
    if extra:
        boxes.append(shapely.box(50_000, 50_000, 51_000, 51_000))
        codes.append("island")
    return gpd.GeoDataFrame({"nis_code": codes}, geometry=boxes, crs="EPSG:31370")


def test_queen_neighbours_and_islands() -> None:
    w, islands = contiguity_weights(_grid(4))
    assert islands == ()
    assert len(w.neighbors["g00"]) == 3
    assert len(w.neighbors["g11"]) == 8
    w, islands = contiguity_weights(_grid(4, extra=True))
    assert islands == ("island",)
    assert w.neighbors["island"] == ["g33"]  # joined to the nearest square
    assert "island" in w.neighbors["g33"]
    assert not w.islands


def test_real_communes_have_no_island_and_baarle_hertog_borders_belgium() -> None:
    from geobaro.data.boundaries import load_units

    units = load_units(level="commune", web=True)
    w, islands = contiguity_weights(units)
    assert islands == ()
    assert w.n == 589
    assert set(w.neighbors["13002"]) == {"13014", "13023", "13035", "13040"}


def test_moran_against_the_formula() -> None:
    grid = _grid(6)
    rng = np.random.default_rng(0)
    y = rng.normal(size=len(grid)) + np.repeat(np.arange(6), 6)  # a gradient plus noise
    w = knn_weights(grid, k=4)
    matrix, _ = w.full()
    z = y - y.mean()
    expected = len(y) / matrix.sum() * (z @ matrix @ z) / (z @ z)
    result = global_moran(y, w, permutations=199, seed=1)
    assert result.i == pytest.approx(expected)
    assert result.expected == pytest.approx(-1 / (len(y) - 1))
    assert result.i > 0.3
    assert result.p_value < 0.05
    again = global_moran(y, w, permutations=199, seed=1)
    assert again.p_value == result.p_value
    checker = np.array([(r + c) % 2 for r in range(6) for c in range(6)], dtype=float)
    rook = contiguity_weights(grid)[0]
    rook.transform = "r"
    negative = global_moran(checker, knn_weights(grid, k=4), permutations=199, seed=1)
    assert negative.i < 0
    rook.transform = "b"


def test_local_clusters_find_a_hot_corner() -> None:
    grid = _grid(6)
    y = np.zeros(len(grid))
    hot = [f"g{r}{c}" for r in range(3) for c in range(3)]
    y[grid["nis_code"].isin(hot).to_numpy()] = 10.0
    y += np.random.default_rng(1).normal(scale=0.1, size=len(y))
    local = local_clusters(y, knn_weights(grid, k=4), permutations=499, seed=3)
    assert local.cluster["g00"] == "HH"
    assert local.cluster["g55"] in {"LL", "ns"}  # low is the common value: rarely significant
    assert set(local.cluster) <= {"HH", "LL", "HL", "LH", "ns"}
    w = knn_weights(grid, k=4)
    neighbours = w.neighbors["g00"]
    lag = np.mean([y[grid.index[grid["nis_code"] == n][0]] for n in neighbours])
    assert local.lag["g00"] == pytest.approx(lag)


def test_join_counts_against_direct_count_and_esda() -> None:
    import esda

    grid = _grid(8)
    w, _ = contiguity_weights(grid)
    rng = np.random.default_rng(4)
    flags = (rng.random(len(grid)) < 0.15).astype(float)
    flags[:12] = 1.0  # a clustered band along one edge
    order = {code: i for i, code in enumerate(grid["nis_code"])}
    ids = w.id_order
    y = np.array([flags[order[i]] for i in ids])
    pairs = {tuple(sorted((a, b))) for a in ids for b in w.neighbors[a]}
    bb = sum(1 for a, b in pairs if y[ids.index(a)] == 1 and y[ids.index(b)] == 1)
    result = join_counts(y, w, permutations=999, seed=5)
    assert result.bb == bb
    assert result.joins == len(pairs)
    n, n1 = len(y), y.sum()
    analytic = len(pairs) * n1 * (n1 - 1) / (n * (n - 1))
    assert result.expected_bb == pytest.approx(analytic, rel=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.random.seed(5)  # esda's own loop draws from the global generator
        reference = esda.Join_Counts(y, w, permutations=999)
    assert result.expected_bb == pytest.approx(reference.mean_bb, rel=0.05)
    assert result.p_value == pytest.approx(reference.p_sim_bb, abs=0.01)
    assert result.p_value < 0.05
    scattered = join_counts(np.tile([1.0, 0.0], 32), w, permutations=999, seed=5)
    assert scattered.bb < scattered.expected_bb


def test_knn_k_checked() -> None:
    with pytest.raises(ValueError, match="k must be between 1 and 3"):
        knn_weights(_grid(2), k=4)
