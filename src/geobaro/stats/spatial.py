"""Spatial patterns with PySAL: neighbours, Moran's I and its local clusters, join counts.

Two kinds of neighbours serve two questions. Among the communes that answered (a scattered
subset of about a fifth of the communes) most have no answering commune on their border, so
the answers are compared with the ``k`` nearest answering communes (`knn_weights`, distances
between points inside each commune, in the Belgian Lambert 72 projection). For where the
respondents are, every one of the 589 communes has a response status, and neighbours are the
communes sharing a border or a corner (`contiguity_weights`, queen contiguity). Baarle-Hertog
is one commune of 25 parts: its enclaves in the Netherlands belong to it and its main part
(Zondereigen) borders Hoogstraten, Merksplas, Ravels and Turnhout, so it is no island; a unit
that has no neighbour at all (an island of another boundary set) is joined to its nearest
unit, so that every unit takes part.

Permutation p-values come from esda (seeded, so that a figure is the same on every run; the
global Moran's I draws from numpy's global generator, seeded and restored under a lock), except
the join counts' reference distribution, drawn in one vectorised step (`join_counts`).
"""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "CLUSTER_CODES",
    "PROJECTED_CRS",
    "JoinCounts",
    "LocalClusters",
    "Moran",
    "contiguity_weights",
    "global_moran",
    "join_counts",
    "knn_weights",
    "local_clusters",
]

#: The cluster codes of `local_clusters`, in legend order.
CLUSTER_CODES = ("HH", "LL", "HL", "LH", "ns")
#: Projected CRS of distances (Belgian Lambert 72).
PROJECTED_CRS = "EPSG:31370"
# esda's quadrants: 1 high-high, 2 low-high, 3 low-low, 4 high-low
_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
_SEED_LOCK = threading.Lock()
_CACHE_LOCK = threading.Lock()
_CONTIGUITY_CACHE: OrderedDict[str, tuple[Any, tuple[str, ...]]] = OrderedDict()
_CACHE_SIZE = 8


@dataclass(frozen=True)
class Moran:
    """Global Moran's I of one variable.

    Attributes
    ----------
    i
        Moran's I (0 on average when values are placed at random; positive when neighbours
        are alike).
    expected
        Its expectation under randomness, -1 / (n - 1).
    p_value
        Two-sided pseudo p-value from the permutations.
    permutations
        Number of random reshufflings.
    n
        Number of units.
    """

    i: float
    expected: float
    p_value: float
    permutations: int
    n: int


@dataclass(frozen=True)
class LocalClusters:
    """Local Moran (LISA) clusters.

    Attributes
    ----------
    cluster
        ``HH``, ``LL``, ``HL``, ``LH`` where significant, ``ns`` elsewhere (by unit id).
    p_value
        Each unit's pseudo p-value (one-sided, folded, as esda computes it).
    lag
        The mean value of each unit's neighbours (spatial lag, row-standardised weights).
    alpha
        Significance level used.
    """

    cluster: pd.Series
    p_value: pd.Series
    lag: pd.Series
    alpha: float


@dataclass(frozen=True)
class JoinCounts:
    """Join counts of a binary variable (1 = black, e.g. answered).

    Attributes
    ----------
    bb
        Joins (pairs of neighbours) where both units are 1.
    joins
        All joins.
    expected_bb
        Mean of ``bb`` over the permutations (units shuffled at random).
    p_value
        One-sided pseudo p-value of ``bb`` being this far from its permutation mean.
    permutations
        Number of random reshufflings.
    """

    bb: float
    joins: float
    expected_bb: float
    p_value: float
    permutations: int


def knn_weights(gdf_units: gpd.GeoDataFrame, *, k: int) -> Any:
    """Return row-standardised k-nearest-neighbour weights between units (libpysal ``W``).

    Distances are between points inside each unit (``representative_point``) in
    `PROJECTED_CRS`. Ids are the units' ``nis_code``.

    Parameters
    ----------
    gdf_units
        Units with ``nis_code`` and geometry (any CRS).
    k
        Neighbours per unit, 1 <= k < number of units.

    Returns
    -------
    libpysal.weights.W
    """
    from libpysal.weights import KNN

    if not 1 <= k < len(gdf_units):
        raise ValueError(f"k must be between 1 and {len(gdf_units) - 1}, got {k}")
    points = _points(gdf_units)
    ids = gdf_units["nis_code"].astype(str).tolist()
    w = KNN(points, k=k, ids=ids)
    w.transform = "r"
    return w


def contiguity_weights(gdf_units: gpd.GeoDataFrame) -> tuple[Any, tuple[str, ...]]:
    """Return binary queen-contiguity weights, islands joined to their nearest unit.

    Parameters
    ----------
    gdf_units
        Units with ``nis_code`` and polygon geometry (topologically clean: the web geometry
        shares its borders).

    Returns
    -------
    tuple
        The libpysal ``W`` (ids: ``nis_code``) and the codes of the units that had no
        neighbour and were joined to their nearest one. Cached by geometry.
    """
    key = _geometry_key(gdf_units)
    with _CACHE_LOCK:
        if key in _CONTIGUITY_CACHE:
            _CONTIGUITY_CACHE.move_to_end(key)
            return _CONTIGUITY_CACHE[key]
    from libpysal.weights import KNN, Queen
    from libpysal.weights.util import attach_islands

    ids = gdf_units["nis_code"].astype(str).tolist()
    with warnings.catch_warnings():
        # libpysal warns about islands and disconnected components: handled below
        warnings.simplefilter("ignore", UserWarning)
        w = Queen.from_dataframe(gdf_units, ids=ids, use_index=False)
        islands = tuple(str(i) for i in w.islands)
        if islands:
            nearest = KNN(_points(gdf_units), k=1, ids=ids)
            w = attach_islands(w, nearest)
    w.transform = "b"
    result = (w, islands)
    with _CACHE_LOCK:
        _CONTIGUITY_CACHE[key] = result
        while len(_CONTIGUITY_CACHE) > _CACHE_SIZE:
            _CONTIGUITY_CACHE.popitem(last=False)
    return result


def global_moran(values: ArrayLike, w: Any, *, permutations: int = 999, seed: int = 2017) -> Moran:
    """Return global Moran's I with a permutation p-value (esda).

    Parameters
    ----------
    values
        One value per unit, in the order of ``w.id_order``.
    w
        Spatial weights (row-standardised).
    permutations, seed
        Random reshufflings and the seed that makes them reproducible.

    Returns
    -------
    Moran
    """
    import esda

    y = np.asarray(values, dtype=float)
    with _seeded(seed):
        result = esda.Moran(y, w, transformation="r", permutations=permutations)
    return Moran(
        i=float(result.I),
        expected=float(result.EI),
        p_value=float(min(1.0, 2 * result.p_sim)),
        permutations=permutations,
        n=int(y.size),
    )


def local_clusters(
    values: ArrayLike,
    w: Any,
    *,
    permutations: int = 999,
    seed: int = 2017,
    alpha: float = 0.05,
) -> LocalClusters:
    """Return local Moran (LISA) cluster codes with permutation p-values (esda).

    Parameters
    ----------
    values
        One value per unit, in the order of ``w.id_order``.
    w
        Spatial weights (row-standardised).
    permutations, seed
        Conditional random reshufflings per unit and their seed.
    alpha
        Units with a pseudo p-value of ``alpha`` or more are ``ns``.

    Returns
    -------
    LocalClusters
    """
    import esda

    y = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        # esda announces a two-sided default for a later release; this keeps GeoDa's folded
        # (directed) pseudo p-value, the one LISA maps are read with
        warnings.filterwarnings(
            "ignore", message=".*alternative hypothesis", category=DeprecationWarning
        )
        result = esda.Moran_Local(
            y, w, transformation="r", permutations=permutations, seed=seed, keep_simulations=False
        )
    index = pd.Index([str(i) for i in w.id_order], name="nis_code")
    quadrant = pd.Series(np.asarray(result.q), index=index).map(_QUADRANTS)
    p_value = pd.Series(np.asarray(result.p_sim, dtype=float), index=index)
    cluster = quadrant.where(p_value < alpha, "ns").astype(str)
    sparse = w.sparse
    lag = pd.Series(np.asarray(sparse @ y).ravel(), index=index)
    return LocalClusters(cluster=cluster, p_value=p_value, lag=lag, alpha=alpha)


def join_counts(
    flags: ArrayLike, w: Any, *, permutations: int = 999, seed: int = 2017
) -> JoinCounts:
    """Return join counts of a 0/1 variable with a permutation p-value.

    The observed counts are esda's (``Join_Counts``); the reference distribution shuffles
    the flags over the units ``permutations`` times, all at once as one sparse product
    (esda's own loop takes about a second for the 589 communes; the test suite checks the two
    agree).

    Parameters
    ----------
    flags
        1 for the units of interest (answered), 0 elsewhere, in the order of ``w.id_order``.
    w
        Binary contiguity weights (`contiguity_weights`).
    permutations, seed
        Random reshufflings and their seed.

    Returns
    -------
    JoinCounts
    """
    import esda

    y = np.asarray(flags, dtype=float)
    with warnings.catch_warnings():
        # esda 2.9 calls DataFrame.set_index(inplace=True), deprecated in pandas 3.1
        warnings.filterwarnings("ignore", message=".*inplace keyword")
        observed = esda.Join_Counts(y, w, permutations=0)
    sparse = w.sparse.tocsr()
    rng = np.random.default_rng(seed)
    shuffled = rng.permuted(np.tile(y, (permutations, 1)), axis=1).T
    simulated = 0.5 * np.asarray((shuffled * (sparse @ shuffled)).sum(axis=0)).ravel()
    bb = float(observed.bb)
    larger = int((simulated >= bb).sum())
    larger = min(larger, permutations - larger)
    return JoinCounts(
        bb=bb,
        joins=float(observed.J),
        expected_bb=float(simulated.mean()),
        p_value=(larger + 1.0) / (permutations + 1.0),
        permutations=permutations,
    )


# --- helpers ---------------------------------------------------------------------------------


def _points(gdf_units: gpd.GeoDataFrame) -> np.ndarray:
    gdf = gdf_units if gdf_units.crs is None else gdf_units.to_crs(PROJECTED_CRS)
    points = shapely.point_on_surface(np.asarray(gdf.geometry.values))
    return np.column_stack([shapely.get_x(points), shapely.get_y(points)])


def _geometry_key(gdf_units: gpd.GeoDataFrame) -> str:
    digest = hashlib.sha256()
    digest.update("\n".join(gdf_units["nis_code"].astype(str)).encode())
    for blob in shapely.to_wkb(np.asarray(gdf_units.geometry.values)):
        digest.update(blob)
    return digest.hexdigest()


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed numpy's global generator for esda's permutations, then restore it."""
    with _SEED_LOCK:
        state = np.random.get_state()
        np.random.seed(seed)  # esda draws from the global generator
        try:
            yield
        finally:
            np.random.set_state(state)
