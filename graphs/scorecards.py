"""Scorecards: how well kept each capability is, by rules written once as data.

:data:`RULES` is the whole policy: each :class:`Rule` has an id, a title,
why it matters, the level it belongs to and a predicate over a capability's
facts. The facts come from the catalog (:mod:`catalog.scorecards`: owner,
links, SLA, API specs, the team's contact and accounts) and from the
dependency graph (:func:`graph_facts`: deprecated providers, layering
breaks, cycles). A capability reaches a level when it passes every rule of
that level and of the levels below; its score is the share of rules passed.

:func:`level_of` and :func:`scorecard_of` are what other features call;
the cards of the whole catalog are computed once per catalog revision.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from catalog.models._time import utcnow
from catalog.scorecards import capability_facts, facts_of_state, maintainer_counts
from catalog.timetravel import first_record, state_at
from graphs.analysis import layering_breaks
from graphs.build import graph_of_state
from graphs.cache import derived
from graphs.nodes import parse_node

__all__ = [
    "LEVELS",
    "RULES",
    "Rule",
    "graph_facts",
    "level_of",
    "rollup_of_catalog",
    "scorecard",
    "scorecard_of",
    "scorecards",
    "scorecards_of_catalog",
    "team_rollup",
    "trend",
]

#: Levels, worst first.
LEVELS = ("none", "bronze", "silver", "gold")
#: Lifecycles a provider should not be depended on in.
FADING = ("deprecated", "retired")


@dataclass(frozen=True)
class Rule:
    """One scorecard rule: ``passes(facts)`` says whether a capability meets it."""

    id: str
    title: str
    why: str
    level: str
    passes: Callable[[Mapping[str, Any]], bool]


RULES: tuple[Rule, ...] = (
    Rule("owner", "Owner team set",
         "Someone answers for it: changes, incidents and consumers' questions.",
         "bronze", lambda f: bool(f["team"])),
    Rule("on-call", "On-call contact",
         "Consumers know whom to call when it fails (the owner team's contact stands in: "
         "the portal has no separate on-call field).",
         "bronze", lambda f: f["on_call"]),
    Rule("docs", "Documentation link",
         "A business team adopts what it can read about, instead of building its own.",
         "bronze", lambda f: f["docs"]),
    Rule("api-spec", "API spec present",
         "An API with a spec (OpenAPI, AsyncAPI...) can be called, mocked and checked "
         "without asking the owners.",
         "silver", lambda f: f["api_spec"]),
    Rule("sla", "SLA set",
         "Consumers need an availability target to plan their own.",
         "silver", lambda f: f["sla"]),
    Rule("no-deprecated-dependency", "No dependency on deprecated capabilities",
         "What it depends on is going away: it will break or be migrated in a rush.",
         "silver", lambda f: not f["deprecated_dependencies"]),
    Rule("no-layering-break", "No layering break",
         "A lower layer depending on a higher one ties the platform's foundation to "
         "business code.",
         "silver", lambda f: not f["layering_breaks"]),
    Rule("no-cycle", "Not in a dependency cycle",
         "Capabilities in a loop cannot be released, scaled or retired one at a time.",
         "silver", lambda f: not f["in_cycle"]),
    Rule("tier1-runbook", "Tier 1: runbook and two maintainers",
         "A tier-1 capability must survive a peak sale and a holiday: a runbook (the "
         "repository link stands in: the portal has no runbook field) and at least two "
         "maintainers (accounts of the owner team). Tiers 2 and 3 pass.",
         "gold", lambda f: f["tier"] != 1 or (f["runbook"] and f["maintainers"] >= 2)),
)


def graph_facts(G: nx.DiGraph) -> dict[str, dict[str, Any]]:
    """Return what the graph says of each capability: the facts the graph rules read.

    Returns
    -------
    dict
        ``{slug: {"deprecated_dependencies": [slugs], "layering_breaks":
        [provider slugs], "in_cycle": bool}}`` for every capability.

    Examples
    --------
    >>> G = nx.DiGraph([("capability:a", "capability:b"), ("capability:b", "capability:a"),
    ...                 ("capability:c", "capability:a")])
    >>> G.add_nodes_from(G, kind="capability", lifecycle="production")
    >>> G.nodes["capability:a"]["lifecycle"] = "deprecated"
    >>> facts = graph_facts(G)
    >>> facts["c"]["deprecated_dependencies"], facts["c"]["in_cycle"], facts["a"]["in_cycle"]
    (['a'], False, True)
    """
    looped = set()
    for component in nx.strongly_connected_components(G):
        if len(component) > 1:
            looped |= component
    looped |= set(nx.nodes_with_selfloops(G))
    breaks: dict[str, list[str]] = {}
    for u, v in layering_breaks(G):
        breaks.setdefault(u, []).append(parse_node(v)[1])
    facts = {}
    for node, data in G.nodes(data=True):
        if data.get("kind") == "business":
            continue
        facts[parse_node(node)[1]] = {
            "deprecated_dependencies": sorted(
                parse_node(v)[1] for v in G.succ[node] if G.nodes[v].get("lifecycle") in FADING),
            "layering_breaks": sorted(breaks.get(node, ())),
            "in_cycle": node in looped,
        }
    return facts


def scorecard(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Return the scorecard of one capability from its facts.

    Returns
    -------
    dict
        ``{"level", "score", "checks": [{"id", "title", "passed", "why", "level"}]}``;
        ``score`` is the percentage of rules passed (0 to 100).

    Examples
    --------
    >>> facts = {"team": "t", "on_call": True, "docs": True, "api_spec": False, "sla": True,
    ...          "deprecated_dependencies": [], "layering_breaks": [], "in_cycle": False,
    ...          "tier": 3, "runbook": False, "maintainers": 0}
    >>> card = scorecard(facts)
    >>> card["level"], card["score"], [c["id"] for c in card["checks"] if not c["passed"]]
    ('bronze', 89, ['api-spec'])
    """
    checks = [{"id": rule.id, "title": rule.title, "passed": bool(rule.passes(facts)),
               "why": rule.why, "level": rule.level} for rule in RULES]
    level = LEVELS[0]
    for candidate in LEVELS[1:]:
        rank = LEVELS.index(candidate)
        if all(c["passed"] for c in checks if LEVELS.index(c["level"]) <= rank):
            level = candidate
        else:
            break
    return {"level": level, "score": round(100 * sum(c["passed"] for c in checks) / len(checks)),
            "checks": checks}


def scorecards(G: nx.DiGraph, facts: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return every capability's scorecard: catalog ``facts`` joined with :func:`graph_facts`."""
    from_graph = graph_facts(G)
    empty = {"deprecated_dependencies": [], "layering_breaks": [], "in_cycle": False}
    return {slug: {**scorecard({**row, **from_graph.get(slug, empty)}), "team": row["team"],
                   "lifecycle": row["lifecycle"]}
            for slug, row in facts.items()}


def scorecards_of_catalog() -> dict[str, dict[str, Any]]:
    """Return the scorecards of the live catalog, computed once per catalog revision."""
    return derived("scorecards", lambda G: scorecards(G, capability_facts()))


def scorecard_of(slug: str) -> dict[str, Any] | None:
    """Return the scorecard of capability ``slug`` (None when there is none)."""
    card = scorecards_of_catalog().get(slug)
    return None if card is None else {k: card[k] for k in ("level", "score", "checks")}


def level_of(slug: str) -> str | None:
    """Return the scorecard level of capability ``slug``: none, bronze, silver or gold."""
    card = scorecards_of_catalog().get(slug)
    return None if card is None else card["level"]


def team_rollup(cards: Mapping[str, Mapping[str, Any]],
                teams: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Return the number of capabilities per level for each owner team, biggest team first.

    Retired capabilities are left out. ``teams`` maps slugs to names.

    Examples
    --------
    >>> cards = {"a": {"team": "t", "level": "gold", "lifecycle": "production"},
    ...          "b": {"team": "t", "level": "none", "lifecycle": "production"}}
    >>> team_rollup(cards)
    [{'team': 't', 'name': 't', 'none': 1, 'bronze': 0, 'silver': 0, 'gold': 1, 'total': 2}]
    """
    teams = teams or {}
    rows: dict[str | None, dict[str, Any]] = {}
    for card in cards.values():
        if card["lifecycle"] == "retired":
            continue
        team = card["team"]
        row = rows.setdefault(team, {"team": team, "name": teams.get(team, team) if team
                                     else "No owner team", **dict.fromkeys(LEVELS, 0),
                                     "total": 0})
        row[card["level"]] += 1
        row["total"] += 1
    return sorted(rows.values(), key=lambda r: (-r["total"], str(r["name"]).lower()))


def rollup_of_catalog() -> list[dict[str, Any]]:
    """Return :func:`team_rollup` of the live catalog, once per revision."""
    def compute(G: nx.DiGraph) -> list[dict[str, Any]]:
        names = {d["team"]: d.get("team_name") or d["team"] for _, d in G.nodes(data=True)
                 if d.get("team")}
        return team_rollup(scorecards_of_catalog(), names)
    return derived("scorecards.rollup", compute)


def trend(points: int = 8) -> list[dict[str, Any]]:
    """Return the number of capabilities per level at the end of each of the last quarters.

    Computed from history (the catalog as it stood then, with today's team
    accounts standing in for the past ones); the last point is now. Kept
    once per catalog revision.
    """
    return derived("scorecards.trend", lambda G: _trend(points))


def _trend(points: int) -> list[dict[str, Any]]:
    now = utcnow()
    start = first_record()
    if start is None:
        return []
    moments = [now]
    day = dt.date(now.year, 3 * ((now.month - 1) // 3) + 1, 1)  # this quarter's first day
    while len(moments) < points:
        moment = dt.datetime.combine(day, dt.time()) - dt.timedelta(microseconds=1)
        if moment < start:
            break
        moments.append(moment)
        day = dt.date(day.year - (day.month == 1), (day.month - 4) % 12 + 1, 1)
    maintainers = maintainer_counts()
    series = []
    for moment in reversed(moments):
        state = state_at(moment)
        cards = scorecards(graph_of_state(state), facts_of_state(state, maintainers))
        counts = dict.fromkeys(LEVELS, 0)
        for card in cards.values():
            if card["lifecycle"] != "retired":
                counts[card["level"]] += 1
        label = "now" if moment is now else f"{moment.year}Q{(moment.month - 1) // 3 + 1}"
        series.append({"at": moment.isoformat(timespec="seconds") + "Z", "label": label,
                       **counts})
    return series


