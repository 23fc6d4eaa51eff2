"""Step 3: compare the rows with the catalog: create, update or unchanged."""

from dataclasses import dataclass
from typing import Any

from catalog import history
from catalog.backstage.resolve import CatalogIndex, Row
from catalog.backstage.vocabulary import KINDS, REFERENCE_FIELDS


@dataclass(slots=True)
class Step:
    """What the import does with one row: create it, update it, or nothing."""

    row: Row
    target: Any  # the matching portal row; None when it is created
    fields: tuple[str, ...]  # the fields that change, sorted, as history's diff finds them

    @property
    def action(self) -> str:
        if self.target is None:
            return "created"
        return "updated" if self.fields else "unchanged"

    def as_plan(self) -> dict[str, Any]:
        """Return this step as a line of the report's plan (its strings and names shared)."""
        return {"action": PLANNED[self.action], "kind": self.row.kind,
                "key": "/".join(self.row.key), "fields": self.fields}


#: A step's action as the plan names it.
PLANNED = {"created": "create", "updated": "update", "unchanged": "unchanged"}


def plan_steps(rows: dict[str, list[Row]], catalog: CatalogIndex) -> list[Step]:
    """Match each row with the portal and say which fields change, in writing order.

    Only the names are kept: the values are in the rows, and ten thousand
    new rows' ``[None, value]`` pairs were tens of megabytes. Rows of a kind
    mostly change the same fields: each list of names is kept once (a list
    per row was 11 MB of an import of 10,000 components).
    """
    steps = []
    names: dict[tuple[str, ...], tuple[str, ...]] = {}
    for kind in KINDS:
        for row in rows[kind]:
            target = catalog.find(kind, row.key)
            if target is None:
                changes = history.diff({}, {**row.defaults, **row.values})
            else:
                changes = history.diff({name: _current(target, name) for name in row.values},
                                     row.values)
            fields = tuple(sorted(changes))
            steps.append(Step(row, target, names.setdefault(fields, fields)))
    return steps


def _current(obj: Any, name: str) -> Any:
    """Return a portal row's field the way a planned row states it."""
    if name == "tags":
        return sorted(obj.tags)
    value = getattr(obj, name)
    if name in REFERENCE_FIELDS and value is not None:
        return getattr(value, REFERENCE_FIELDS[name])
    return value
