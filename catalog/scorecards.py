"""The facts a capability's scorecard is judged on, read from the catalog.

The rules themselves (what passes, at which level) are data in
:mod:`graphs.scorecards`, which adds the facts only the dependency graph
knows (deprecated providers, layering breaks, cycles). Facts come from the
live tables (:func:`capability_facts`) or from the catalog as it stood at a
past moment (:func:`facts_of_state`), so the same rules give today's
scorecards and their trend over time.

Where the model has no field for what a rule asks, the closest existing one
stands in (and the rule's text says so): the on-call contact is the owner
team's ``contact``, the runbook is the repository link (``repo_url``), and
the maintainers are the owner team's active accounts.
"""

from typing import Any

import sqlalchemy as sa

from catalog.db import db
from catalog.models import Api, Capability, Team, User
from catalog.timetravel import CatalogState

__all__ = ["capability_facts", "facts_of_state", "maintainer_counts", "sla_targets"]


def maintainer_counts() -> dict[str, int]:
    """Return the number of active accounts per team slug (the team's maintainers)."""
    return dict(db.session.execute(
        sa.select(Team.slug, sa.func.count(User.id)).join(User, User.team_id == Team.id)
        .where(User.active.is_(True)).group_by(Team.slug)).all())


def capability_facts() -> dict[str, dict[str, Any]]:
    """Return the scorecard facts of every capability of the live catalog, by slug.

    Three column queries, no ORM objects. Each capability's facts:
    ``team`` (slug or None), ``lifecycle``, ``tier``, ``docs``, ``runbook``,
    ``sla``, ``on_call``, ``api_spec`` (bools) and ``maintainers`` (int).
    """
    with_spec = set(db.session.scalars(
        sa.select(Api.capability_id).where(Api.spec != "").distinct()))
    maintainers = maintainer_counts()
    rows = db.session.execute(
        sa.select(Capability.id, Capability.slug, Capability.lifecycle, Capability.tier,
                  Capability.docs_url, Capability.repo_url, Capability.sla_availability,
                  Team.slug, Team.contact)
        .outerjoin(Team, Capability.team_id == Team.id))
    return {slug: _facts(team, lifecycle, tier, docs, repo, sla, contact, id_ in with_spec,
                         maintainers)
            for id_, slug, lifecycle, tier, docs, repo, sla, team, contact in rows}


def facts_of_state(state: CatalogState, maintainers: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Return the scorecard facts of every capability of ``state`` (a past catalog).

    Accounts are not versioned: ``maintainers`` (as :func:`maintainer_counts`
    gives them today) stands for every moment.
    """
    facts = {}
    for slug, doc in state.capabilities.items():
        team = state.teams.get(doc["team"]) if doc["team"] else None
        facts[slug] = _facts(
            doc["team"], doc["lifecycle"], doc["tier"], doc.get("docs_url"), doc.get("repo_url"),
            doc.get("sla_availability"), team["contact"] if team else None,
            any(api.get("spec") for api in doc.get("apis", ())), maintainers)
    return facts


def _facts(team, lifecycle, tier, docs, repo, sla, contact, api_spec,
           maintainers) -> dict[str, Any]:
    return {"team": team, "lifecycle": lifecycle, "tier": tier, "docs": bool(docs),
            "runbook": bool(repo), "sla": sla is not None, "on_call": bool(team and contact),
            "api_spec": bool(api_spec), "maintainers": maintainers.get(team, 0) if team else 0}


def sla_targets(tier: int | None = None) -> dict[str, dict[str, Any]]:
    """Return each capability's SLA (of ``tier``, or all): ``{"availability", "p99_ms"}`` by slug."""
    select = sa.select(Capability.slug, Capability.sla_availability, Capability.sla_p99_ms)
    if tier is not None:
        select = select.where(Capability.tier == tier)
    return {slug: {"availability": float(availability) if availability is not None else None,
                   "p99_ms": p99} for slug, availability, p99 in db.session.execute(select)}
