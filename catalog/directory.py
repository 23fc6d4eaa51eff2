"""Teams, businesses and domains: the pages around capabilities."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from catalog.browse import text_matches
from catalog.db import db, scalar_or_not_found
from catalog.models import Adoption, Business, Capability, Domain, Team
from catalog.models.capability import LAYERS


def all_domains() -> list[Domain]:
    """Return every domain, ordered by layer then name."""
    domains = db.session.scalars(sa.select(Domain).order_by(Domain.name))
    return sorted(domains, key=lambda d: (LAYERS.index(d.layer) if d.layer in LAYERS else 99, d.name))


def all_teams() -> list[Team]:
    """Return every team ordered by name."""
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def all_businesses() -> list[Business]:
    """Return every business ordered by name."""
    return list(db.session.scalars(sa.select(Business).order_by(Business.name)))


def get_team(slug: str) -> Team:
    """Return the team with ``slug`` and its members; raise NotFound."""
    return scalar_or_not_found(
        sa.select(Team).where(Team.slug == slug).options(selectinload(Team.members)),
        f"No team has the slug {slug!r}.")


def get_domain(slug: str) -> Domain:
    """Return the domain with ``slug``; raise NotFound."""
    return scalar_or_not_found(sa.select(Domain).where(Domain.slug == slug),
                               f"No domain has the slug {slug!r}.")


def get_business(slug: str) -> Business:
    """Return the business with ``slug``, its adoptions and their capabilities."""
    return scalar_or_not_found(
        sa.select(Business).where(Business.slug == slug).options(
            joinedload(Business.team),
            selectinload(Business.adoptions).joinedload(Adoption.capability)
            .options(joinedload(Capability.domain), joinedload(Capability.team)),
            selectinload(Business.adoptions).joinedload(Adoption.api),
        ),
        f"No business has the slug {slug!r}.")


def pick_capabilities(q: str, *, exclude: str = "", limit: int = 10) -> list[Capability]:
    """Return up to ``limit`` capabilities matching ``q`` for a picker.

    Retired capabilities are left out: nothing new may depend on them.
    """
    select = (sa.select(Capability).options(joinedload(Capability.domain))
              .where(Capability.lifecycle != "retired"))
    select = select.where(*text_matches(" ".join((q or "").split()[:5])))
    if exclude:
        select = select.where(Capability.slug != exclude)
    return list(db.session.scalars(select.order_by(sa.func.lower(Capability.name)).limit(limit)))


def capabilities_by_slug(slugs: list[str]) -> list[Capability]:
    """Return the capabilities whose slugs are in ``slugs`` (unknown ones skipped)."""
    if not slugs:
        return []
    return list(db.session.scalars(
        sa.select(Capability).where(Capability.slug.in_(slugs))
        .options(joinedload(Capability.domain))
    ))


def capability_counts_by(column: str) -> dict[int, int]:
    """Return ``{team or domain id: number of capabilities}``."""
    key = {"team": Capability.team_id, "domain": Capability.domain_id}[column]
    rows = db.session.execute(sa.select(key, sa.func.count()).group_by(key))
    return {owner: count for owner, count in rows if owner is not None}


def adoption_counts() -> dict[int, int]:
    """Return ``{business id: capabilities it actively adopts}``."""
    rows = db.session.execute(
        sa.select(Adoption.business_id, sa.func.count(sa.distinct(Adoption.capability_id)))
        .where(Adoption.active).group_by(Adoption.business_id)
    )
    return dict(rows.all())
