"""The Backstage descriptors an import read, kept so that the export loses nothing.

An import maps some of a descriptor onto portal rows and has no place for
the rest: kinds the portal does not map (User, Location, Template), APIs no
component provides, Systems, and fields such as labels, links, annotations,
a group's parent, children and members, ``subcomponentOf``, sub-domains. Every
descriptor of an import is kept here (:class:`BackstageDescriptor`, written
in the import's transaction), with

- ``maps_to``: the portal row it became (``capabilities:orders``; None for a
  foreign entity);
- ``baseline``: what the export wrote for that row as the import created it
  (:func:`catalog.backstage.export.planned_entities`).

The export (:mod:`catalog.backstage.export`) writes a foreign descriptor back
as it was read, and a mapped one by :func:`merge`: the descriptor, with each
part the portal changed since (where the current export differs from the
baseline) taken from the portal. An entity nobody changed in the portal is
written back exactly as it was read; a portal change shows in the part it
changed; and importing the export gives the portal what it has, because the
import of the descriptor gave the baseline.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalog.backstage.parse import Entity
from catalog.backstage.resolve import portal_tag
from catalog.backstage.vocabulary import LOAD_CHUNK, Key, parse_entity_ref
from catalog.db import db
from catalog.models._time import utcnow

__all__ = ["MAX_REF_LENGTH", "BackstageDescriptor", "keep_descriptors", "merge",
           "stored_descriptors"]

MAX_REF_LENGTH = 400
#: The default kind of the references in each list field, for matching them in a merge.
REF_LIST_KINDS = {"dependsOn": "component", "dependencyOf": "component",
                  "consumesApis": "api", "providesApis": "api", "memberOf": "group",
                  "children": "group", "members": "user"}


class BackstageDescriptor(db.Model):
    """A Backstage descriptor as an import last read it."""

    __tablename__ = "backstage_descriptor"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(MAX_REF_LENGTH), unique=True)  # lower-case
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    maps_to: Mapped[str | None] = mapped_column(sa.String(MAX_REF_LENGTH))
    baseline: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    source: Mapped[str] = mapped_column(sa.Text, default="")
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<BackstageDescriptor {self.ref}>"


def keep_descriptors(entities: Iterable[Entity], maps_to: dict[Key, str],
                     baselines: Mapping[str, dict[str, Any]]) -> bool:
    """Keep the descriptors of an import, in the caller's transaction (not committed).

    Parameters
    ----------
    entities : iterable of Entity
        Every entity the import read (each reference once).
    maps_to : dict
        Entity key -> the portal row it became (:func:`~catalog.backstage.vocabulary.row_key`).
    baselines : mapping
        Portal row -> the entity the export writes for it as the import creates it.

    Returns
    -------
    bool
        Whether a descriptor is new or differs from the one kept.
    """
    entities = list(entities)
    refs = [entity.ref.lower() for entity in entities]
    kept: dict[str, BackstageDescriptor] = {}
    for start in range(0, len(refs), LOAD_CHUNK):
        kept.update((row.ref, row) for row in db.session.scalars(sa.select(BackstageDescriptor)
                    .where(BackstageDescriptor.ref.in_(refs[start:start + LOAD_CHUNK]))))
    new: list[dict[str, Any]] = []
    changed = False
    for ref, entity in zip(refs, entities, strict=True):
        row_key = maps_to.get(entity.key)
        values = {"document": entity.descriptor, "maps_to": row_key,
                  "baseline": baselines.get(row_key) if row_key else None}
        row = kept.get(ref)
        if row is None:
            new.append({"ref": ref, "source": entity.file, "imported_at": utcnow(), **values})
            if len(new) == LOAD_CHUNK:  # 25,000 new rows held at once were an import's peak
                changed = _insert_descriptors(new) or changed
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.source, row.imported_at = entity.file, utcnow()
            changed = True
    return _insert_descriptors(new) or changed


def _insert_descriptors(rows: list[dict[str, Any]]) -> bool:
    """Insert new descriptors and empty ``rows``; return whether there were any."""
    if not rows:
        return False
    db.session.execute(sa.insert(BackstageDescriptor), rows)
    rows.clear()
    return True


def stored_descriptors() -> list[Any]:
    """Return every kept descriptor as a row of ``ref, document, maps_to, baseline``, by ref."""
    return list(db.session.execute(sa.select(
        BackstageDescriptor.ref, BackstageDescriptor.document, BackstageDescriptor.maps_to,
        BackstageDescriptor.baseline).order_by(BackstageDescriptor.ref)))


def merge(original: dict[str, Any], baseline: dict[str, Any],
          current: dict[str, Any]) -> dict[str, Any]:
    """Return the descriptor ``original`` with what the portal changed since it was imported.

    Per field: unchanged in the portal (``current`` equals ``baseline``) ->
    the original's (as it was written); changed -> the portal's (nested
    mappings field by field; lists item by item: the original's items the
    portal still has or never had, then the portal's new ones); removed in
    the portal -> left out; never written by the portal -> the original's.

    Examples
    --------
    >>> original = {"spec": {"owner": "team-a", "dependsOn": ["db"], "tier": "gold"},
    ...             "metadata": {"name": "web", "labels": {"x": "1"}}}
    >>> baseline = {"spec": {"owner": "group:default/team-a",
    ...                      "dependsOn": ["component:default/db"]}, "metadata": {"name": "web"}}
    >>> merge(original, baseline, baseline) == original
    True
    >>> current = {"spec": {"owner": "group:default/team-b",
    ...                     "dependsOn": ["component:default/db", "component:default/cache"]},
    ...            "metadata": {"name": "web"}}
    >>> merge(original, baseline, current)["spec"]
    {'owner': 'group:default/team-b', 'dependsOn': ['db', 'component:default/cache'], 'tier': 'gold'}
    """
    return _merge_mapping(original, baseline, current, ())


def _merge_mapping(original: dict[str, Any], baseline: dict[str, Any], current: dict[str, Any],
                   path: tuple[str, ...]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in [*original, *(key for key in current if key not in original)]:
        here = (*path, key)
        if key not in current:
            if key not in baseline:
                merged[key] = original[key]  # foreign: the portal never wrote it
            continue  # removed in the portal
        mine, theirs = original.get(key), current[key]
        if key in baseline and baseline[key] == theirs:
            merged[key] = mine if key in original else theirs
        elif key in original and key in baseline and all(
                isinstance(value, dict) for value in (mine, baseline[key], theirs)):
            merged[key] = _merge_mapping(mine, baseline[key], theirs, here)
        elif key in original and key in baseline and all(
                isinstance(value, list) for value in (mine, baseline[key], theirs)):
            merged[key] = _merge_list(mine, baseline[key], theirs, _identity(here))
        else:
            merged[key] = theirs
    return merged


def _merge_list(original: list[Any], baseline: list[Any], current: list[Any],
                identity: Callable[[Any], Any]) -> list[Any]:
    had, has = {identity(item) for item in baseline}, {identity(item) for item in current}
    kept = [item for item in original if identity(item) in has or identity(item) not in had]
    known = {identity(item) for item in kept} | {identity(item) for item in original}
    return kept + [item for item in current if identity(item) not in known]


def _identity(path: tuple[str, ...]) -> Callable[[Any], Any]:
    """Return what makes two items of the list at ``path`` the same item."""
    if path == ("metadata", "tags"):
        return lambda tag: portal_tag(tag) or tag
    if path == ("metadata", "links"):
        return lambda link: link.get("url") if isinstance(link, dict) else _json(link)
    if len(path) == 2 and path[0] == "spec" and path[1] in REF_LIST_KINDS:
        kind = REF_LIST_KINDS[path[1]]
        return lambda ref: parse_entity_ref(ref, kind, "default") or _json(ref)
    return _json


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
