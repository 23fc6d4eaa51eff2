"""Figures for the home page: what the catalog holds, at a glance."""

from typing import Any

import sqlalchemy as sa

from catalog.db import db
from catalog.models import Adoption, Business, Capability, Dependency, Domain, Team
from catalog.models.capability import LAYERS


def catalog_counts() -> dict[str, int]:
    """Return headline counts: capabilities, in production, businesses, teams, links."""
    def count(select):
        return db.session.scalar(select) or 0

    return {
        "capabilities": count(sa.select(sa.func.count(Capability.id))),
        "production": count(sa.select(sa.func.count(Capability.id))
                            .where(Capability.lifecycle == "production")),
        "businesses": count(sa.select(sa.func.count(Business.id))),
        "teams": count(sa.select(sa.func.count(Team.id))),
        "dependencies": count(sa.select(sa.func.count(Dependency.id))),
        "adoptions": count(sa.select(sa.func.count(Adoption.id)).where(Adoption.active)),
    }


def capability_map() -> list[dict[str, Any]]:
    """Return layers in order, each with its domains and their capability counts."""
    rows = db.session.execute(
        sa.select(Domain, sa.func.count(Capability.id))
        .outerjoin(Capability, Capability.domain_id == Domain.id)
        .group_by(Domain.id).order_by(Domain.name)
    )
    layers: dict[str, list[dict[str, Any]]] = {layer: [] for layer in LAYERS}
    for domain, count in rows:
        layers.setdefault(domain.layer, []).append({"domain": domain, "count": count})
    return [{"layer": layer, "domains": domains} for layer, domains in layers.items() if domains]
