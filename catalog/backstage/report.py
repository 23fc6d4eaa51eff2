"""What an import reports: counts per kind, the plan, and every problem found."""

from dataclasses import asdict, dataclass, field
from typing import Any

from catalog.backstage.vocabulary import KINDS
from catalog.errors import ValidationFailed


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the descriptors, located as precisely as possible.

    Attributes
    ----------
    file : str
        Path relative to the imported folder (or to the folder of the imported file).
    document : int or None
        0-based index of the YAML document within the file (None: the whole file).
    ref : str
        Entity reference ``kind:namespace/name`` ("" when not known yet).
    field : str
        Descriptor field, e.g. ``spec.dependsOn[1]`` ("" for the whole document).
    message : str
        What is wrong and what the import did about it.
    """

    file: str
    document: int | None
    ref: str
    field: str
    message: str

    @property
    def location(self) -> str:
        """Return ``file#document ref field``, leaving out the parts not known."""
        where = self.file if self.document is None else f"{self.file}#{self.document}"
        return " ".join(part for part in (where, self.ref, self.field) if part)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def zero_counts() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


@dataclass
class ImportReport:
    """What an import read, would change or changed, and every problem found.

    Attributes
    ----------
    source : str
        The path that was imported.
    dry_run : bool
        True when the plan was computed without writing.
    written : bool
        True when the changes were committed.
    read : dict
        Entities read per kind, e.g. ``{"Component": 13}``.
    unmapped : dict
        Entities of kinds the portal does not map, per kind (counted only).
    created, updated, unchanged : dict
        Portal rows per kind (teams, domains, businesses, capabilities, apis,
        dependencies, adoptions).
    errors : list of Problem
        Problems that stop the import; when any, nothing is written.
    warnings : list of Problem
        Problems imported around (dangling owner, unmapped kinds, ...).
    plan : list of dict
        Each row created or updated (by a dry run: that would be), in writing
        order: ``{"action": "create" | "update", "kind", "key", "fields"}``,
        ``key`` being the slug (``capability/api`` for an API,
        ``consumer/provider`` for a link) and ``fields`` the fields set.
    files : dict
        Per file read (path as in problems): ``{"entities", "errors", "warnings"}``.
    """

    source: str
    dry_run: bool = False
    written: bool = False
    read: dict[str, int] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=zero_counts)
    updated: dict[str, int] = field(default_factory=zero_counts)
    unchanged: dict[str, int] = field(default_factory=zero_counts)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plan: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no error stops the import."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (what the import endpoint returns)."""
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def as_error(self) -> "ImportFailed":
        """Return the errors as a :class:`ImportFailed` (a ``ValidationFailed``)."""
        return ImportFailed(self)

    def __str__(self) -> str:
        lines = [self._headline()]
        if self.read:
            lines.append("Read: " + ", ".join(f"{n} {kind}" for kind, n in self.read.items()) + ".")
        if self.ok:
            lines.append(f"  {'':<14}{'created':>9}{'updated':>9}{'unchanged':>11}")
            lines += [f"  {kind:<14}{self.created[kind]:>9}{self.updated[kind]:>9}"
                      f"{self.unchanged[kind]:>11}" for kind in KINDS]
        if self.unmapped:
            lines.append("Not mapped (kept as they are): "
                         + ", ".join(f"{n} {kind}" for kind, n in self.unmapped.items()) + ".")
        if len(self.files) > 1:
            lines.append(f"Files ({len(self.files)}):")
            lines += [f"  {file}: {_counted(n['entities'], 'entity', 'entities')}"
                      + "".join(f", {_counted(n[name], name[:-1], name)}"
                                for name in ("errors", "warnings") if n[name])
                      for file, n in self.files.items()]
        for title, problems in (("Errors", self.errors), ("Warnings", self.warnings)):
            if problems:
                lines.append(f"{title} ({len(problems)}):")
                lines += [f"  {problem}" for problem in problems]
        return "\n".join(lines)

    def _headline(self) -> str:
        if not self.ok:
            return (f"Backstage import of {self.source} failed with {len(self.errors)} "
                    "error(s); nothing was written.")
        if self.dry_run:
            return f"Dry run of the Backstage import of {self.source}: nothing was written."
        if not self.written:
            return f"Imported {self.source}: the catalog already matched it; nothing changed."
        return f"Imported {self.source}."


class ImportFailed(ValidationFailed):
    """The Backstage descriptors have errors; nothing was written.

    ``errors`` maps each problem's location (``file#document ref field``) to
    its messages; ``report`` is the whole :class:`ImportReport`.
    """

    def __init__(self, report: ImportReport) -> None:
        errors: dict[str, list[str]] = {}
        for problem in report.errors:
            errors.setdefault(problem.location, []).append(problem.message)
        super().__init__(errors, f"{len(report.errors)} error(s) in the Backstage descriptors "
                                 f"of {report.source}; nothing was written.")
        self.report = report


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
