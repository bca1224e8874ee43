"""Distances on the map: the Przystań centres nearest to a resident's location pin."""

from __future__ import annotations

import math

from knowledge.model import Centre

EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest(centres: list[Centre], latitude: float, longitude: float, count: int = 2
            ) -> list[tuple[Centre, float]]:
    """The `count` closest centres with their distance in km, closest first."""
    ranked = sorted(((c, distance_km(latitude, longitude, c.latitude, c.longitude))
                     for c in centres), key=lambda item: item[1])
    return ranked[:count]
