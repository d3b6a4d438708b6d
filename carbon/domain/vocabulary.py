"""The service's closed vocabularies, in one place: colours, intensity classes, peer levels,
roles, token scopes and consent scopes.

Each is a ``StrEnum``: a member is its id (``Colour.RED == "red"``), so stored rows, JSON and
query strings keep the plain ids. The order of a tuple below is meaningful (best first for
colours and classes; the peer fallback order for levels). Display labels and their colours
live with the reports (``reports/labels.py``), not here.
"""

from __future__ import annotations

from enum import StrEnum


class Colour(StrEnum):
    """The four colours of the three-dimensional rating, best first."""

    DARK_GREEN = "dark_green"
    LIGHT_GREEN = "light_green"
    YELLOW = "yellow"
    RED = "red"


class IntensityClass(StrEnum):
    """The carbon-efficiency code's intensity classes, lowest intensity first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class PeerLevel(StrEnum):
    """Where a peer group is drawn: industry division, section, everyone; county (regional)."""

    DIVISION = "division"
    SECTION = "section"
    ALL = "all"
    COUNTY = "county"


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    BANK = "bank"
    OFFICIAL = "official"
    ADMIN = "admin"


class Scope(StrEnum):
    """What a token may do."""

    READ = "read"
    WRITE = "write"
    FEEDS = "feeds"
    ADMIN = "admin"


class ConsentScope(StrEnum):
    """What a bank's consent lets it see: the rating only, or the whole account."""

    RATING = "rating"
    ACCOUNT = "account"


COLOURS: tuple[str, ...] = tuple(c.value for c in Colour)
CLASSES: tuple[str, ...] = tuple(c.value for c in IntensityClass)
PEER_LEVELS: tuple[str, ...] = (PeerLevel.DIVISION.value, PeerLevel.SECTION.value, PeerLevel.ALL.value)
BENCHMARK_LEVELS: tuple[str, ...] = tuple(lv.value for lv in PeerLevel)
ROLES: tuple[str, ...] = tuple(r.value for r in Role)
SCOPES: tuple[str, ...] = tuple(s.value for s in Scope)
CONSENT_SCOPES: tuple[str, ...] = tuple(s.value for s in ConsentScope)
