"""The catalog as plain records, for the export: read from the database, or as an import plans it.

:func:`read_catalog` reads teams, domains, capabilities (with their tags,
APIs and dependencies) and businesses (with their adoptions) as plain rows
into small records: a catalog of 10,000 capabilities is ~100,000 rows, and
ORM objects would cost seconds. :func:`planned_catalog` is the same catalog
with the rows an import is about to write laid over it as a fresh import
would create them (their values and defaults, nothing else of the portal's),
which is what the descriptors of that import read back as
(:mod:`catalog.backstage.descriptors`).
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from catalog.capabilities import API_FIELDS, NewApi
from catalog.db import db
from catalog.models import (
    Adoption,
    Api,
    Business,
    Capability,
    CapabilityTag,
    Dependency,
    Domain,
    Team,
)

__all__ = ["BusinessRecord", "CapabilityRecord", "Catalog", "DomainRecord",
           "LinkRecord", "TeamRecord", "planned_catalog", "read_catalog"]


@dataclass(slots=True, eq=False)
class TeamRecord:
    slug: str
    name: str
    kind: str
    contact: str
    description: str


@dataclass(slots=True, eq=False)
class DomainRecord:
    slug: str
    name: str
    layer: str
    description: str


@dataclass(slots=True, eq=False)
class CapabilityRecord:
    slug: str
    name: str
    summary: str
    description: str
    lifecycle: str
    tier: int
    docs_url: str
    repo_url: str
    sla_availability: Decimal | None
    sla_p99_ms: int | None
    launched_on: dt.date | None
    deprecated_on: dt.date | None
    sunset_on: dt.date | None
    domain: DomainRecord
    team: TeamRecord | None
    tags: list[str] = field(default_factory=list)
    apis: list[NewApi] = field(default_factory=list)
    dependencies: list["LinkRecord"] = field(default_factory=list)
    replacement: str | None = None  # its slug


@dataclass(slots=True, eq=False)
class LinkRecord:
    """A dependency (on ``provider``) or an adoption (of ``provider``), through ``api`` or not."""

    provider: CapabilityRecord
    api: NewApi | None
    since: dt.date
    kind: str = ""  # dependencies
    until: dt.date | None = None  # adoptions
    purpose: str = ""
    active: bool = True


@dataclass(slots=True, eq=False)
class BusinessRecord:
    slug: str
    name: str
    description: str
    status: str
    team: TeamRecord | None
    adoptions: list[LinkRecord] = field(default_factory=list)


@dataclass
class Catalog:
    """Every record, each list sorted by slug."""

    teams: list[TeamRecord]
    domains: list[DomainRecord]
    capabilities: list[CapabilityRecord]
    businesses: list[BusinessRecord]


_CAPABILITY_COLUMNS = [f.name for f in fields(CapabilityRecord)
                       if f.name not in ("domain", "team", "tags", "apis", "dependencies",
                                         "replacement")]


def read_catalog() -> Catalog:
    """Return the whole catalog as records."""
    team_of = {row.id: TeamRecord(*row[1:]) for row in db.session.execute(sa.select(
        Team.id, Team.slug, Team.name, Team.kind, Team.contact, Team.description)
        .order_by(Team.slug))}
    domain_of = {row.id: DomainRecord(*row[1:]) for row in db.session.execute(sa.select(
        Domain.id, Domain.slug, Domain.name, Domain.layer, Domain.description)
        .order_by(Domain.slug))}
    by_id = {}
    for row in db.session.execute(sa.select(
            Capability.id, Capability.domain_id, Capability.team_id,
            *(getattr(Capability, name) for name in _CAPABILITY_COLUMNS))
            .order_by(Capability.slug)):
        by_id[row.id] = CapabilityRecord(*row[3:], domain=domain_of[row.domain_id],
                                         team=team_of.get(row.team_id))
    for capability_id, replacement_id in db.session.execute(
            sa.select(Capability.id, Capability.replacement_id)
            .where(Capability.replacement_id.is_not(None))):
        by_id[capability_id].replacement = by_id[replacement_id].slug
    for capability_id, tag in db.session.execute(
            sa.select(CapabilityTag.capability_id, CapabilityTag.tag).order_by(CapabilityTag.tag)):
        by_id[capability_id].tags.append(tag)
    apis = {}
    for row in db.session.execute(sa.select(
            Api.capability_id, Api.id, *(getattr(Api, name) for name in API_FIELDS))
            .order_by(Api.name)):
        apis[row.id] = NewApi(*row[2:], id=row.id)
        by_id[row.capability_id].apis.append(apis[row.id])
    for consumer, provider, api, kind, since in db.session.execute(sa.select(
            Dependency.consumer_id, Dependency.provider_id, Dependency.api_id, Dependency.kind,
            Dependency.since)):
        by_id[consumer].dependencies.append(LinkRecord(by_id[provider], apis.get(api), since,
                                                       kind))
    businesses = {row.id: BusinessRecord(row.slug, row.name, row.description, row.status,
                                         team_of.get(row.team_id))
                  for row in db.session.execute(sa.select(
                      Business.id, Business.slug, Business.name, Business.description,
                      Business.status, Business.team_id).order_by(Business.slug))}
    for business, capability, api, since, until, purpose, active in db.session.execute(
            sa.select(Adoption.business_id, Adoption.capability_id, Adoption.api_id,
                      Adoption.since, Adoption.until, Adoption.purpose,
                      Adoption.active.label("active"))):
        businesses[business].adoptions.append(LinkRecord(
            by_id[capability], apis.get(api), since, until=until, purpose=purpose,
            active=bool(active)))
    return Catalog(list(team_of.values()), list(domain_of.values()), list(by_id.values()),
                   list(businesses.values()))


def planned_catalog(rows: dict[str, list[Any]]) -> Catalog:
    """Return the catalog with an import's rows laid over it as a fresh import creates them.

    Each planned team, domain, capability and business replaces the
    portal's record of that slug (or is added), with the row's values and
    defaults and the model's defaults for the rest; a planned capability has
    exactly the planned APIs and dependencies, a planned business exactly the
    planned adoptions. Rows are :class:`catalog.backstage.resolve.Row`\\ s,
    per kind.
    """
    current = read_catalog()
    teams = {team.slug: team for team in current.teams}
    domains = {domain.slug: domain for domain in current.domains}
    for row in rows["teams"]:
        teams[row.key[0]] = TeamRecord(row.key[0], **_fields(Team, row, ("name", "kind",
                                                                        "contact",
                                                                        "description")))
    for row in rows["domains"]:
        domains[row.key[0]] = DomainRecord(row.key[0], **_fields(Domain, row, (
            "name", "layer", "description")))
    capabilities = {capability.slug: capability for capability in current.capabilities}
    for row in rows["capabilities"]:
        values = _fields(Capability, row, _CAPABILITY_COLUMNS[1:])
        values["sla_availability"] = _decimal(values["sla_availability"])
        capabilities[row.key[0]] = CapabilityRecord(
            row.key[0], **values, domain=domains[row.values["domain"]],
            team=teams.get(row.values.get("team") or ""), tags=list(row.values.get("tags", [])),
            replacement=row.values.get("replacement") or None)
    ids = itertools.count(-1, -1)  # planned APIs are not in the database yet
    for row in rows["apis"]:
        capabilities[row.key[0]].apis.append(NewApi(**_fields(Api, row, API_FIELDS),
                                                    id=next(ids)))
    planned = {row.key[0] for row in rows["capabilities"]}
    for slug in planned:
        capabilities[slug].dependencies = []
    for row in rows["dependencies"]:
        consumer, provider = capabilities[row.key[0]], capabilities[row.key[-1]]
        values = _fields(Dependency, row, ("kind", "since"))
        if consumer.slug in planned:
            consumer.dependencies.append(LinkRecord(provider, _api(provider, row), **values))
    businesses = {business.slug: business for business in current.businesses}
    for row in rows["businesses"]:
        businesses[row.key[0]] = BusinessRecord(
            row.key[0], **_fields(Business, row, ("name", "description", "status")),
            team=teams.get(row.values.get("team") or ""))
    for row in rows["adoptions"]:
        business, capability = businesses[row.key[0]], capabilities[row.key[1]]
        values = _fields(Adoption, row, ("since", "until", "purpose"))
        business.adoptions.append(LinkRecord(capability, _api(capability, row), **values,
                                             active=Adoption(until=values["until"]).active))
    return Catalog(sorted(teams.values(), key=lambda t: t.slug),
                   sorted(domains.values(), key=lambda d: d.slug),
                   sorted(capabilities.values(), key=lambda c: c.slug),
                   sorted(businesses.values(), key=lambda b: b.slug))


def _fields(model: type, row: Any, names: Any) -> dict[str, Any]:
    """Return a planned row's fields: its values, else its defaults, else the model's default."""
    planned = {**row.defaults, **row.values}
    return {name: planned[name] if name in planned else _column_default(model, name)
            for name in names}


def _column_default(model: type, name: str) -> Any:
    default = model.__table__.c[name].default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def _api(capability: CapabilityRecord, row: Any) -> NewApi | None:
    name = row.values.get("api")
    if not name:
        return None
    return next((api for api in capability.apis if api.name.lower() == name.lower()), None)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
