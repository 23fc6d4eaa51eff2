"""Step 4: apply the plan through the catalog services, in one transaction.

The import writes nothing by hand: teams, domains and businesses go through
:mod:`catalog.organisation`, capabilities (with their APIs and dependencies)
through :mod:`catalog.capabilities`, adoptions through
:mod:`catalog.adoptions`. So an import obeys every rule a form obeys (a
retired capability cannot gain a dependant, a changed dependency list bumps
the version), and leaves the history a form would leave: one change per
entity, with the source ``import``. A rule the descriptors break stops the
import with an error naming the entity; nothing is written. When none of the
import's capabilities exists yet (a first import), each is checked by the
service's own checks and all are then written in bulk
(:func:`catalog.capabilities.insert_capabilities`): the same rows and history.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from catalog import adoptions, history, lookups, organisation
from catalog import capabilities as capability_service
from catalog.backstage.plan import Step
from catalog.backstage.report import ImportReport, Problem
from catalog.backstage.resolve import CatalogIndex
from catalog.backstage.vocabulary import PROGRESS_EVERY
from catalog.db import db
from catalog.errors import ValidationFailed
from catalog.models import Business, Capability, Change, User

#: Where each service field comes from in a descriptor, for error messages.
DESCRIPTOR_FIELDS = {"dependencies": "spec.dependsOn", "apis": "spec.providesApis",
                     "team": "spec.owner", "domain": "spec.system"}
#: Capabilities written between two flushes of the session.
FLUSH_EVERY = 500
ORGANISATION = {"teams": organisation.save_team, "domains": organisation.save_domain,
                "businesses": organisation.save_business}


class WriteRefused(Exception):
    """A catalog rule refused one of the import's rows; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def write_steps(steps: list[Step], catalog: CatalogIndex, *, actor: User | None,
                summary: dict[str, Any], progress: Callable[[int, int], None] | None) -> bool:
    """Apply the plan through the services in one transaction; return whether anything changed.

    Raises
    ------
    WriteRefused
        A service refused a row (the transaction is rolled back).
    """
    changed = [step for step in steps if step.action != "unchanged"]
    if not changed:
        return False
    done = _Progress(progress, len(changed))
    by_kind: dict[str, list[Step]] = defaultdict(list)
    for step in changed:
        by_kind[step.row.kind].append(step)
    lookups.remember(*catalog.teams.values(), *catalog.domains.values(),
                     *(row for row in catalog.capabilities.values() if row is not None),
                     *(row for row in catalog.businesses.values() if row is not None))
    for model, rows in ((Capability, catalog.capabilities), (Business, catalog.businesses)):
        lookups.remember_absent(model, [slug for slug, row in rows.items() if row is None])
    with history.importing(), history.batch(actor), db.session.no_autoflush:
        for kind in ORGANISATION:
            for step in by_kind[kind]:
                _call(step, ORGANISATION[kind], {"slug": step.row.key[0], **_values(step)}, actor)
                done.step()
        _write_capabilities(by_kind, catalog, actor, done)
        _write_adoptions(by_kind["adoptions"], catalog, actor, done)
        history.record(actor, "import", summary["source"][-130:], summary, action="import")
    return True


def _write_capabilities(by_kind: dict[str, list[Step]], catalog: CatalogIndex,
                        actor: User | None, done: "_Progress") -> None:
    """Create or change capabilities with their APIs and dependencies.

    A new capability is registered with the dependencies whose providers
    exist by then (in the catalog, or registered earlier in this import); a
    dependency on one registered later, and every dependency of a capability
    that already existed, is set in a second pass, one update per consumer.
    """
    apis: dict[str, list[Step]] = defaultdict(list)
    for step in by_kind["apis"]:
        apis[step.row.key[0]].append(step)
    links: dict[str, list[Step]] = defaultdict(list)
    for step in by_kind["dependencies"]:
        links[step.row.key[0]].append(step)
    later: dict[str, list[Step]] = defaultdict(list)
    replacements: dict[str, tuple[Step, str]] = {}  # named before they are registered
    touched = {step.row.key[0]: step for step in by_kind["capabilities"]}
    order = [*touched, *(slug for slug in apis if slug not in touched)]
    if all(catalog.capability(slug) is None for slug in [*order, *links]):
        _register_new(order, touched, apis, links, catalog, actor, done)
        return
    flush = _ChunkFlush(_written_twice(order, touched, links, catalog))
    for slug in order:
        step = touched.get(slug)
        capability = catalog.capability(slug)
        data = _values(step) if step is not None else {}
        if data.get("replacement") and catalog.capability(data["replacement"]) is None:
            replacements[slug] = (step, data.pop("replacement"))
        if apis[slug]:
            data["apis"] = _merged_apis(capability, apis[slug])
        blame = step or apis[slug][0]
        if capability is None:
            now = []
            for link in links.pop(slug, []):
                provider_known = catalog.capability(link.row.key[1]) is not None
                (now if provider_known else later[slug]).append(link)
            created = _call(blame, capability_service.register_capability,
                            {"slug": slug, **data,
                             "dependencies": [_dependency(link) for link in now]},
                            actor, owner_required=False)
            catalog.capabilities[slug] = created
            done.step(len(now))
        else:
            _call(blame, capability_service.update_capability, capability, data, actor,
                  owner_required=False)
        done.step(1 + len(apis[slug]))
        flush.wrote(slug)
    for slug, (step, replacement) in replacements.items():
        _call(step, capability_service.update_capability, catalog.capability(slug),
              {"replacement": replacement}, actor, owner_required=False)
    for consumer, steps in [*later.items(), *links.items()]:
        if not steps:
            continue
        capability = catalog.capability(consumer)
        _call(steps[0], capability_service.update_capability, capability,
              {"dependencies": _merged_dependencies(capability, steps)}, actor,
              owner_required=False)
        done.step(len(steps))


def _register_new(order: list[str], touched: dict[str, Step], apis: dict[str, list[Step]],
                  links: dict[str, list[Step]], catalog: CatalogIndex, actor: User | None,
                  done: "_Progress") -> None:
    """Register capabilities none of which exists yet: each checked as one by one, then written in bulk.

    The same order and rules as the one-by-one path: each is checked as
    registered with the dependencies and replacement it names among the
    catalog and those before it; those naming one after it are then checked
    as a change. The rows and history written are those the services leave
    (:func:`catalog.capabilities.insert_capabilities`).
    """
    known: dict[str, capability_service.NewCapability] = {}
    later: dict[str, list[Step]] = defaultdict(list)
    replacements: dict[str, tuple[Step, str]] = {}

    def written(slug: str) -> bool:  # in the catalog, or checked before
        return slug in known or catalog.capability(slug) is not None

    for slug in order:
        step = touched.get(slug)
        data = _values(step)
        if data.get("replacement") and not written(data["replacement"]):
            replacements[slug] = (step, data.pop("replacement"))
        if apis[slug]:
            data["apis"] = _merged_apis(None, apis[slug])
        now = []
        for link in links.get(slug, []):
            (now if written(link.row.key[1]) else later[slug]).append(link)
        known[slug] = _call(step or apis[slug][0], capability_service.check_new_capability,
                            {"slug": slug, **data,
                             "dependencies": [_dependency(link) for link in now]},
                            actor, known=known, owner_required=False)
        done.step(1 + len(apis[slug]) + len(now))
    for slug, (step, replacement) in replacements.items():
        _call(step, capability_service.change_new_capability, known[slug],
              {"replacement": replacement}, actor, known=known, owner_required=False)
    for consumer, steps in later.items():
        _call(steps[0], capability_service.change_new_capability, known[consumer],
              {"dependencies": _merged_dependencies(known[consumer], steps)}, actor,
              known=known, owner_required=False)
        done.step(len(steps))
    capability_service.insert_capabilities(list(known.values()), actor)


def _written_twice(order: list[str], touched: dict[str, Step],
                   links: dict[str, list[Step]], catalog: CatalogIndex) -> set[str]:
    """Return the capabilities of ``order`` that :func:`_write_capabilities` writes again later.

    New ones naming a provider or a replacement registered after them, and
    existing ones that get dependencies: both are written a second time
    after the first pass.
    """
    position = {slug: i for i, slug in enumerate(order)}

    def known(slug: str, i: int) -> bool:  # in the catalog, or registered before ``i``
        return catalog.capability(slug) is not None or position.get(slug, i) < i

    twice = set()
    for i, slug in enumerate(order):
        replacement = _values(touched.get(slug)).get("replacement")
        if catalog.capability(slug) is not None:
            named = bool(links.get(slug))
        else:
            named = any(not known(link.row.key[1], i) for link in links.get(slug, []))
        if named or (replacement and not known(replacement, i)):
            twice.add(slug)
    return twice


class _ChunkFlush:
    """Flushes the session every :data:`FLUSH_EVERY` capabilities, until one written twice.

    One unit of work of a hundred thousand new objects holds its bookkeeping
    for all of them at once. A capability written again later stops the
    flushing (the batch's own flush at the end saves the rest), so it is
    still saved once, with the version it always had.
    """

    def __init__(self, twice: set[str]) -> None:
        self.twice, self.pending, self.stopped = twice, 0, False

    def wrote(self, slug: str) -> None:
        self.stopped = self.stopped or slug in self.twice
        self.pending += 1
        if not self.stopped and self.pending >= FLUSH_EVERY:
            db.session.flush()
            self.pending = 0


def _write_adoptions(steps: list[Step], catalog: CatalogIndex, actor: User | None,
                     done: "_Progress") -> None:
    for step in steps:
        business, capability = step.row.key[:2]  # then since and API, for a listed adoption
        values = _values(step)
        if step.target is None:
            _call(step, adoptions.adopt,
                  {"business": business, "capability": capability, **values}, actor)
        else:
            _call(step, adoptions.update_adoption, step.target, values, actor)
        done.step()


def _merged_apis(capability, steps: list[Step]) -> list[dict[str, Any]]:
    """Return the capability's APIs with the imported ones added or changed (by name)."""
    rows = {api.name.lower(): {"name": api.name, "kind": api.kind, "version": api.version,
                               "status": api.status, "description": api.description,
                               "spec": api.spec}
            for api in (capability.apis if capability is not None else [])}
    for step in steps:
        name = step.row.key[1]
        rows[name] = {**rows.get(name, {}), **_values(step)}
    return list(rows.values())


def _dependency(step: Step) -> dict[str, Any]:
    """Return a dependency row of a new capability, as the service takes it."""
    return {"provider": step.row.key[1], "api": "", **_values(step)}


def _merged_dependencies(capability, steps: list[Step]) -> list[dict[str, Any]]:
    """Return the capability's dependencies with the imported ones added or changed."""
    rows = {dep.provider.slug: {"provider": dep.provider.slug, "kind": dep.kind,
                                "api": dep.api.name if dep.api else ""}
            for dep in capability.dependencies}
    for step in steps:
        provider = step.row.key[1]
        rows[provider] = {**rows.get(provider, {"provider": provider, "api": ""}),
                          **_values(step)}
    return list(rows.values())


def _values(step: Step | None) -> dict[str, Any]:
    """Return what a step sets: its values, and its defaults when the row is new."""
    if step is None:
        return {}
    row = step.row
    return dict(row.values) if step.target is not None else {**row.defaults, **row.values}


def _call(step: Step, service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a service for a step; turn its refusal into problems located at the entity."""
    try:
        return service(*args, **kwargs)
    except ValidationFailed as exc:
        entity = step.row.source
        raise WriteRefused([
            Problem(entity.file, entity.document, entity.ref, _descriptor_field(field), message)
            for field, messages in exc.errors.items() for message in messages
        ]) from exc


def _descriptor_field(field: str) -> str:
    head, _, rest = field.partition(".")
    return DESCRIPTOR_FIELDS.get(head, head) + (f"[{rest.split('.')[0]}]" if rest else "")


class _Progress:
    """Calls ``progress(done, total)`` every :data:`PROGRESS_EVERY` rows and at the end."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        self.progress, self.total, self.done, self.told = progress, total, 0, 0

    def step(self, count: int = 1) -> None:
        self.done += count
        if self.progress is not None and (self.done - self.told >= PROGRESS_EVERY
                                          or self.done >= self.total):
            self.told = self.done
            self.progress(min(self.done, self.total), self.total)


def import_summary(report: ImportReport) -> dict[str, Any]:
    """Return what the history of an import keeps: source, counts and warnings."""
    return {"source": report.source, "created": report.created, "updated": report.updated,
            "unmapped": report.unmapped, "warnings": [str(problem) for problem in report.warnings]}


def latest_import() -> dict[str, Any] | None:
    """Return the latest Backstage import that wrote something: when, who, and its summary.

    ``{"at", "actor", "source", "created", "updated", "unmapped", "warnings"}``,
    the warnings as lines; None before any import.
    """
    change = db.session.scalar(
        sa.select(Change).where(Change.kind == "import", Change.action == "import")
        .order_by(Change.at.desc(), Change.id.desc()).limit(1)
    )
    if change is None:
        return None
    return {"at": change.at, "actor": change.actor,
            **{field: after for field, (_, after) in change.changes.items()}}
