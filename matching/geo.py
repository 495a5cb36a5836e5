"""Danish postcodes with coordinates, offline, and distances between them.

The postcode table comes from the ``countrystatecity-postal-codes`` package, which ships the
data inside the wheel: nothing is fetched at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    postcode: str
    name: str
    lat: float
    lon: float


@lru_cache(maxsize=1)
def danish_postcodes() -> dict[str, Place]:
    """Every Danish postcode that has coordinates, keyed by its four digits."""
    from countrystatecity_postal_codes import get_postcodes_of_country

    places: dict[str, Place] = {}
    for pc in get_postcodes_of_country("DK"):
        if pc.latitude is None or pc.longitude is None:
            continue
        # Some postcodes appear once per locality; the first is the main town.
        places.setdefault(pc.code, Place(pc.code, pc.localityName, float(pc.latitude), float(pc.longitude)))
    return places


def lookup_postcode(code: str) -> Place | None:
    """The place of a Danish postcode, or None when it is not a real one."""
    return danish_postcodes().get((code or "").strip())


def haversine_km(lat1, lon1, lat2, lon2):  # noqa: ANN001, ANN201 - numpy broadcasting
    """Great-circle distance in km; broadcasts over numpy arrays."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def planar_km(lat1, lon1, lat2, lon2):  # noqa: ANN001, ANN201 - numpy broadcasting
    """Distance in km on a local flat map (equirectangular, scaled at the first point's latitude).

    Within Denmark and at the distances programs allow (< 100 km) it is within 0.5 % of the
    great-circle distance, and about five times cheaper: the pool computes it for every pair.
    """
    lat1r, lat2r = np.radians(lat1), np.radians(lat2)
    x = np.radians(np.asarray(lon2) - np.asarray(lon1)) * np.cos(lat1r)
    y = lat2r - lat1r
    return EARTH_RADIUS_KM * np.sqrt(x * x + y * y)
