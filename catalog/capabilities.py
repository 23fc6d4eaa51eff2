"""Registering, changing and reading capabilities.

Every write of a capability goes through :func:`register_capability` or
:func:`update_capability`: the HTML forms, the JSON API, the Backstage
importer, the demo seed and the command line call the same functions, get
the same :class:`ValidationFailed` errors and leave the same history
(:mod:`catalog.history`). An import of new capabilities checks each with
:func:`check_new_capability` (the same checks) and writes them all at once
with :func:`insert_capabilities` (the same rows and history).
"""

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from catalog import history, lifecycle, lookups, structure
from catalog.db import db, transaction
from catalog.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from catalog.models import (
    Adoption,
    Api,
    Capability,
    CapabilityTag,
    Dependency,
    Domain,
    Team,
    User,
)
from catalog.models._time import today, utcnow
from catalog.permissions import can_govern, ensure_can_edit, ensure_can_register
from catalog.snapshots import capability_snapshot
from catalog.validation import Errors, check_capability, check_slug

SLUG_TAKEN = "This slug is already taken; pick another."
PLAIN_FIELDS = (
    "slug", "name", "summary", "description", "lifecycle", "tier", "docs_url",
    "repo_url", "sla_availability", "sla_p99_ms", "launched_on", "deprecated_on", "sunset_on",
)
API_FIELDS = ("name", "kind", "version", "status", "description", "spec")
#: Rows per statement of a bulk write.
CHUNK = 500
#: Lifecycle moves that date themselves when no date is given.
MOVE_DATES = {"production": "launched_on", "deprecated": "deprecated_on"}


def get_capability(slug: str) -> Capability:
    """Return the capability with ``slug`` and everything its page shows.

    Raises
    ------
    NotFound
        When no capability has that slug.
    """
    capability = db.session.scalar(
        sa.select(Capability)
        .where(Capability.slug == slug)
        .options(
            joinedload(Capability.domain),
            joinedload(Capability.team),
            selectinload(Capability.tag_links),
            selectinload(Capability.apis),
            selectinload(Capability.dependencies).joinedload(Dependency.provider)
            .joinedload(Capability.domain),
            selectinload(Capability.dependents).joinedload(Dependency.consumer)
            .joinedload(Capability.domain),
            selectinload(Capability.adoptions).joinedload(Adoption.business),
        )
    )
    if capability is None:
        raise NotFound(f"No capability has the slug {slug!r}.")
    return capability


def field_problems(field: str, value: str, *, current: Capability | None = None) -> list[str]:
    """Return what is wrong with one field's value, for inline validation.

    The same rules as :func:`register_capability`, applied to one field.
    """
    cleaned, errors = _clean({field: value}, partial=True, current=current)
    if field in ("domain", "team"):
        _resolve(cleaned, errors, current=current)
    return errors.get(field, [])


def register_capability(data: Mapping[str, Any], actor: User | None, *,
                        owner_required: bool = True) -> Capability:
    """Validate ``data`` and create a capability with its APIs and dependencies.

    Parameters
    ----------
    data : mapping
        Fields as :func:`catalog.validation.clean_capability` takes them.
    actor : User or None
        Who registers it (None: the system).
    owner_required : bool
        False for an imported descriptor whose owner is not in the catalog:
        the capability is kept without an owner team (governance lists it).

    Returns
    -------
    Capability
        The new capability, committed unless an outer
        :func:`catalog.db.transaction` is open.

    Raises
    ------
    ValidationFailed
        Any field is wrong; nothing is written.
    Conflict
        The slug is taken (and nothing else is wrong).
    Forbidden
        ``actor`` may not register capabilities for that team.
    """
    cleaned, refs, note = _check_new(data, actor, owner_required=owner_required)
    with transaction():
        capability = Capability(domain=refs["domain"], team=refs["team"])
        _apply(capability, cleaned, refs)
        db.session.add(capability)
        lookups.remember(capability)
        history.record(actor, "capability", capability.slug,
                       lambda: capability_snapshot(capability), note=note)
    return capability


def update_capability(capability: Capability, data: Mapping[str, Any], actor: User | None,
                      *, expected_version: int | None = None,
                      owner_required: bool = True) -> Capability:
    """Change the fields present in ``data``; a list given replaces the old one.

    Raises
    ------
    StaleVersion
        ``expected_version`` is not the stored version (someone else saved first).
    ValidationFailed, Conflict, Forbidden
        As :func:`register_capability`; nothing is written.
    """
    cleaned, refs, note = _check_change(capability, data, actor, expected_version=expected_version,
                                        owner_required=owner_required)
    with transaction():
        before = capability_snapshot(capability)
        _apply(capability, cleaned, refs)
        if history.diff(before, capability_snapshot(capability)):
            # Touch the row, so a change to its lists alone (dependencies, APIs, tags) also
            # bumps the version and a stale editor of those lists gets a 412.
            capability.updated_at = utcnow()
            history.record(actor, "capability", capability.slug,
                           lambda: capability_snapshot(capability), note=note)
    return capability


def dependency_problems(consumer: Capability | None, domain: str, provider: str) -> list[str]:
    """Return the cycle and layering warnings of depending on ``provider``, for inline checks.

    ``consumer`` is the capability being edited (None while registering),
    ``domain`` the domain chosen on the form (default the consumer's).
    """
    found = lookups.by_slug(Capability, provider)
    if found is None or (consumer is not None and any(
            dep.provider_id == found.id for dep in consumer.dependencies)):
        return []
    chosen = lookups.by_slug(Domain, domain) if domain else None
    return structure.dependency_warnings(consumer, chosen, [found]).get(found.slug, [])


def add_dependency(data: Mapping[str, Any], actor: User | None, *,
                   expected_version: int | None = None) -> Dependency:
    """Make one capability depend on another, with the edit form's rules.

    Parameters
    ----------
    data : mapping
        ``consumer`` and ``provider`` (slugs), ``kind`` (sync, async or data;
        default sync) and ``api`` (the name of one of the provider's APIs,
        optional).
    actor : User or None
        Who adds it; they must be allowed to edit the consumer.
    expected_version : int, optional
        The consumer's version the caller last saw.

    Returns
    -------
    Dependency
        The new, committed dependency; the consumer's version is bumped.

    Raises
    ------
    ValidationFailed
        Missing or unknown consumer or provider, the consumer itself, a
        retired provider, an unknown API or kind; errors are keyed by the
        fields of ``data``.
    Conflict
        The consumer already depends on the provider.
    Forbidden, StaleVersion
        As :func:`update_capability`.

    Examples
    --------
    >>> try:
    ...     add_dependency({"provider": "search-engine", "kind": "soon"}, None)
    ... except ValidationFailed as exc:
    ...     sorted(exc.errors)
    ['consumer', 'kind']
    """
    errors = Errors()
    slug = check_slug(data.get("consumer"), errors, "consumer")
    # The same row rules as the ``dependencies`` list of a capability; the only
    # row problem left once a provider is given is its kind.
    row = {name: data.get(name) for name in ("provider", "kind", "api")}
    if not isinstance(row["provider"], str) or not row["provider"].strip():
        errors.add("provider", "Provider is required (the slug of a capability).")
        row["provider"] = "-"
    shape = Errors()
    cleaned = check_capability({"dependencies": [row]}, shape, partial=True)
    for message in shape.get("dependencies.0", []):
        errors.add("kind", message)
    consumer = None
    if "consumer" not in errors:
        consumer = db.session.scalar(sa.select(Capability).where(Capability.slug == slug))
        if consumer is None:
            errors.add("consumer", f"Unknown capability {slug!r}.")
    if consumer is None or errors:
        _raise(errors)
    ensure_can_edit(actor, consumer)
    consumer = get_capability(slug)
    new = cleaned["dependencies"][0]
    _resolve_providers(cleaned, errors, consumer, field_of=lambda i, part: part)
    _raise(errors)
    if any(dep.provider.slug == new["provider"] for dep in consumer.dependencies):
        message = f"{consumer.slug!r} already depends on {new['provider']!r}."
        raise Conflict({"provider": [message]}, "That dependency already exists.")
    rows = [{"provider": dep.provider.slug, "kind": dep.kind,
             "api": dep.api.name if dep.api else ""} for dep in consumer.dependencies]
    try:
        update_capability(consumer, {"dependencies": [*rows, new]}, actor,
                          expected_version=expected_version)
    except ValidationFailed as exc:  # the new row's problems are the provider's
        added = f"dependencies.{len(rows)}"
        exc.errors = {("provider" if field == added else field): messages
                      for field, messages in exc.errors.items()}
        raise
    return next(dep for dep in consumer.dependencies if dep.provider.slug == new["provider"])


# -- many new capabilities at once (an import) --------------------------------


@dataclasses.dataclass(slots=True, eq=False)
class NewApi:
    """An API as plain values: one of a :class:`NewCapability` (``id`` is set once written).

    The export's records (:mod:`catalog.backstage.records`) hold their APIs
    as these too; slots keep the tens of thousands of a large catalog small.
    """

    name: str
    kind: str
    version: str
    status: str
    description: str
    spec: str
    id: int | None = None


@dataclasses.dataclass(eq=False)
class NewDependency:
    """A dependency of a :class:`NewCapability` on a stored or new provider."""

    provider: "Capability | NewCapability"
    kind: str
    api: "Api | NewApi | None"
    since: dt.date


@dataclasses.dataclass(eq=False)
class NewCapability:
    """A capability checked by :func:`check_new_capability`, held until :func:`insert_capabilities`.

    It carries what the rules and :func:`~catalog.snapshots.capability_snapshot`
    read from a stored capability, with the values the cleaning gave; ``id``
    is set once written.
    """

    domain: Domain
    team: Team | None
    slug: str = ""
    name: str = ""
    summary: str = ""
    description: str = ""
    lifecycle: str = ""
    tier: int | None = None
    docs_url: str = ""
    repo_url: str = ""
    sla_availability: Any = None
    sla_p99_ms: int | None = None
    launched_on: dt.date | None = None
    deprecated_on: dt.date | None = None
    sunset_on: dt.date | None = None
    replacement: "Capability | NewCapability | None" = None
    search_text: str = ""
    tags: list[str] = dataclasses.field(default_factory=list)
    apis: list[NewApi] = dataclasses.field(default_factory=list)
    dependencies: list[NewDependency] = dataclasses.field(default_factory=list)
    created_at: dt.datetime = dataclasses.field(default_factory=utcnow)
    version: int = 1  # a new row's
    note: str = ""  # kept with its change
    id: int | None = None

    @property
    def team_id(self) -> int | None:
        return self.team.id if self.team is not None else None

    @property
    def updated_at(self) -> dt.datetime:
        return self.created_at

    def set_lists(self, cleaned: dict[str, Any], refs: dict[str, Any]) -> None:
        """Take the tags, APIs and dependencies ``cleaned`` gives, as :func:`_apply` does."""
        if "tags" in cleaned:
            self.tags = list(cleaned["tags"])
        if "apis" in cleaned:
            self.apis = [NewApi(**row) for row in cleaned["apis"]]
            for api in self.apis:
                history.keep_spec(api.spec)
        if "dependencies" in cleaned:
            kept = {dep.provider: dep for dep in self.dependencies}
            self.dependencies = []
            for row in cleaned["dependencies"]:
                provider = refs["providers"][row["provider"]]
                dep = kept.get(provider) or NewDependency(provider, row["kind"], None,
                                                          today())  # the column default
                dep.kind = row["kind"]
                if row.get("since") is not None:
                    dep.since = row["since"]
                dep.api = next((api for api in provider.apis if api.name == row["api"]), None)
                self.dependencies.append(dep)


def check_new_capability(data: Mapping[str, Any], actor: User | None, *,
                         known: Mapping[str, NewCapability],
                         owner_required: bool = True) -> NewCapability:
    """Check a capability to register with every rule of :func:`register_capability`; write nothing.

    ``known``: the capabilities checked before it for the same bulk write
    (its dependencies and replacement may name them). Raises as
    :func:`register_capability` does.
    """
    cleaned, refs, note = _check_new(data, actor, owner_required=owner_required, known=known)
    capability = NewCapability(domain=refs["domain"], team=refs["team"], note=note)
    _apply(capability, cleaned, refs)
    return capability


def change_new_capability(capability: NewCapability, data: Mapping[str, Any],
                          actor: User | None, *, known: Mapping[str, NewCapability],
                          owner_required: bool = True) -> None:
    """Change a checked, unwritten capability with every rule of :func:`update_capability`."""
    cleaned, refs, note = _check_change(capability, data, actor, owner_required=owner_required,
                                        known=known)
    _apply(capability, cleaned, refs)
    capability.note = "\n".join(text for text in (capability.note, note) if text)


def insert_capabilities(capabilities: Sequence[NewCapability], actor: User | None) -> None:
    """Write checked new capabilities with bulk inserts, and one history change for each.

    The rows, ids (in the order given) and history are those registering
    them one by one would leave, at a fraction of the time and memory: for
    an import of thousands. Inside the caller's transaction.
    """
    db.session.flush()  # the teams and domains they name have ids
    connection = db.session.connection()
    for chunk in _chunks(capabilities):
        connection.execute(sa.insert(Capability.__table__), [
            {**{name: getattr(row, name) for name in PLAIN_FIELDS},
             "domain_id": row.domain.id, "team_id": row.team_id, "search_text": row.search_text,
             "created_at": row.created_at, "updated_at": row.updated_at, "version": row.version}
            for row in chunk])
        ids = dict(connection.execute(sa.select(Capability.slug, Capability.id)
                                      .where(Capability.slug.in_([row.slug for row in chunk])))
                   .all())
        for row in chunk:
            row.id = ids[row.slug]
        _insert_lists(connection, chunk)
    replaced = [{"row": row.id, "replacement": row.replacement.id}
                for row in capabilities if row.replacement is not None]
    if replaced:
        connection.execute(sa.update(Capability.__table__)
                           .where(Capability.id == sa.bindparam("row"))
                           .values(replacement_id=sa.bindparam("replacement")), replaced)
    for chunk in _chunks(capabilities):
        rows = [{"consumer_id": row.id, "provider_id": dep.provider.id, "kind": dep.kind,
                 "since": dep.since, "api_id": dep.api.id if dep.api is not None else None}
                for row in chunk for dep in row.dependencies]
        if rows:
            connection.execute(sa.insert(Dependency.__table__), rows)
    lookups.forget(Capability, [row.slug for row in capabilities])
    for row in capabilities:
        history.record(actor, "capability", row.slug, capability_snapshot(row), note=row.note)


def _insert_lists(connection: sa.Connection, chunk: Sequence[NewCapability]) -> None:
    """Insert the tags and APIs of capabilities just written, and note the APIs' ids."""
    tags = [{"capability_id": row.id, "tag": tag} for row in chunk for tag in row.tags]
    if tags:
        connection.execute(sa.insert(CapabilityTag.__table__), tags)
    apis = [{"capability_id": row.id, **{name: getattr(api, name) for name in API_FIELDS}}
            for row in chunk for api in row.apis]
    if not apis:
        return
    connection.execute(sa.insert(Api.__table__), apis)
    ids = {(owner, name): id_ for id_, owner, name in connection.execute(
        sa.select(Api.id, Api.capability_id, Api.name)
        .where(Api.capability_id.in_([row.id for row in chunk])))}
    for row in chunk:
        for api in row.apis:
            api.id = ids[(row.id, api.name)]


def _chunks(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


# -- steps -------------------------------------------------------------------


def _check_new(data, actor, *, owner_required, known=None):
    """Check a new capability's ``data`` with every rule of registering; return what to write."""
    cleaned, errors = _clean(data, partial=False, current=None, owner_required=owner_required,
                             known=known)
    refs = _resolve(cleaned, errors, current=None, known=known)
    lifecycle.check_move(None, cleaned, refs, actor, errors)
    note = _structure(None, cleaned, refs, actor, errors)
    _raise(errors)
    ensure_can_register(actor, refs["team"])
    return cleaned, refs, note


def _check_change(capability, data, actor, *, expected_version=None, owner_required=True,
                  known=None):
    """Check a change of ``capability`` with every rule of updating; return what to write."""
    ensure_can_edit(actor, capability)
    if "slug" in data and data["slug"] != capability.slug:
        raise ValidationFailed({"slug": ["A capability's slug cannot change; it is part of every link to it."]})
    if expected_version is not None and expected_version != capability.version:
        raise StaleVersion(
            f"{capability.slug!r} was changed by someone else (version "
            f"{capability.version}, yours {expected_version}). Reload and apply your change again."
        )
    cleaned, errors = _clean(data, partial=True, current=capability,
                             owner_required=owner_required, known=known)
    refs = _resolve(cleaned, errors, current=capability, known=known)
    lifecycle.check_move(capability, cleaned, refs, actor, errors)
    note = _structure(capability, cleaned, refs, actor, errors)
    _raise(errors)
    if refs.get("team") is not None and refs["team"].id != capability.team_id:
        ensure_can_register(actor, refs["team"])
    return cleaned, refs, note


def _clean(data, *, partial, current, owner_required=True, known=None):
    errors = Errors()
    cleaned = check_capability(data, errors, partial=partial, owner_required=owner_required)
    if ("slug" in cleaned and "slug" not in errors
            and _find(cleaned["slug"], known) not in (None, current)):
        errors.add("slug", SLUG_TAKEN)
    return cleaned, errors


def _find(slug: str, known: Mapping[str, Any] | None) -> Any:
    """Return the capability with ``slug``: one of ``known`` (checked, not yet written) or stored."""
    if known and slug in known:
        return known[slug]
    return lookups.by_slug(Capability, slug)


def _structure(current: Capability | None, cleaned: dict[str, Any], refs: dict[str, Any],
               actor: User | None, errors: Errors) -> str:
    """Check new dependencies for cycles and layering breaks; return the note to keep.

    Contributors get the warnings as errors of the dependency rows (nothing
    is saved); architects and admins save, and the warnings are kept with
    the change. The system and imports state what another catalog holds,
    unchecked here (the governance page reports it).
    """
    if (actor is None or history.current_provenance().source == "import"
            or "dependencies" not in cleaned or errors):
        return ""
    existing = {dep.provider_id for dep in current.dependencies} if current is not None else set()
    providers = refs.get("providers", {})
    new = [providers[row["provider"]] for row in cleaned["dependencies"]
           if row["provider"] in providers and providers[row["provider"]].id not in existing]
    if not new:
        return ""
    domain = refs.get("domain") or (current.domain if current is not None else None)
    warnings = structure.dependency_warnings(current, domain, new)
    if not warnings:
        return ""
    if can_govern(actor):
        return "\n".join(message for messages in warnings.values() for message in messages)
    for i, row in enumerate(cleaned["dependencies"]):
        for message in warnings.get(row["provider"], []):
            errors.add(f"dependencies.{i}", f"{message} Only architects and admins can save it.")
    return ""


def _resolve(cleaned: dict[str, Any], errors: Errors, *, current: Capability | None,
             known: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Look up the domain, team, replacement and dependency providers named by slug.

    ``known``: capabilities checked for a bulk write, found before stored ones.
    """
    refs: dict[str, Any] = {}
    if cleaned.get("domain"):
        refs["domain"] = lookups.by_slug(Domain, cleaned["domain"])
        if refs["domain"] is None:
            errors.add("domain", f"Unknown domain {cleaned['domain']!r}.")
    if cleaned.get("team"):
        refs["team"] = lookups.by_slug(Team, cleaned["team"])
        if refs["team"] is None:
            errors.add("team", f"Unknown team {cleaned['team']!r}.")
    elif "team" in cleaned:
        refs["team"] = None  # no owner: allowed only where the owner is not required
    if cleaned.get("replacement"):
        refs["replacement"] = _find(cleaned["replacement"], known)
        if refs["replacement"] is None:
            errors.add("replacement", f"Unknown capability {cleaned['replacement']!r}.")
    elif "replacement" in cleaned:
        refs["replacement"] = None
    if "dependencies" in cleaned:
        refs["providers"] = _resolve_providers(cleaned, errors, current, known=known)
    return refs


def _resolve_providers(cleaned, errors, current, *, field_of=None, known=None) -> dict[str, Any]:
    """Look up each dependency's provider, recording why it cannot be depended on.

    ``field_of(i, part)`` names the field of row ``i``'s ``part`` ("provider"
    or "api") in the errors; by default both are ``dependencies.<i>``.
    """
    field_of = field_of or (lambda i, part: f"dependencies.{i}")
    wanted = [dep["provider"] for dep in cleaned["dependencies"]]
    known = known or {}
    providers = {slug: known[slug] for slug in wanted if slug in known}
    providers.update(lookups.by_slugs(Capability, [slug for slug in wanted if slug not in known],
                                      selectinload(Capability.apis)))
    own_slugs = {cleaned.get("slug")} | ({current.slug} if current is not None else set())
    existing = {dep.provider for dep in current.dependencies} if current is not None else set()
    for i, dep in enumerate(cleaned["dependencies"]):
        field = field_of(i, "provider")
        provider = providers.get(dep["provider"])
        if dep["provider"] in own_slugs:
            errors.add(field, "A capability cannot depend on itself.")
        elif provider is None:
            errors.add(field, f"Unknown capability {dep['provider']!r}.")
        elif provider.lifecycle == "retired" and provider not in existing:
            errors.add(field, f"{provider.slug!r} is retired; depend on its successor instead.")
        elif dep["api"] and dep["api"] not in {api.name for api in provider.apis}:
            errors.add(field_of(i, "api"), f"{provider.slug!r} has no API named {dep['api']!r}.")
    return providers


def _raise(errors: Errors) -> None:
    if not errors:
        return
    if set(errors) == {"slug"} and errors["slug"] == [SLUG_TAKEN]:
        raise Conflict(dict(errors), "A capability with this slug already exists.")
    raise ValidationFailed(dict(errors))


def _apply(capability: "Capability | NewCapability", cleaned: dict[str, Any],
           refs: dict[str, Any]) -> None:
    for field in PLAIN_FIELDS:
        if field in cleaned:
            setattr(capability, field, cleaned[field])
    if "domain" in refs:
        capability.domain = refs["domain"]
    if "team" in refs:
        capability.team = refs["team"]
    if "replacement" in refs:
        capability.replacement = refs["replacement"]
    if isinstance(capability, NewCapability):
        capability.set_lists(cleaned, refs)
    else:
        if "tags" in cleaned:
            _replace_tags(capability, cleaned["tags"])
        if "apis" in cleaned:
            _replace_apis(capability, cleaned["apis"])
        if "dependencies" in cleaned:
            _replace_dependencies(capability, cleaned["dependencies"], refs["providers"])
    dated = MOVE_DATES.get(capability.lifecycle)
    if dated and getattr(capability, dated) is None and dated not in cleaned:
        setattr(capability, dated, today())
    capability.search_text = search_text(
        capability.slug, capability.name, capability.summary, capability.tags)


def _replace_tags(capability: Capability, tags: list[str]) -> None:
    kept = {link.tag: link for link in capability.tag_links}
    capability.tag_links = [kept.get(tag) or CapabilityTag(tag=tag) for tag in tags]


def _replace_apis(capability: Capability, rows: list[dict[str, Any]]) -> None:
    """Replace the APIs, keeping the row (and its id) of each name that stays."""
    kept = {api.name.lower(): api for api in capability.apis}
    apis = []
    for row in rows:
        api = kept.get(row["name"].lower()) or Api()
        for field, value in row.items():
            setattr(api, field, value)
        history.keep_spec(api.spec)
        apis.append(api)
    capability.apis = apis


def _replace_dependencies(capability, rows, providers) -> None:
    kept = {dep.provider: dep for dep in capability.dependencies}
    deps = []
    for row in rows:
        provider = providers[row["provider"]]
        dep = kept.get(provider) or Dependency(provider=provider)
        dep.kind = row["kind"]
        if row.get("since") is not None:
            dep.since = row["since"]
        dep.api = next((api for api in provider.apis if api.name == row["api"]), None)
        deps.append(dep)
    capability.dependencies = deps


def search_text(slug: str, name: str, summary: str, tags: list[str]) -> str:
    """Return the lower-cased text that browse search matches against.

    >>> search_text("order-service", "Order Service", "Takes orders.", ["checkout"])
    'order-service order service takes orders. checkout'
    """
    return " ".join(part for part in (slug, name, summary, *tags) if part).lower()
