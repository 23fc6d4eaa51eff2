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
    fields: list[str]  # the fields that change, sorted, as history's diff finds them

    @property
    def action(self) -> str:
        if self.target is None:
            return "created"
        return "updated" if self.fields else "unchanged"

    def as_plan(self) -> dict[str, Any]:
        """Return this step as a line of the report's plan."""
        return {"action": self.action[:-1], "kind": self.row.kind,
                "key": "/".join(self.row.key), "fields": self.fields}


def plan_steps(rows: dict[str, list[Row]], catalog: CatalogIndex) -> list[Step]:
    """Match each row with the portal and say which fields change, in writing order.

    Only the names are kept: the values are in the rows, and ten thousand
    new rows' ``[None, value]`` pairs were tens of megabytes.
    """
    steps = []
    for kind in KINDS:
        for row in rows[kind]:
            target = catalog.find(kind, row.key)
            if target is None:
                changes = history.diff({}, {**row.defaults, **row.values})
            else:
                changes = history.diff({name: _current(target, name) for name in row.values},
                                     row.values)
            steps.append(Step(row, target, sorted(changes)))
    return steps


def _current(obj: Any, name: str) -> Any:
    """Return a portal row's field the way a planned row states it."""
    if name == "tags":
        return sorted(obj.tags)
    value = getattr(obj, name)
    if name in REFERENCE_FIELDS and value is not None:
        return getattr(value, REFERENCE_FIELDS[name])
    return value
