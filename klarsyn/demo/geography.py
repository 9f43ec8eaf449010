"""Where Nordhem sells: countries, regions, stores, delivery partners and customers' languages.

Weights are shares of customers. Regions without a store are served by the web shop only.
Delivery partners are fictional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Region:
    """One region of a country, its share of the country's customers and its stores."""

    country: str
    name: str
    weight: float
    stores: tuple[str, ...]


COUNTRIES: tuple[str, ...] = ("SE", "DK", "NO")
COUNTRY_WEIGHTS: tuple[float, ...] = (0.52, 0.24, 0.24)

TIME_ZONES: Mapping[str, str] = MappingProxyType(
    {"SE": "Europe/Stockholm", "DK": "Europe/Copenhagen", "NO": "Europe/Oslo"}
)

REGIONS: tuple[Region, ...] = (
    Region("SE", "Stockholm", 0.30, ("Stockholm Drottninggatan", "Mall of Scandinavia", "Täby")),
    Region("SE", "Västra Götaland", 0.18, ("Göteborg Nordstan", "Borås Knalleland")),
    Region("SE", "Skåne", 0.15, ("Malmö Emporia", "Lund Nova")),
    Region("SE", "Uppsala", 0.06, ("Uppsala Forum",)),
    Region("SE", "Östergötland", 0.06, ("Linköping Tornby",)),
    Region("SE", "Halland", 0.05, ("Halmstad Hallarna",)),
    Region("SE", "Jönköping", 0.05, ("Jönköping A6",)),
    Region("SE", "Värmland", 0.04, ("Karlstad Bergvik",)),
    Region("SE", "Västerbotten", 0.04, ()),
    Region("SE", "Norrbotten", 0.03, ()),
    Region("SE", "Dalarna", 0.04, ()),
    Region("DK", "Hovedstaden", 0.34, ("København Strøget", "Fields", "Lyngby Storcenter")),
    Region("DK", "Midtjylland", 0.23, ("Aarhus Bruuns Galleri", "Herning")),
    Region("DK", "Syddanmark", 0.21, ("Odense Rosengårdcentret", "Kolding Storcenter")),
    Region("DK", "Sjælland", 0.14, ("Roskilde Ro's Torv",)),
    Region("DK", "Nordjylland", 0.08, ("Aalborg Storcenter",)),
    Region("NO", "Oslo", 0.24, ("Oslo Karl Johan", "Oslo Storo")),
    Region("NO", "Akershus", 0.20, ("Sandvika Storsenter", "Lillestrøm Strømmen")),
    Region("NO", "Vestland", 0.17, ("Bergen Lagunen",)),
    Region("NO", "Rogaland", 0.14, ("Stavanger Kvadrat",)),
    Region("NO", "Trøndelag", 0.13, ("Trondheim City Syd",)),
    Region("NO", "Agder", 0.07, ("Kristiansand Sørlandssenteret",)),
    Region("NO", "Innlandet", 0.05, ()),
)

REGION_NAMES: tuple[str, ...] = tuple(region.name for region in REGIONS)
STORES: tuple[str, ...] = tuple(store for region in REGIONS for store in region.stores)
STORE_REGION: tuple[int, ...] = tuple(
    index for index, region in enumerate(REGIONS) for _ in region.stores
)

PARTNERS: tuple[str, ...] = ("Nordfrakt", "Budgo", "Hemlev", "PakkeXpress", "Fjordpost")
PARTNER_WEIGHTS: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "SE": (0.42, 0.38, 0.20, 0.0, 0.0),
        "DK": (0.50, 0.15, 0.0, 0.35, 0.0),
        "NO": (0.45, 0.15, 0.0, 0.0, 0.40),
    }
)
"""Share of a country's web deliveries per partner, in the order of :data:`PARTNERS`."""

LANGUAGES: tuple[str, ...] = ("sv", "da", "nb", "en", "fi")
LANGUAGE_WEIGHTS: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "SE": (0.86, 0.0, 0.0, 0.05, 0.09),
        "DK": (0.0, 0.86, 0.0, 0.14, 0.0),
        "NO": (0.0, 0.0, 0.86, 0.14, 0.0),
    }
)
"""The language a customer writes in, by country, in the order of :data:`LANGUAGES`."""

MEMBERSHIP_FEE: Mapping[str, str] = MappingProxyType({"SE": "79 kr", "DK": "59 kr", "NO": "79 kr"})
"""The monthly fee of the campaign's membership, as customers in each country saw it."""
