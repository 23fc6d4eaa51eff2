"""Warnings about the shape of the graph a new dependency would make: cycles and layering.

A dependency on a provider that already depends on the consumer (directly or
through others) closes a cycle; one on a provider of a higher layer (see
:data:`catalog.models.capability.LAYERS`, frontends first) breaks the
layering. Both are shown while editing, before saving; contributors cannot
save them, architects and admins can, and the warning is kept with the
change in the history (:func:`catalog.capabilities.update_capability`).
The graph analyses (:mod:`graphs.analysis`) report the same two problems
for the whole catalog; this module asks the database about one consumer.
"""

import sqlalchemy as sa

from catalog.db import db
from catalog.models import Capability, Dependency, Domain
from catalog.models.capability import LAYERS

__all__ = ["dependency_warnings", "depends_on_transitively", "providers_of"]

_RANK = {layer: rank for rank, layer in enumerate(LAYERS)}


def depends_on_transitively(consumer_id: int) -> set[int]:
    """Return the ids of every capability that depends on ``consumer_id``, directly or not."""
    dep = Dependency.__table__
    up = (sa.select(dep.c.consumer_id.label("id")).where(dep.c.provider_id == consumer_id)
          .cte("up", recursive=True))
    up = up.union(sa.select(dep.c.consumer_id).join(up, dep.c.provider_id == up.c.id))
    return set(db.session.scalars(sa.select(up.c.id)))


def providers_of(ids: list[int]) -> set[int]:
    """Return the ids of every capability that ``ids`` depend on, directly or not.

    The walk goes down, towards the platform's foundations, which depend on
    few others: cheaper than walking up a hub's thousands of dependents.
    """
    dep = Dependency.__table__
    down = (sa.select(dep.c.provider_id.label("id")).where(dep.c.consumer_id.in_(ids))
            .cte("down", recursive=True))
    down = down.union(sa.select(dep.c.provider_id).join(down, dep.c.consumer_id == down.c.id))
    return set(db.session.scalars(sa.select(down.c.id)))


def dependency_warnings(consumer: Capability | None, domain: Domain | None,
                        providers: list[Capability]) -> dict[str, list[str]]:
    """Return, per provider slug, why depending on it would tangle the graph.

    Parameters
    ----------
    consumer : Capability or None
        The capability that would depend (None: one being registered, which
        nothing depends on yet, so it closes no cycle).
    domain : Domain or None
        The consumer's domain (its layer); default the consumer's own.
    providers : list of Capability
        The providers it would newly depend on.

    Returns
    -------
    dict
        ``{provider slug: [messages]}`` for the providers with a problem.
    """
    found: dict[str, list[str]] = {}
    domain = domain if domain is not None else (consumer.domain if consumer is not None else None)
    known = consumer is not None and consumer.id is not None
    for provider in providers:
        # A cycle: the consumer is the provider itself's provider, directly or not.
        if known and provider.id is not None and consumer.id in providers_of([provider.id]):
            found.setdefault(provider.slug, []).append(
                f"Depending on {provider.slug!r} closes a cycle: it already depends on "
                f"{consumer.slug!r}, directly or through others.")
        low, high = (_RANK.get(domain.layer) if domain else None), _RANK.get(provider.layer)
        if low is not None and high is not None and low > high:
            found.setdefault(provider.slug, []).append(
                f"Layering break: {domain.layer} must not depend on {provider.layer} "
                f"({provider.slug!r} sits in a higher layer).")
    return found
