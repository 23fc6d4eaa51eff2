"""Parsing what a user asks of the graph: one set of rules for pages and API."""

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from catalog.errors import ValidationFailed
from catalog.fields import SLUG_RE
from catalog.models.capability import LIFECYCLES
from catalog.validation import (
    Errors,
    as_of_text,
    check_optional_slug,
    check_page,
    check_view_as_of,
)
from graphs.reach import LINKS

__all__ = ["CONSUMER_GROUPS", "COUPLINGS", "DIRECTIONS", "LINKS", "MAX_DEPTH", "ConsumerQuery",
           "GraphQuery", "ImpactQuery", "parse_depth", "parse_links"]

MAX_DEPTH = 10
#: A group of neighbours folded in a focus view (graphs.analysis.group_neighbours).
GROUP_RE = re.compile(r"^group:(up|down):[a-z0-9]+(?:-[a-z0-9]+)*$")
EXPAND_MAX = 50
FOCUS_MAX_CHARS = 200
DIRECTIONS = ("up", "down", "both")


def parse_depth(value: Any, *, default: int | None = None) -> int | None:
    """Return ``value`` as a depth from 1 to MAX_DEPTH; blank gives ``default``.

    Raises
    ------
    ValidationFailed
        ``{"depth": [...]}`` for anything else.

    Examples
    --------
    >>> parse_depth("3"), parse_depth("", default=2)
    (3, 2)
    """
    if value in (None, ""):
        return default
    try:
        depth = int(str(value).strip())
    except ValueError:
        depth = 0
    if not 1 <= depth <= MAX_DEPTH or str(value).strip() != str(depth):
        raise ValidationFailed({"depth": [f"Depth must be a whole number from 1 to {MAX_DEPTH}."]})
    return depth


def parse_links(values: Iterable[str]) -> tuple[str, ...]:
    """Return the kinds of link asked for (repeated or comma-separated ``link``); none: all.

    Raises
    ------
    ValidationFailed
        ``{"link": [...]}`` naming an unknown kind.

    Examples
    --------
    >>> parse_links(["api,adoption"]), parse_links([])
    (('api', 'adoption'), ('depends-on', 'api', 'adoption'))
    """
    asked = {part.strip() for value in values for part in str(value).split(",") if part.strip()}
    unknown = sorted(asked - set(LINKS))
    if unknown:
        raise ValidationFailed({"link": [
            f"Link must be one of: {', '.join(LINKS)} (not {', '.join(unknown)[:100]})."]})
    return tuple(link for link in LINKS if link in asked) or LINKS


@dataclass(frozen=True)
class GraphQuery:
    """The view of the graph asked for: focus, depth, direction and filters."""

    focus: str = ""
    depth: int = 2
    direction: str = "both"
    domain: str = ""
    business: str = ""
    lifecycle: str = ""
    collapse_hubs: bool = False
    by_domain: bool = False
    expand: tuple[str, ...] = ()
    as_of: dt.datetime | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "GraphQuery":
        """Parse request arguments; raise ValidationFailed naming every bad one."""
        errors = Errors()
        values: dict[str, Any] = {}
        for name in ("domain", "business"):
            values[name] = check_optional_slug(args.get(name), errors, name, name.capitalize())
        values["focus"] = " ".join(str(args.get("focus") or "").split())
        if len(values["focus"]) > FOCUS_MAX_CHARS:
            errors.add("focus", f"Focus must be at most {FOCUS_MAX_CHARS} characters: a name "
                                "or a slug.")
        try:
            values["depth"] = parse_depth(args.get("depth"), default=cls.depth)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        values["direction"] = str(args.get("direction") or cls.direction)
        if values["direction"] not in DIRECTIONS:
            errors.add("direction", f"Direction must be one of: {', '.join(DIRECTIONS)}.")
        values["lifecycle"] = str(args.get("lifecycle") or "")
        if values["lifecycle"] and values["lifecycle"] not in LIFECYCLES:
            errors.add("lifecycle", f"Lifecycle must be one of: {', '.join(LIFECYCLES)}.")
        values["collapse_hubs"] = str(args.get("collapse") or "") in ("1", "true", "on", "hubs")
        values["by_domain"] = str(args.get("aggregate") or "") == "domain"
        values["expand"] = tuple(dict.fromkeys(
            part.strip() for part in str(args.get("expand") or "").split(",") if part.strip()))
        if len(values["expand"]) > EXPAND_MAX or not all(
                GROUP_RE.match(group) for group in values["expand"]):
            errors.add("expand", f"Expand must list at most {EXPAND_MAX} groups such as "
                                 "group:up:payments, separated by commas.")
        values["as_of"] = check_view_as_of(args.get("as_of"), errors)
        errors.raise_if_any()
        return cls(**values)

    def args(self) -> dict[str, Any]:
        """Return the non-default parameters, for shareable URLs."""
        out = {"focus": self.focus, "domain": self.domain, "business": self.business,
               "lifecycle": self.lifecycle}
        if self.focus and self.depth != GraphQuery.depth:
            out["depth"] = self.depth
        if self.focus and self.direction != GraphQuery.direction:
            out["direction"] = self.direction
        if self.collapse_hubs:
            out["collapse"] = "hubs"
        if self.by_domain:
            out["aggregate"] = "domain"
        if self.focus and self.expand:
            out["expand"] = ",".join(self.expand)
        out["as_of"] = as_of_text(self.as_of)
        return {key: value for key, value in out.items() if value}


#: Which dependents an impact list shows: all, those that go down with the
#: capability (a chain of synchronous links), those that degrade (async or data).
COUPLINGS = ("all", "sync", "async")


@dataclass(frozen=True)
class ImpactQuery:
    """What the impact page asks for.

    ``depth`` 1 by default (the direct consumers answer "who do I call
    first"); ``depth=all`` lifts the bound. ``coupling`` and ``team`` narrow
    the capability list, ``page`` and ``teams_page`` page it and the teams.
    """

    depth: int | None = 1
    links: tuple[str, ...] = LINKS
    coupling: str = "all"
    team: str = ""
    page: int = 1
    teams_page: int = 1
    as_of: dt.datetime | None = None

    @classmethod
    def from_args(cls, args: Any) -> "ImpactQuery":
        """Parse request arguments (a werkzeug MultiDict); raise ValidationFailed naming every bad one."""
        errors = Errors()
        values: dict[str, Any] = {}
        depth = str(args.get("depth") or "").strip()
        if depth == "all":
            values["depth"] = None
        else:
            try:
                values["depth"] = parse_depth(depth, default=cls.depth)
            except ValidationFailed as exc:
                errors.update(exc.errors)
        try:
            values["links"] = parse_links(args.getlist("link"))
        except ValidationFailed as exc:
            errors.update(exc.errors)
        values["coupling"] = str(args.get("coupling") or cls.coupling)
        if values["coupling"] not in COUPLINGS:
            errors.add("coupling", f"Coupling must be one of: {', '.join(COUPLINGS)}.")
        values["team"] = check_optional_slug(args.get("team"), errors, "team", "Team")
        values["page"] = check_page(args.get("page"), errors)
        values["teams_page"] = check_page(args.get("teams_page"), errors, "teams_page")
        values["as_of"] = check_view_as_of(args.get("as_of"), errors)
        errors.raise_if_any()
        return cls(**values)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the non-default parameters, with ``changes``, for building URLs."""
        query = replace(self, **changes)
        out = {"depth": "all" if query.depth is None else query.depth,
               "link": list(query.links) if query.links != LINKS else None,
               "coupling": query.coupling, "team": query.team, "page": query.page,
               "teams_page": query.teams_page, "as_of": as_of_text(query.as_of)}
        defaults = {"depth": ImpactQuery.depth, "coupling": "all", "page": 1, "teams_page": 1}
        return {key: value for key, value in out.items()
                if value and value != defaults.get(key)}


#: How the capability page groups a capability's direct consumers.
CONSUMER_GROUPS = ("domain", "team")


@dataclass(frozen=True)
class ConsumerQuery:
    """Which direct consumers a capability page lists: grouped by, one group, a page."""

    group: str = "domain"
    value: str = ""
    page: int = 1
    as_of: dt.datetime | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "ConsumerQuery":
        """Parse request arguments; raise ValidationFailed naming every bad one."""
        errors = Errors()
        group = str(args.get("group") or cls.group)
        if group not in CONSUMER_GROUPS:
            errors.add("group", f"Group must be one of: {', '.join(CONSUMER_GROUPS)}.")
        value = str(args.get("value") or "").strip()
        if value and value != "none" and not SLUG_RE.match(value):
            errors.add("value", "Value must be a domain or team slug (or none).")
        page = check_page(args.get("page"), errors)
        as_of = check_view_as_of(args.get("as_of"), errors)
        errors.raise_if_any()
        return cls(group, value, page, as_of)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the non-default parameters, with ``changes``, for building URLs."""
        query = replace(self, **changes)
        out = {"group": query.group if query.group != ConsumerQuery.group else None,
               "value": query.value, "page": query.page if query.page != 1 else None,
               "as_of": as_of_text(query.as_of)}
        return {key: value for key, value in out.items() if value}
