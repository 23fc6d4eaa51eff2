"""A business's place in the graph: what a new one would bring along, what a spin-off takes.

Two questions the shared platform promises to answer:

- *incubation*: a new business picks the capabilities it needs; which
  capabilities come along transitively (with their distance), which teams it
  will talk to, and what among them is deprecated or only proposed
  (:func:`incubation_reach`), and which capabilities businesses with similar
  picks also adopted (:func:`similar_adoptions`);
- *spin-off*: for an existing business, everything it uses, the part only it
  uses, the part shared with other businesses, and what its own team owns that
  others would lose (:func:`boundary_of`).

Edges run consumer -> provider, so what a business uses is its descendants.
Every function takes the graph first, never changes it, and returns plain
lists and dicts keyed by slug. :func:`businesses_reaching` is the one pass over
the whole graph; :mod:`graphs.cache` keeps it per catalog revision.
"""

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from graphs.analysis import business_bits, require_nodes
from graphs.labels import inert
from graphs.nodes import business_node, capability_node, parse_node

__all__ = [
    "FIGURE_NODES",
    "GROUP_NODES",
    "WARNING_LIFECYCLES",
    "boundary_figure",
    "boundary_of",
    "business_overview",
    "businesses_reaching",
    "capability_row",
    "domain_leaders",
    "incubation_reach",
    "similar_adoptions",
]

#: Lifecycles a plan warns about: not (or no longer) something to build on.
WARNING_LIFECYCLES = ("proposed", "approved", "deprecated", "retired")


def _is_business(G: nx.DiGraph, node: Hashable) -> bool:
    return G.nodes[node].get("kind") == "business"


def _slug(G: nx.DiGraph, node: Hashable) -> str:
    slug = G.nodes[node].get("slug")
    if slug:
        return slug
    try:
        return parse_node(node)[1]
    except ValueError:  # a plain node of a hand-made graph
        return str(node)


def capability_row(G: nx.DiGraph, node: Hashable, **extra: Any) -> dict[str, Any]:
    """Return what a report lists about a capability node: slug, name, team, tier, lifecycle.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("capability:pay", slug="pay", name="Pay", tier=1, team="fin")
    >>> capability_row(G, "capability:pay", distance=2)["distance"]
    2
    """
    data = G.nodes[node]
    slug = data.get("slug") or _slug(G, node)
    return {"slug": slug, "name": data.get("name") or slug,
            "team": data.get("team"), "team_name": data.get("team_name"),
            "tier": data.get("tier"), "lifecycle": data.get("lifecycle"),
            "layer": data.get("layer"), "domain": data.get("domain"), **extra}


def businesses_reaching(G: nx.DiGraph) -> dict[Hashable, tuple]:
    """Return, for every capability some business reaches, the businesses that reach it.

    A business reaches a capability when a chain of edges leads from it to
    the capability (it adopts it, or something it adopts depends on it...).

    Returns
    -------
    dict
        ``{capability node: tuple of business nodes, in graph order}``; a
        capability no business reaches is left out.

    Notes
    -----
    One pass in topological order (over the condensation when there are
    cycles), carrying the businesses seen upstream as an integer bit set:
    :func:`graphs.analysis.business_bits`, as ``business_reach`` counts them.

    Examples
    --------
    >>> G = nx.DiGraph([("tmall", "orders"), ("taobao", "orders"), ("orders", "pay"),
    ...                 ("taobao", "vip")])
    >>> nx.set_node_attributes(G, {"tmall": "business", "taobao": "business"}, "kind")
    >>> businesses_reaching(G)
    {'orders': ('tmall', 'taobao'), 'pay': ('tmall', 'taobao'), 'vip': ('taobao',)}
    """
    bit, reached = business_bits(G)
    businesses = list(bit)
    decoded: dict[int, tuple] = {}
    reaching: dict[Hashable, tuple] = {}
    for n in G:
        if n in bit:
            continue
        bits = reached[n]
        if not bits:
            continue
        if bits not in decoded:
            decoded[bits] = tuple(b for b in businesses if bits & bit[b])
        reaching[n] = decoded[bits]
    return reaching


def business_overview(G: nx.DiGraph, *, reaching: Mapping[Hashable, Sequence] | None = None,
                      top: int = 3) -> list[dict[str, Any]]:
    """Return every business with what it reuses: counts and its most shared adoptions.

    Returns
    -------
    list of dict
        Per business, live ones first, most adoptions first: ``slug``, ``name``, ``status``, ``adopted``
        (capabilities it adopts), ``reaches`` (capabilities it uses, directly
        or not), ``shared`` (how many of those other businesses use too) and
        ``top`` (up to ``top`` adopted capabilities most businesses rely on,
        each with ``businesses``).

    Examples
    --------
    >>> G = nx.DiGraph([("b:x", "pay"), ("b:y", "pay"), ("b:x", "vip"), ("pay", "db")])
    >>> nx.set_node_attributes(G, {"b:x": "business", "b:y": "business"}, "kind")
    >>> [(b["slug"], b["adopted"], b["reaches"], b["shared"]) for b in business_overview(G)]
    [('b:x', 2, 3, 2), ('b:y', 1, 2, 2)]
    """
    reaching = businesses_reaching(G) if reaching is None else reaching
    reaches: dict[Hashable, int] = {}
    shared: dict[Hashable, int] = {}
    for businesses in reaching.values():
        for b in businesses:
            reaches[b] = reaches.get(b, 0) + 1
            if len(businesses) > 1:
                shared[b] = shared.get(b, 0) + 1
    rows = []
    for b in G:
        if not _is_business(G, b):
            continue
        adopted = [n for n in G.succ[b] if not _is_business(G, n)]
        best = sorted(adopted, key=lambda n: (-len(reaching.get(n, ())), str(n)))[:top]
        rows.append({"slug": _slug(G, b), "name": G.nodes[b].get("name") or _slug(G, b),
                     "status": G.nodes[b].get("status") or "live", "adopted": len(adopted),
                     "reaches": reaches.get(b, 0), "shared": shared.get(b, 0),
                     "top": [capability_row(G, n, businesses=len(reaching.get(n, ())))
                             for n in best]})
    return sorted(rows, key=lambda row: (row["status"] != "live", -row["adopted"],
                                         row["name"].lower()))


def boundary_of(G: nx.DiGraph, business: Hashable, *, team: str | None = None,
                reaching: Mapping[Hashable, Sequence] | None = None) -> dict[str, Any]:
    """Return what a spin-off of ``business`` would take along, leave behind and cut.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; businesses have ``kind="business"``,
        capabilities ``team`` (slug), ``team_name``, ``team_contact``.
    business : node
        The business node.
    team : str, optional
        Slug of the team that owns the business: the capabilities it owns
        that other businesses reach are what they would lose.
    reaching : mapping, optional
        :func:`businesses_reaching` of ``G``, when already known.

    Returns
    -------
    dict
        ``"uses"``: every capability it reaches, with its ``distance`` (1:
        adopted), ``exclusive`` (no other business reaches it) and
        ``also_used_by`` (the other businesses' slugs), nearest first;
        ``"exclusive"``: those only it reaches (they would go with it);
        ``"shared"``: the others (the same rows); ``"provides_to_others"``: capabilities of ``team`` other
        businesses reach, each with its ``consumers`` (business slugs) and
        whether the business itself ``used`` it; ``"teams"``: every team
        involved with its ``contact`` and counts ``exclusive``, ``shared``,
        ``provides``.

    Raises
    ------
    networkx.NodeNotFound
        If ``business`` is not in the graph.

    Examples
    --------
    >>> G = nx.DiGraph([("b:shop", "orders"), ("b:mall", "orders"), ("orders", "pay"),
    ...                 ("b:shop", "vip")])
    >>> nx.set_node_attributes(G, {"b:shop": "business", "b:mall": "business"}, "kind")
    >>> report = boundary_of(G, "b:shop")
    >>> [(row["slug"], row["distance"]) for row in report["uses"]]
    [('orders', 1), ('vip', 1), ('pay', 2)]
    >>> [row["slug"] for row in report["exclusive"]], report["shared"][0]["also_used_by"]
    (['vip'], ['b:mall'])
    """
    require_nodes(G, business)
    reaching = businesses_reaching(G) if reaching is None else reaching
    distances = nx.single_source_shortest_path_length(G, business)
    uses, exclusive, shared = [], [], []
    others_of: dict[tuple, list[str]] = {}  # per set of businesses: the others' slugs

    def others(node: Hashable) -> list[str]:
        reached_by = tuple(reaching.get(node, ()))
        if reached_by not in others_of:
            others_of[reached_by] = [_slug(G, b) for b in reached_by if b != business]
        return others_of[reached_by]

    for node, distance in sorted(distances.items(), key=lambda item: (item[1], str(item[0]))):
        if node == business or _is_business(G, node):
            continue
        also = others(node)
        row = capability_row(G, node, distance=distance, exclusive=not also, also_used_by=also)
        uses.append(row)
        (shared if also else exclusive).append(row)
    provides = []
    provided = []
    if team:
        for node in G:
            if G.nodes[node].get("team") != team or _is_business(G, node):
                continue
            consumers = others(node)
            if consumers:
                provided.append(node)
                provides.append(capability_row(G, node, consumers=consumers,
                                               used=node in distances))
        provides.sort(key=lambda row: (-len(row["consumers"]), row["slug"]))
    return {"business": _slug(G, business),
            "name": G.nodes[business].get("name") or _slug(G, business), "team": team,
            "uses": uses,
            "exclusive": exclusive, "shared": shared, "provides_to_others": provides,
            "teams": _teams(G, {"exclusive": exclusive, "shared": shared,
                                "provides": provides}, extra=[team] if team else [],
                            nodes=[*distances, *provided])}


def domain_leaders(G: nx.DiGraph, *, reaching: Mapping[Hashable, Sequence] | None = None,
                   top: int = 3) -> dict[str, list[str]]:
    """Return, per domain, its production capabilities most businesses rely on (slugs).

    What a plan offers instead of a deprecated or retired capability, until
    the catalog records replacements.

    Examples
    --------
    >>> G = nx.DiGraph([("b:x", "pay"), ("b:y", "pay"), ("b:x", "wallet")])
    >>> nx.set_node_attributes(G, {"b:x": "business", "b:y": "business"}, "kind")
    >>> nx.set_node_attributes(G, {"pay": "fin", "wallet": "fin"}, "domain")
    >>> nx.set_node_attributes(G, {"pay": "production", "wallet": "production"}, "lifecycle")
    >>> domain_leaders(G)
    {'fin': ['pay', 'wallet']}
    """
    reaching = businesses_reaching(G) if reaching is None else reaching
    by_domain: dict[str, list[Hashable]] = {}
    for node, data in G.nodes(data=True):
        if data.get("lifecycle") == "production" and data.get("domain"):
            by_domain.setdefault(data["domain"], []).append(node)
    return {domain: [_slug(G, n) for n in sorted(
                nodes, key=lambda n: (-len(reaching.get(n, ())), str(n)))[:top]]
            for domain, nodes in sorted(by_domain.items())}


def incubation_reach(G: nx.DiGraph, picks: Iterable[Hashable], *,
                     reaching: Mapping[Hashable, Sequence] | None = None,
                     leaders: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """Return what a new business adopting ``picks`` would use, directly or not.

    The new business is taken as a node adopting each pick: a pick is at
    distance 1, a capability a pick depends on at 2, and so on (the shortest
    chain from any pick).

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    picks : iterable of nodes
        The capability nodes picked (duplicates are ignored).
    reaching : mapping, optional
        :func:`businesses_reaching` of ``G``, when already known: each row
        then says how many businesses already rely on it (``businesses``).
    leaders : mapping, optional
        :func:`domain_leaders` of ``G``: each deprecated or retired warning
        then lists ``alternatives`` (production capabilities of its domain).

    Returns
    -------
    dict
        ``"capabilities"``: every capability used, nearest first, with
        ``distance``, ``picked`` and ``businesses``; ``"teams"``: the owner
        teams to talk to, with ``contact`` and the number of capabilities
        (``capabilities``) and picks (``picked``) they own; ``"warnings"``:
        the capabilities whose lifecycle is in :data:`WARNING_LIFECYCLES`.

    Raises
    ------
    networkx.NodeNotFound
        If a pick is not in the graph.

    Examples
    --------
    >>> G = nx.DiGraph([("vip", "account"), ("cart", "account"), ("account", "sms")])
    >>> [(r["slug"], r["distance"], r["picked"])
    ...  for r in incubation_reach(G, ["vip", "cart"])["capabilities"]]
    [('cart', 1, True), ('vip', 1, True), ('account', 2, False), ('sms', 3, False)]
    """
    chosen = list(dict.fromkeys(picks))
    require_nodes(G, *chosen)
    rows = []
    used = []
    if chosen:
        for level, nodes in enumerate(nx.bfs_layers(G, chosen), start=1):
            for node in sorted(nodes, key=str):
                if _is_business(G, node):
                    continue
                used.append(node)
                rows.append(capability_row(
                    G, node, distance=level, picked=level == 1,
                    businesses=len(reaching.get(node, ())) if reaching is not None else None))
    picked = {row["slug"] for row in rows if row["picked"]}
    return {"capabilities": rows,
            "teams": _teams(G, {"capabilities": rows,
                                "picked": [row for row in rows if row["slug"] in picked]},
                            nodes=used),
            "warnings": [{**row, "alternatives": [
                slug for slug in (leaders or {}).get(row["domain"], ()) if slug != row["slug"]]
                if row["lifecycle"] in ("deprecated", "retired") else []}
                for row in rows if row["lifecycle"] in WARNING_LIFECYCLES]}


def similar_adoptions(G: nx.DiGraph, picks: Iterable[Hashable], *, limit: int = 8,
                      businesses: Iterable[Hashable] | None = None) -> list[dict[str, Any]]:
    """Return what businesses that adopted sets like ``picks`` also adopted.

    Each business is weighed by the Jaccard similarity of what it adopts
    (its direct successors) and ``picks``; a capability it adopts and the
    picks lack scores that weight, summed over businesses. Businesses with
    nothing in common with the picks do not count.

    ``businesses`` are the business nodes of ``G`` when already known (else
    the graph is scanned for them).

    Returns
    -------
    list of dict
        At most ``limit`` capability rows, best first, each with ``score``
        (rounded to 3 decimals) and ``adopted_by`` (business slugs).

    Examples
    --------
    >>> G = nx.DiGraph([("b:a", "vip"), ("b:a", "cart"), ("b:b", "vip"), ("b:b", "coupon"),
    ...                 ("b:c", "video")])
    >>> nx.set_node_attributes(G, {"b:a": "business", "b:b": "business",
    ...                            "b:c": "business"}, "kind")
    >>> [(r["slug"], r["score"]) for r in similar_adoptions(G, ["vip"])]
    [('cart', 0.5), ('coupon', 0.5)]
    """
    chosen = set(picks)
    scores: dict[Hashable, float] = {}
    adopters: dict[Hashable, list[str]] = {}
    if not chosen:
        return []
    for b in (businesses if businesses is not None else G):
        if not _is_business(G, b):
            continue
        adopted = set(G.succ[b])
        common = len(adopted & chosen)
        if not common:
            continue
        weight = common / len(adopted | chosen)
        for node in adopted - chosen:
            scores[node] = scores.get(node, 0.0) + weight
            adopters.setdefault(node, []).append(b)
    ranked = list(itertools.islice((n for n in sorted(scores, key=lambda n: (-scores[n], str(n)))
                                    if G.nodes[n].get("lifecycle") != "retired"), limit))
    return [capability_row(G, n, score=round(scores[n], 3),
                           adopted_by=[_slug(G, b) for b in adopters[n]]) for n in ranked]


def _teams(G: nx.DiGraph, groups: Mapping[str, list[dict[str, Any]]], *,
           extra: Iterable[str] = (), nodes: Iterable[Hashable] = ()) -> list[dict[str, Any]]:
    """Return the owner teams of the rows in ``groups``, with a count per group.

    Names and contacts are read off ``nodes`` (the nodes of the rows); the
    whole graph is scanned only for an ``extra`` team none of them has.
    """
    contacts: dict[str, tuple[str | None, str]] = {}

    def note(data: Mapping[str, Any]) -> None:
        if data.get("team") and data["team"] not in contacts:
            contacts[data["team"]] = (data.get("team_name"), data.get("team_contact") or "")

    for node in nodes:
        note(G.nodes[node])
    if any(team not in contacts for team in extra):
        for _, data in G.nodes(data=True):
            note(data)
    teams: dict[str, dict[str, Any]] = {}

    def entry(slug: str) -> dict[str, Any]:
        if slug not in teams:
            name, contact = contacts.get(slug, (None, ""))
            teams[slug] = {"slug": slug, "name": name or slug, "contact": contact,
                           **dict.fromkeys(groups, 0)}
        return teams[slug]

    for slug in extra:
        entry(slug)
    for group, rows in groups.items():
        for row in rows:
            if row.get("team"):
                entry(row["team"])[group] += 1
    first = next(iter(groups), None)
    return sorted(teams.values(), key=lambda t: (-(t[first] if first else 0), t["slug"]))


#: Capabilities a boundary figure draws at most (nearest first), whatever the catalog's size.
FIGURE_NODES = 120
#: Of those, how many carry a label: what goes with it first (the rest on hover).
FIGURE_LABELS = 24
#: At most this many per distance and side of the boundary, in sub-columns of GROUP_ROWS;
#: a crowded group's names are on hover only, and "+N more" says what is left out.
GROUP_NODES = 40
GROUP_ROWS = 10
INSIDE, SHARED, LOST, BUSINESS = "#16a34a", "#d97706", "#7c3aed", "#0f172a"


def boundary_figure(G: nx.DiGraph, report: Mapping[str, Any], *,
                    limit: int = FIGURE_NODES) -> dict[str, Any]:
    """Draw a business's boundary: what goes with it above the line, what stays shared below.

    Columns are distances from the business (1: adopted); capabilities only
    it reaches sit above the dashed boundary line, shared ones below it, and
    the capabilities its team owns that others use (they would lose them)
    in a last column. At most ``limit`` capabilities are drawn, nearest
    first and at most :data:`GROUP_NODES` per distance and side; "+N more"
    marks what a group leaves out and the summary counts it.

    Parameters
    ----------
    G : networkx.DiGraph
        The graph the report was computed on (for the edges between drawn nodes).
    report : mapping
        :func:`boundary_of` of a business.

    Returns
    -------
    dict
        A plotly figure (``data``, ``layout``) and a ``summary`` sentence.

    Examples
    --------
    >>> G = nx.DiGraph([("business:shop", "capability:vip")])
    >>> G.nodes["business:shop"]["kind"] = "business"
    >>> fig = boundary_figure(G, boundary_of(G, "business:shop"))
    >>> fig["summary"]
    'shop: 1 capability would go with it, 0 shared, and others would lose 0.'
    """
    uses = sorted(report["uses"], key=lambda r: (r["distance"], not r["exclusive"], r["slug"]))
    columns: dict[tuple[int, bool], list[dict[str, Any]]] = {}
    hidden: dict[tuple[int, bool], int] = {}
    shown = []
    for row in uses:  # nearest first, at most GROUP_NODES per distance and side
        key = (row["distance"], row["exclusive"])
        if len(shown) < limit and len(columns.setdefault(key, [])) < GROUP_NODES:
            columns[key].append(row)
            shown.append(row)
        else:
            hidden[key] = hidden.get(key, 0) + 1
    columns = {key: rows for key, rows in columns.items() if rows}
    last = max((r["distance"] for r in shown), default=0) + 1
    unused = [r for r in report["provides_to_others"] if not r["used"]]
    lost = unused[:min(GROUP_NODES, max(0, limit - len(shown)))]
    if lost:
        columns[(last, True)] = [{**row, "lost": True} for row in lost]
    if len(unused) > len(lost):
        hidden[(last, True)] = len(unused) - len(lost)
    xy: dict[str, tuple[float, float]] = {}
    crowded: set[str] = set()
    for (x, inside), rows in columns.items():
        # a crowded group is spread over side-by-side sub-columns of GROUP_ROWS
        subs = -(-len(rows) // GROUP_ROWS)
        for i, row in enumerate(rows):
            dx = (i // GROUP_ROWS - (subs - 1) / 2) * (0.7 / subs) if subs > 1 else 0.0
            y = i % GROUP_ROWS + 1
            xy[row["slug"]] = (round(x + dx, 4), y if inside else -y)
            if subs > 1:
                crowded.add(row["slug"])
    name = report.get("name") or report["business"]
    traces: list[dict[str, Any]] = []
    xs: list[Any] = []
    ys: list[Any] = []
    home = business_node(report["business"])
    for row in shown:
        if row["distance"] == 1:
            _segment(xs, ys, (0, 0), xy[row["slug"]])
    for u in shown:
        node = capability_node(u["slug"])
        if node not in G:
            continue
        for v in G.succ[node]:
            slug = _slug(G, v)
            if slug in xy and v != home:
                _segment(xs, ys, xy[u["slug"]], xy[slug])
    if xs:
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
                       "line": {"color": "#cbd5e1", "width": 1}, "showlegend": False})
    # What goes with it (and what others would lose) is the story: those are labelled;
    # the shared rest, often many to a column, is named on hover and in the tables.
    labelled = {r["slug"] for r in [*(r for r in shown if r["exclusive"]), *lost]
                if r["slug"] not in crowded}
    labelled = set(sorted(labelled, key=lambda slug: xy[slug])[:FIGURE_LABELS])
    for title, colour, rows in (
            ("Goes with it", INSIDE, [r for r in shown if r["exclusive"]]),
            ("Shared with other businesses", SHARED, [r for r in shown if not r["exclusive"]]),
            ("Its team's, others would lose", LOST, lost)):
        if not rows:
            continue
        traces.append({
            "type": "scatter", "mode": "markers+text", "name": title,
            "x": [xy[r["slug"]][0] for r in rows], "y": [xy[r["slug"]][1] for r in rows],
            "text": [inert(r["name"]) if r["slug"] in labelled else "" for r in rows],
            "textposition": "middle right", "textfont": {"size": 10},
            "marker": {"size": 10, "color": colour, "line": {"color": "#ffffff", "width": 1}},
            "customdata": [[inert(r["name"]), inert(r.get("team_name") or r.get("team") or "none"),
                            inert(", ".join(r.get("also_used_by") or r.get("consumers") or []))]
                           for r in rows],
            "hovertemplate": "<b>%{customdata[0]}</b><br>owner: %{customdata[1]}"
                             "<br>also used by: %{customdata[2]}<extra></extra>"})
    traces.append({"type": "scatter", "mode": "markers+text", "name": "The business",
                   "x": [0], "y": [0], "text": [inert(name)], "textposition": "top center",
                   "marker": {"size": 16, "color": BUSINESS, "symbol": "diamond"},
                   "hovertemplate": f"<b>{inert(name)}</b><extra></extra>"})
    high = max((y for _, y in xy.values()), default=1)
    low = min((y for _, y in xy.values()), default=-1)
    more = len(uses) - len(shown)
    notes = [{"text": f"+{n:,} more", "x": x, "y": (GROUP_ROWS + 1) if inside else -(GROUP_ROWS + 1),
              "showarrow": False, "font": {"size": 11, "color": "#64748b"}}
             for (x, inside), n in sorted(hidden.items())]
    summary = (f"{name}: {len(report['exclusive']):,} "
               f"{'capability' if len(report['exclusive']) == 1 else 'capabilities'} would go "
               f"with it, {len(report['shared']):,} shared, and others would lose "
               f"{len(report['provides_to_others']):,}.")
    if more > 0:
        summary += (f" {len(shown)} of the nearest are drawn; {more:,} more are in the "
                    "tables.")
    ticks = list(range(0, last + 1 if lost else last))
    layout = {
        "title": {"text": f"What a spin-off of {inert(name)} would take", "x": 0,
                  "xanchor": "left"},
        "height": 480, "margin": {"l": 40, "r": 24, "t": 56, "b": 48},
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0, "y": -0.08, "yanchor": "top"},
        "xaxis": {"tickvals": ticks, "ticktext": [
            "business" if t == 0 else ("owned, used by others" if lost and t == last
                                       else f"{t} hop{'s' if t > 1 else ''}") for t in ticks],
            "zeroline": False, "showgrid": False, "fixedrange": True,
            "range": [-0.5, (last if lost else last - 1) + 0.9]},
        "yaxis": {"visible": False, "fixedrange": True,
                  "range": [min(low, -(GROUP_ROWS + 1) if hidden else low) - 1,
                            max(high, GROUP_ROWS + 1 if hidden else high) + 1]},
        "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                    "line": {"color": "#dc2626", "width": 2, "dash": "dash"}}],
        "annotations": [
            {"text": "spin-off boundary: above goes with it, below stays shared",
             "xref": "paper", "x": 1, "xanchor": "right", "y": 0, "yanchor": "top",
             "showarrow": False, "font": {"size": 11, "color": "#dc2626"}}, *notes],
    }
    return {"data": traces, "layout": layout, "summary": summary}


def _segment(xs: list, ys: list, a: tuple[float, float], b: tuple[float, float]) -> None:
    xs.extend((a[0], b[0], None))
    ys.extend((a[1], b[1], None))
