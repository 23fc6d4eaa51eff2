"""The catalog as it was at a past moment, read from the versions history keeps.

Every write leaves a version of the entity it changed, valid from that
moment until the next write (:mod:`catalog.history`), so the state of the
whole catalog at a moment ``T`` is one query: the versions whose interval
holds ``T``. :class:`CatalogState` holds those snapshots; the graph of a past
date (:func:`graphs.build.build_graph_as_of`) and the reuse history of a
past date are built from it exactly as the live ones are built from the
live tables, so an answer ``as_of`` a moment equals what the live API
answered then.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from catalog import history
from catalog.db import db, transaction
from catalog.errors import NotFound
from catalog.metrics import ReuseHistory
from catalog.models import Adoption, Api, Business, Capability, Change, Domain, Team, Version
from catalog.models.history import VERSIONED_KINDS
from catalog.snapshots import (
    adoption_snapshot,
    business_snapshot,
    capability_snapshot,
    domain_snapshot,
    team_snapshot,
)

__all__ = ["CatalogState", "active_on", "capability_at", "current_snapshot", "first_record",
           "record_baseline", "state_at"]

PLURALS = {"team": "teams", "domain": "domains", "business": "businesses",
           "capability": "capabilities"}


@dataclass
class CatalogState:
    """The snapshots of every team, domain, business, capability and adoption at a moment.

    Attributes
    ----------
    moment : datetime
        The moment (naive UTC).
    revision : int
        The catalog revision at that moment (0 before the first write).
    teams, domains, businesses, capabilities : dict
        ``{slug: snapshot}`` of those that existed then.
    adoptions : list of dict
        The adoptions recorded by then (ended ones included), by id.
    """

    moment: dt.datetime
    revision: int = 0
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    businesses: dict[str, dict[str, Any]] = field(default_factory=dict)
    capabilities: dict[str, dict[str, Any]] = field(default_factory=dict)
    adoptions: list[dict[str, Any]] = field(default_factory=list)

    def reuse_history(self) -> ReuseHistory:
        """Return the dated facts reuse over time is computed from, as of this moment."""
        return ReuseHistory(
            capabilities=[(slug, doc["lifecycle"], _date(doc["launched_on"]))
                          for slug, doc in sorted(self.capabilities.items())],
            businesses=sorted(self.businesses),
            dependencies=[(slug, dep["provider"], _date(dep["since"]))
                          for slug, doc in self.capabilities.items()
                          for dep in doc["dependencies"]],
            adoptions=[(doc["business"], doc["capability"], _date(doc["since"]),
                        _date(doc["until"])) for doc in self.adoptions],
        )


def state_at(moment: dt.datetime, kinds: Iterable[str] = VERSIONED_KINDS) -> CatalogState:
    """Return the catalog as it stood at ``moment`` (naive UTC).

    Parameters
    ----------
    moment : datetime
        Any moment; before the first record the catalog is empty.
    kinds : iterable of str
        The kinds of entity to read (default: all of them).

    Returns
    -------
    CatalogState
    """
    table = Version.__table__
    state = CatalogState(moment=moment, revision=revision_at(moment))
    rows = db.session.execute(
        sa.select(table.c.kind, table.c.key, table.c.data)
        .where(table.c.kind.in_(list(kinds)), table.c.valid_from <= moment,
               sa.or_(table.c.valid_to.is_(None), table.c.valid_to > moment))
    )
    for kind, key, data in rows:
        if kind == "adoption":
            state.adoptions.append(data)
        else:
            getattr(state, PLURALS[kind])[key] = data
    state.adoptions.sort(key=lambda doc: doc["id"])
    return state


def capability_at(slug: str, moment: dt.datetime) -> tuple[dict[str, Any], str]:
    """Return a capability's snapshot at ``moment`` and its domain's layer then.

    Raises
    ------
    NotFound
        The capability did not exist at that moment.
    """
    doc = _version_at("capability", slug, moment)
    if doc is None:
        raise NotFound(f"No capability had the slug {slug!r} on {moment:%Y-%m-%d %H:%M} UTC.")
    return doc, (_version_at("domain", doc["domain"], moment) or {}).get("layer")


def _version_at(kind: str, key: str, moment: dt.datetime) -> dict[str, Any] | None:
    """Return the snapshot of one entity at ``moment`` (one indexed row), or None."""
    table = Version.__table__
    return db.session.scalar(sa.select(table.c.data).where(
        table.c.kind == kind, table.c.key == key, table.c.valid_from <= moment,
        sa.or_(table.c.valid_to.is_(None), table.c.valid_to > moment)))


def current_snapshot(slug: str) -> tuple[dict[str, Any], str] | None:
    """Return a capability's snapshot now and its domain's layer, from its open version.

    The same document :func:`capability_at` reads for a past moment, found by
    one indexed lookup (``kind, key, valid_to``): the read path of one
    capability by name. None when it has no open version (unknown slug, or a
    catalog written before history was kept and not yet given its baseline).
    """
    found = db.session.execute(_OPEN_VERSION, {"slug": slug}).first()
    return None if found is None else (found[0], found[1])


_VERSION = Version.__table__.c
#: The statement of :func:`current_snapshot`, built once (it answers every read by name):
#: the open version and its domain's layer.
_OPEN_VERSION = sa.select(
    _VERSION.data,
    sa.select(Domain.layer).where(Domain.slug == _VERSION.data["domain"].as_string())
    .scalar_subquery(),
).where(_VERSION.kind == "capability", _VERSION.key == sa.bindparam("slug"),
        _VERSION.valid_to.is_(None))


def revision_at(moment: dt.datetime) -> int:
    """Return the catalog revision at ``moment``: the one the last change before it left."""
    return db.session.scalar(
        sa.select(sa.func.max(Change.revision)).where(Change.at <= moment)) or 0


def first_record() -> dt.datetime | None:
    """Return when history starts (the first change), or None for an empty history."""
    return db.session.scalar(sa.select(sa.func.min(Change.at)))


def active_on(adoption: dict[str, Any], day: dt.date) -> bool:
    """Return True when an adoption snapshot was in use on ``day`` (not ended by then).

    >>> active_on({"until": "2025-01-01"}, dt.date(2024, 12, 31))
    True
    >>> active_on({"until": "2025-01-01"}, dt.date(2025, 1, 1))
    False
    """
    return adoption["until"] is None or _date(adoption["until"]) > day


def record_baseline() -> int:
    """Give every entity that has no version yet its first one; return how many got one.

    A catalog written before history was kept (or rows a migration added)
    starts its history now, with a ``baseline`` change each: time travel
    reaches back to this moment, not before. Run by ``flask init-db``.
    """
    snapshots = {
        "team": (Team, team_snapshot), "domain": (Domain, domain_snapshot),
        "business": (Business, business_snapshot),
        "capability": (Capability, capability_snapshot),
    }
    kept = {(kind, key) for kind, key in db.session.execute(
        sa.select(Version.kind, Version.key).where(Version.valid_to.is_(None)))}
    entries = [
        history.Entry(kind, row.slug, snapshot(row), action="baseline")
        for kind, (model, snapshot) in snapshots.items()
        for row in db.session.scalars(sa.select(model).order_by(model.slug))
        if (kind, row.slug) not in kept
    ]
    entries += [history.Entry("adoption", str(row.id), adoption_snapshot(row), action="baseline")
                for row in db.session.scalars(sa.select(Adoption).order_by(Adoption.id))
                if ("adoption", str(row.id)) not in kept]
    if entries:
        with transaction():
            for row in db.session.scalars(sa.select(Api)):
                history.keep_spec(row.spec)
            history.record_many(None, entries)
    return len(entries)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
