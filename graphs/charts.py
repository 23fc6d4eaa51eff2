"""Plotly figures of reuse and lead time, as plain dicts, and the reuse matrix grid.

Names from the catalog (businesses, capabilities, domains, titles) are made
inert with :func:`graphs.labels.inert`: plotly would read their markup. Every
function takes the metrics as :mod:`catalog.metrics` and
:mod:`graphs.metrics` return them (lists and dicts, never a query or a
request) and returns a figure ``{"data": [...], "layout": {...}, "summary":
str}``: ``data`` and ``layout`` go to ``Plotly.react`` as they are (plain
lists, numbers rounded, no plotly.py objects), ``summary`` is one or two
plain sentences saying what the chart shows, for a caption and screen
readers. Every figure has a title and axis titles with their units; an
empty input gives an empty figure whose annotation says so, not a broken
chart. :func:`matrix_grid` turns the business x capability matrix into rows
for an HTML table (a grid of links reads better than a heatmap there).
"""

import bisect
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from catalog.metrics import COHORTS, percentile
from catalog.vocabulary import LAYER_COLOURS, LAYER_LABELS, LAYER_TINTS, LAYERS
from graphs.labels import inert

__all__ = [
    "business_lead_times",
    "capability_treemap",
    "cohort_boxes",
    "figure_table",
    "lead_time_and_reuse",
    "lead_time_trend",
    "matrix_grid",
    "reuse_rate_trend",
    "sparkline",
]

FONT = {"family": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', "size": 12,
        "color": "#334155"}
GRID = "#e2e8f0"
MEDIAN = "#2563eb"
P85 = "#d97706"
REUSE = "#0d9488"
COHORT_COLOURS = {"none": "#94a3b8", "1-2": "#60a5fa", "3+": "#1d4ed8"}
COHORT_LABELS = {"none": "None", "1-2": "1-2", "3+": "3+"}
LIFECYCLE_COLOURS = {"production": "#16a34a", "approved": "#3b82f6", "proposed": "#94a3b8",
                     "deprecated": "#f97316", "retired": "#6b7280"}
OTHER = "#cbd5e1"
TREEMAP_LIMIT = 300


# -- every chart as a table ------------------------------------------------------------

_MARKUP = re.compile(r"<br>|</?b>")
_BOX_STATS = (("lowerfence", "Low"), ("q1", "25th percentile"), ("median", "Median"),
              ("q3", "75th percentile"), ("upperfence", "High"))


def figure_table(figure: Mapping[str, Any]) -> dict[str, list]:
    """Return the numbers a figure draws as ``{"columns": [...], "rows": [[...]]}``.

    The table a page shows beside (and, without JavaScript, instead of) the
    chart: one row per category (quarter, business, cohort) with one column
    per trace; a box plot's row holds its five numbers, a treemap's its tile,
    parent and value. Labels lose the markup the figures add (``<br>``,
    ``<b>``) and their escaping; None is left empty. An empty figure gives no
    rows.

    Examples
    --------
    >>> figure_table(lead_time_trend([
    ...     {"quarter": "2024Q1", "count": 3, "median_days": 94.0, "p85_days": 120.0},
    ...     {"quarter": "2024Q2", "count": 0, "median_days": None, "p85_days": None}]))
    {'columns': ['Quarter', 'Median', '85th percentile'], 'rows': [['2024Q1', 94.0, 120.0], ['2024Q2', None, None]]}
    >>> figure_table(cohort_boxes({"3+": [10, 17, 20]}))["rows"]
    [['3+ (3)', 10, 13.5, 17.0, 18.5, 20]]
    """
    traces = [t for t in figure.get("data") or [] if t.get("type") != "box" or t.get("median")]
    if not traces:
        return {"columns": [], "rows": []}
    if traces[0].get("type") == "treemap":
        trace = traces[0]
        names = dict(zip(trace.get("ids") or trace["labels"], trace["labels"], strict=False))
        return {"columns": ["Tile", "Within", "Capabilities"],
                "rows": [[_plain(label), _plain(names.get(parent, parent)), value]
                         for label, parent, value in zip(trace["labels"], trace["parents"],
                                                         trace["values"], strict=False)]}
    if traces[0].get("type") == "box":
        return {"columns": [_axis_title(figure, "xaxis")] + [label for _, label in _BOX_STATS],
                "rows": [[_plain(t["name"])] + [t[key][0] for key, _ in _BOX_STATS]
                         for t in traces]}
    across = "y" if traces[0].get("orientation") == "h" else "x"
    along = "x" if across == "y" else "y"
    categories: list = []
    values: dict[tuple[int, Any], Any] = {}
    for i, trace in enumerate(traces):
        for category, value in zip(trace.get(across) or [], trace.get(along) or [], strict=False):
            if category not in categories:
                categories.append(category)
            values[i, category] = value
    columns = [_axis_title(figure, across + "axis")] + [
        _plain(t.get("name") or f"Series {i + 1}") for i, t in enumerate(traces)]
    return {"columns": columns,
            "rows": [[_plain(c)] + [values.get((i, c)) for i in range(len(traces))]
                     for c in categories]}


def _axis_title(figure: Mapping[str, Any], axis: str) -> str:
    title = ((figure.get("layout") or {}).get(axis) or {}).get("title") or {}
    return _plain(title.get("text") if isinstance(title, Mapping) else title) or "Category"


def _plain(text: Any) -> str:
    """Return a plotly label as plain text: its markup dropped, its escaping undone."""
    return html.unescape(_MARKUP.sub(" ", str(text if text is not None else ""))).strip()


# -- lead time ------------------------------------------------------------------------


def lead_time_trend(quarters: Sequence[Mapping[str, Any]], *,
                    title: str = "Lead time per quarter") -> dict[str, Any]:
    """Return a line chart of the median and 85th percentile lead time per quarter.

    Parameters
    ----------
    quarters : sequence of mappings
        ``{"quarter", "count", "median_days", "p85_days"}`` per quarter, as
        ``delivery_metrics(...)["quarters"]`` returns them (quarters without
        deliveries have None and leave a gap).
    title : str
        The chart's title.

    Returns
    -------
    dict
        A figure: two ``scatter`` line traces (median, p85) over the quarters.

    Examples
    --------
    >>> fig = lead_time_trend([
    ...     {"quarter": "2024Q1", "count": 3, "median_days": 94.0, "p85_days": 120.0},
    ...     {"quarter": "2024Q2", "count": 0, "median_days": None, "p85_days": None},
    ...     {"quarter": "2024Q3", "count": 5, "median_days": 24.0, "p85_days": 40.5}])
    >>> [trace["name"] for trace in fig["data"]]
    ['Median', '85th percentile']
    >>> fig["summary"]
    'Median lead time fell from 94 days in 2024Q1 to 24 days in 2024Q3 (85th percentile: from 120 to 40.5 days), over 8 deliveries.'
    """
    known = [q for q in quarters if q["count"]]
    if not known:
        return _empty(title, "No delivered deliveries in this selection.",
                      "Quarter", "Lead time (days)")
    labels = [q["quarter"] for q in quarters]
    counts = [q["count"] for q in quarters]
    data = [
        _line(labels, [q["median_days"] for q in quarters], "Median", MEDIAN, counts,
              "median %{y} days"),
        _line(labels, [q["p85_days"] for q in quarters], "85th percentile", P85, counts,
              "p85 %{y} days", dash="dash"),
    ]
    first, last = known[0], known[-1]
    total = sum(counts)
    if first is last:
        summary = (f"Median lead time was {_days(first['median_days'])} in {first['quarter']} "
                   f"(85th percentile {_days(first['p85_days'])}), over "
                   f"{_count(total, 'delivery', 'deliveries')}.")
    else:
        summary = (f"Median lead time {_moved(first['median_days'], last['median_days'])} "
                   f"{_days(first['median_days'])} in {first['quarter']} to "
                   f"{_days(last['median_days'])} in {last['quarter']} (85th percentile: from "
                   f"{_number(first['p85_days'])} to {_days(last['p85_days'])}), over "
                   f"{_count(total, 'delivery', 'deliveries')}.")
    layout = _layout(title, "Quarter", "Lead time (days)")
    return {"data": data, "layout": layout, "summary": summary}


def business_lead_times(businesses: Sequence[Mapping[str, Any]], *,
                        title: str = "Lead time by business") -> dict[str, Any]:
    """Return grouped horizontal bars of each business's median and p85 lead time.

    Parameters
    ----------
    businesses : sequence of mappings
        ``{"slug", "name", "count", "median_days", "p85_days", "reused_share"}``
        per business, as ``delivery_metrics(...)["businesses"]`` returns them.
    title : str
        The chart's title.

    Returns
    -------
    dict
        A figure: two ``bar`` traces (median, p85), slowest business on top.

    Examples
    --------
    >>> fig = business_lead_times([
    ...     {"slug": "fliggy", "name": "Fliggy", "count": 4, "median_days": 89.0,
    ...      "p85_days": 102.0, "reused_share": 0.067},
    ...     {"slug": "xianyu", "name": "Xianyu", "count": 9, "median_days": 30.5,
    ...      "p85_days": 98.0, "reused_share": 0.744}])
    >>> fig["data"][0]["y"], fig["data"][0]["type"]
    (['Fliggy', 'Xianyu'], 'bar')
    >>> fig["summary"]
    'Fliggy is the slowest (median 89 days; 7% of its deliveries reused a capability); Xianyu the fastest (median 30.5 days; 74% reused one).'
    """
    rows = sorted((b for b in businesses if b["count"]),
                  key=lambda b: (-(b["median_days"] or 0), b["name"].lower()))
    if not rows:
        return _empty(title, "No delivered deliveries in this selection.",
                      "Lead time (days)", "Business")
    names = [inert(b["name"]) for b in rows]
    hover = [f"{b['count']:,} deliveries, {_share(b['reused_share'], 0)} reused a capability"
             for b in rows]

    def bars(key, name, colour):
        return {"type": "bar", "orientation": "h", "name": name, "y": names,
                "x": [b[key] for b in rows], "marker": {"color": colour},
                "customdata": hover,
                "hovertemplate": f"<b>%{{y}}</b><br>{name.lower()} %{{x}} days<br>"
                                 "%{customdata}<extra></extra>"}

    data = [bars("median_days", "Median", MEDIAN), bars("p85_days", "85th percentile", P85)]
    layout = _layout(title, "Lead time (days)", "Business",
                     height=max(320, 90 + 34 * len(rows)), hovermode="closest")
    layout["barmode"] = "group"
    layout["xaxis"].update(type="linear", rangemode="tozero")
    layout["yaxis"].update(type="category", autorange="reversed")
    layout["yaxis"].pop("rangemode")
    slow, fast = rows[0], rows[-1]
    if slow is fast:
        summary = (f"{slow['name']}: median {_days(slow['median_days'])}, 85th percentile "
                   f"{_days(slow['p85_days'])}; {_share(slow['reused_share'], 0)} of its "
                   "deliveries reused a capability.")
    else:
        summary = (f"{slow['name']} is the slowest (median {_days(slow['median_days'])}; "
                   f"{_share(slow['reused_share'], 0)} of its deliveries reused a capability); "
                   f"{fast['name']} the fastest (median {_days(fast['median_days'])}; "
                   f"{_share(fast['reused_share'], 0)} reused one).")
    return {"data": data, "layout": layout, "summary": summary}


def cohort_boxes(days: Mapping[str, Sequence[int]], *,
                 title: str = "Lead time by capabilities reused") -> dict[str, Any]:
    """Return box plots of lead time per cohort: no reuse, 1-2 and 3+ capabilities reused.

    The boxes are precomputed (quartiles by :func:`catalog.metrics.percentile`,
    whiskers at the furthest lead time within 1.5 interquartile ranges of the
    box), so the figure stays small however many deliveries there are.

    Parameters
    ----------
    days : mapping
        ``{cohort: lead times in days}``, as
        :func:`catalog.metrics.cohort_lead_times` returns them.
    title : str
        The chart's title.

    Returns
    -------
    dict
        A figure: one ``box`` trace per cohort that has deliveries.

    Examples
    --------
    >>> fig = cohort_boxes({"none": [80, 90, 95, 100, 300], "1-2": [], "3+": [10, 17, 20]})
    >>> [(t["name"], t["median"], t["upperfence"]) for t in fig["data"]]
    [('None (5)', [95.0], [100]), ('3+ (3)', [17.0], [20])]
    >>> fig["summary"]
    'Deliveries that reused 3+ capabilities took a median 17 days, against 95 days for those that reused none.'
    """
    data = []
    medians = {}
    for cohort in COHORTS:
        values = sorted(days.get(cohort) or [])
        if not values:
            continue
        q1, median, q3 = (percentile(values, p) for p in (25, 50, 75))
        reach = 1.5 * (q3 - q1)
        low = values[bisect.bisect_left(values, q1 - reach)]
        high = values[bisect.bisect_right(values, q3 + reach) - 1]
        medians[cohort] = median
        label = f"{COHORT_LABELS[cohort]} ({len(values):,})"
        tick = f"{COHORT_LABELS[cohort]}<br>{_count(len(values), 'delivery', 'deliveries')}"
        data.append({"type": "box", "name": label, "x": [tick], "q1": [q1],
                     "median": [median], "q3": [q3], "lowerfence": [low], "upperfence": [high],
                     "marker": {"color": COHORT_COLOURS[cohort]},
                     "line": {"color": COHORT_COLOURS[cohort]},
                     "fillcolor": COHORT_COLOURS[cohort] + "66", "boxpoints": False,
                     "hoverinfo": "y+name"})
    if not data:
        return _empty(title, "No delivered deliveries in this selection.",
                      "Capabilities reused", "Lead time (days)")
    layout = _layout(title, "Capabilities reused", "Lead time (days)", showlegend=False,
                     hovermode="closest", height=380)
    return {"data": data, "layout": layout, "summary": _cohort_summary(medians)}


# -- reuse ---------------------------------------------------------------------------


def reuse_rate_trend(series: Sequence[Mapping[str, Any]], *,
                     title: str = "Reuse rate per quarter") -> dict[str, Any]:
    """Return a line chart of the reuse rate at the end of each quarter.

    Parameters
    ----------
    series : sequence of mappings
        ``{"quarter", "reuse_rate", "production", "reused"}`` per quarter, as
        :func:`graphs.metrics.reuse_over_time` returns them.
    title : str
        The chart's title.

    Returns
    -------
    dict
        A figure: one ``scatter`` line trace, the rate in percent.

    Examples
    --------
    >>> fig = reuse_rate_trend([
    ...     {"quarter": "2024Q1", "reuse_rate": 0.531, "production": 81, "reused": 43},
    ...     {"quarter": "2024Q2", "reuse_rate": 0.765, "production": 81, "reused": 62}])
    >>> fig["data"][0]["y"]
    [53.1, 76.5]
    >>> fig["summary"]
    'The reuse rate rose from 53.1% in 2024Q1 to 76.5% in 2024Q2: 62 of 81 production capabilities are reached by two or more businesses.'
    """
    points = [s for s in series if s["production"]]
    if not points:
        return _empty(title, "No capability is in production yet.", "Quarter", "Reuse rate (%)")
    labels = [s["quarter"] for s in series]
    rates = [round(s["reuse_rate"] * 100, 1) if s["production"] else None for s in series]
    hover = [f"{s['reused']:,} of {s['production']:,} production capabilities" for s in series]
    data = [{"type": "scatter", "mode": "lines+markers", "name": "Reuse rate", "x": labels,
             "y": rates, "line": {"color": REUSE, "width": 3}, "marker": {"size": 7},
             "fill": "tozeroy", "fillcolor": "rgba(13, 148, 136, 0.08)", "customdata": hover,
             "hovertemplate": "%{x}: %{y}%<br>%{customdata}<extra></extra>"}]
    layout = _layout(title, "Quarter", "Reuse rate (%)", showlegend=False)
    layout["yaxis"].update(range=[0, 100], ticksuffix="%")
    first, last = points[0], points[-1]
    now = (f"{last['reused']:,} of {last['production']:,} production capabilities are reached by "
           "two or more businesses.")
    if first is last:
        summary = f"The reuse rate was {_share(last['reuse_rate'])} in {last['quarter']}: {now}"
    else:
        summary = (f"The reuse rate {_moved(first['reuse_rate'], last['reuse_rate'])} "
                   f"{_share(first['reuse_rate'])} in {first['quarter']} to "
                   f"{_share(last['reuse_rate'])} in {last['quarter']}: {now}")
    return {"data": data, "layout": layout, "summary": summary}


def capability_treemap(capabilities: Sequence[Mapping[str, Any]], *,
                       limit: int = TREEMAP_LIMIT,
                       title: str = "Capability map by business reach") -> dict[str, Any]:
    """Return a treemap of layer -> domain -> capability, sized by business reach.

    Capabilities are coloured by lifecycle, layers by their colour. Those
    that no business reaches have no area and are left out; beyond the
    ``limit`` capabilities of highest reach, each domain's rest is one tile
    per lifecycle ("612 more production"), so a catalog of 10,000 stays
    drawable and keeps its colours.

    Parameters
    ----------
    capabilities : sequence of mappings
        ``{"slug", "name", "layer", "domain", "domain_name", "lifecycle",
        "business_reach"}`` per capability.
    limit : int
        Most capability tiles drawn.
    title : str
        The chart's title.

    Returns
    -------
    dict
        A figure: one ``treemap`` trace with ``ids``, ``labels``, ``parents``
        and ``values``.

    Examples
    --------
    >>> fig = capability_treemap([
    ...     {"slug": "vip", "name": "VIP", "layer": "business-platform", "domain": "member",
    ...      "domain_name": "Membership", "lifecycle": "production", "business_reach": 3},
    ...     {"slug": "mq", "name": "MQ", "layer": "infrastructure", "domain": "middleware",
    ...      "domain_name": "Middleware", "lifecycle": "deprecated", "business_reach": 2},
    ...     {"slug": "idle", "name": "Idle", "layer": "infrastructure", "domain": "middleware",
    ...      "domain_name": "Middleware", "lifecycle": "proposed", "business_reach": 0}])
    >>> trace = fig["data"][0]
    >>> list(zip(trace["labels"], trace["parents"], trace["values"]))  # doctest: +NORMALIZE_WHITESPACE
    [('Business platform', '', 0), ('Membership', 'layer:business-platform', 0),
     ('VIP', 'domain:member', 3), ('Infrastructure', '', 0),
     ('Middleware', 'layer:infrastructure', 0), ('MQ', 'domain:middleware', 2)]
    >>> fig["summary"]
    'Sized by how many businesses reach each capability: VIP reaches the most (3 businesses). 2 of 3 capabilities are reached by a business; 1 that none reaches is not shown.'
    """
    reached = sorted((c for c in capabilities if c["business_reach"] > 0),
                     key=lambda c: -c["business_reach"])  # stable: ties keep their order
    if not reached:
        return _empty(title, "No business reaches a capability yet.", "", "", axes=False)
    shown, rest = reached[:max(limit, 0)], reached[max(limit, 0):]
    ids, labels, parents, values, colours, hover = [], [], [], [], [], []

    def tile(id_, label, parent, value, colour, text):
        ids.append(id_)
        labels.append(label)
        parents.append(parent)
        values.append(value)
        colours.append(colour)
        hover.append(text)

    by_layer: dict[str, dict[str, list]] = {}
    for c in shown:
        by_layer.setdefault(c["layer"], {}).setdefault(c["domain"], []).append(c)
    others: dict[str, dict[str, list]] = {}
    for c in rest:
        others.setdefault(c["domain"], {}).setdefault(c["lifecycle"], []).append(c)
        by_layer.setdefault(c["layer"], {}).setdefault(c["domain"], [])
    domain_names = {c["domain"]: c["domain_name"] or c["domain"] for c in reached}
    order = [layer for layer in LAYERS if layer in by_layer] + sorted(
        layer for layer in by_layer if layer not in LAYERS)
    for layer in order:
        tile(f"layer:{layer}", LAYER_LABELS.get(layer, layer), "", 0,
             LAYER_COLOURS.get(layer, OTHER), "layer")
        for domain in sorted(by_layer[layer], key=lambda d: domain_names[d].lower()):
            tile(f"domain:{domain}", inert(domain_names[domain]), f"layer:{layer}", 0,
                 LAYER_TINTS.get(layer, "#f1f5f9"), "domain")
            for c in by_layer[layer][domain]:
                tile(f"capability:{c['slug']}", inert(c["name"]), f"domain:{domain}",
                     c["business_reach"], LIFECYCLE_COLOURS.get(c["lifecycle"], OTHER),
                     f"{c['lifecycle']} · reached by {_count(c['business_reach'], 'business')}")
            for lifecycle, more in sorted(others.get(domain, {}).items()):
                tile(f"other:{domain}:{lifecycle}", f"{len(more):,} more {lifecycle}",
                     f"domain:{domain}", sum(c["business_reach"] for c in more),
                     LIFECYCLE_COLOURS.get(lifecycle, OTHER),
                     f"{_count(len(more), 'capability', 'capabilities')} of smaller reach, "
                     "not drawn one by one")
    data = [{"type": "treemap", "ids": ids, "labels": labels, "parents": parents,
             "values": values, "branchvalues": "remainder", "marker": {"colors": colours},
             "customdata": hover, "textinfo": "label", "maxdepth": 3,
             "pathbar": {"visible": True},
             "hovertemplate": "<b>%{label}</b><br>%{customdata}<extra></extra>"}]
    layout = _layout(title, "", "", height=520, hovermode="closest")
    for axis in ("xaxis", "yaxis"):
        layout.pop(axis)
    layout["margin"] = {"l": 4, "r": 4, "t": 44, "b": 4}
    top = reached[0]
    ties = [c for c in reached if c["business_reach"] == top["business_reach"]]
    leaders = (", ".join(c["name"] for c in ties[:3]) + f" and {len(ties) - 3:,} more"
               if len(ties) > 3 else _names([c["name"] for c in ties]))
    verb = "reaches" if len(ties) == 1 else "reach"
    each = "" if len(ties) == 1 else " each"
    unreached = len(capabilities) - len(reached)
    summary = (f"Sized by how many businesses reach each capability: {leaders} {verb} the "
               f"most ({_count(top['business_reach'], 'business')}{each}). "
               f"{len(reached):,} of {len(capabilities):,} capabilities are reached by a "
               "business" + (f"; {unreached:,} that none reaches "
                             f"{'is' if unreached == 1 else 'are'} not shown." if unreached
                             else "."))
    return {"data": data, "layout": layout, "summary": summary}


def lead_time_and_reuse(quarters: Sequence[Mapping[str, Any]],
                        series: Sequence[Mapping[str, Any]], *,
                        title: str = "Lead time falls as reuse grows") -> dict[str, Any]:
    """Return the median lead time and the reuse rate per quarter on one chart (two axes).

    Parameters
    ----------
    quarters : sequence of mappings
        Lead time per quarter, as ``delivery_metrics(...)["quarters"]``.
    series : sequence of mappings
        Reuse rate per quarter, as :func:`graphs.metrics.reuse_over_time`;
        its quarters are the x axis.
    title : str
        The chart's title.

    Returns
    -------
    dict
        A figure: a ``bar`` trace of median lead time (left axis, days) and a
        ``scatter`` line of the reuse rate (right axis, percent).

    Examples
    --------
    >>> fig = lead_time_and_reuse(
    ...     [{"quarter": "2024Q1", "count": 5, "median_days": 94.0, "p85_days": 130.0},
    ...      {"quarter": "2024Q2", "count": 4, "median_days": 20.0, "p85_days": 60.0}],
    ...     [{"quarter": "2024Q1", "reuse_rate": 0.5, "production": 8, "reused": 4},
    ...      {"quarter": "2024Q2", "reuse_rate": 0.75, "production": 8, "reused": 6}])
    >>> [t["type"] for t in fig["data"]], fig["layout"]["yaxis2"]["title"]["text"]
    (['bar', 'scatter'], 'Reuse rate (%)')
    >>> fig["summary"]
    'Median lead time fell from 94 days in 2024Q1 to 20 days in 2024Q2 while the reuse rate rose from 50% to 75%.'
    """
    labels = [s["quarter"] for s in series]
    lead = {q["quarter"]: q for q in quarters if q["count"]}
    if not labels or not lead.keys() & set(labels):
        return _empty(title, "Not enough deliveries yet to compare lead time with reuse.",
                      "Quarter", "Median lead time (days)")
    medians = [lead[q]["median_days"] if q in lead else None for q in labels]
    rates = [round(s["reuse_rate"] * 100, 1) if s["production"] else None for s in series]
    counts = [lead[q]["count"] if q in lead else 0 for q in labels]
    data = [
        {"type": "bar", "name": "Median lead time (days)", "x": labels, "y": medians,
         "marker": {"color": "rgba(37, 99, 235, 0.75)"}, "customdata": counts,
         "hovertemplate": "median %{y} days (%{customdata} deliveries)<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "Reuse rate (%)", "x": labels,
         "y": rates, "yaxis": "y2", "line": {"color": REUSE, "width": 3},
         "marker": {"size": 7}, "hovertemplate": "reuse rate %{y}%<extra></extra>"},
    ]
    layout = _layout(title, "Quarter", "Median lead time (days)", height=340)
    layout["yaxis2"] = {"title": {"text": "Reuse rate (%)"}, "overlaying": "y", "side": "right",
                        "range": [0, 100], "tickmode": "linear", "tick0": 0, "dtick": 25,
                        "ticksuffix": "%", "showgrid": False, "zeroline": False,
                        "fixedrange": True}
    layout["margin"]["r"] = 56
    known = [(q, m, r) for q, m, r in zip(labels, medians, rates, strict=True)
             if m is not None and r is not None]
    (q0, m0, r0), (q1, m1, r1) = known[0], known[-1]
    summary = (f"Median lead time {_moved(m0, m1)} {_days(m0)} in {q0} to {_days(m1)} in {q1} "
               f"while the reuse rate {_moved(r0, r1)} {_number(r0)}% to {_number(r1)}%.")
    return {"data": data, "layout": layout, "summary": summary}


def sparkline(labels: Sequence[str], values: Sequence[float | None], *, title: str,
              unit: str, colour: str = MEDIAN) -> dict[str, Any]:
    """Return a small trend line for a KPI card: a title, no visible axes.

    The axes keep their titles ("Quarter" and ``unit``) for the hover label;
    the card around the sparkline shows the number it stands for.

    Parameters
    ----------
    labels : sequence of str
        Quarters.
    values : sequence of float or None
        One per quarter (None: a gap).
    title : str
        What the line is, e.g. "Median lead time per quarter".
    unit : str
        ``"days"`` or ``"%"``.
    colour : str
        The line's colour.

    Returns
    -------
    dict
        A figure with one ``scatter`` trace.

    Examples
    --------
    >>> fig = sparkline(["2024Q1", "2024Q2"], [53.1, 76.5], title="Reuse rate", unit="%")
    >>> fig["layout"]["yaxis"]["title"]["text"], fig["summary"]
    ('Reuse rate (%)', 'Reuse rate: from 53.1% in 2024Q1 to 76.5% in 2024Q2.')
    """
    axis_title = f"{title} ({unit})"
    points = [(x, y) for x, y in zip(labels, values, strict=True) if y is not None]
    suffix = "%" if unit == "%" else f" {unit}"
    data = [{"type": "scatter", "mode": "lines", "x": list(labels), "y": list(values),
             "line": {"color": colour, "width": 2, "shape": "spline"}, "name": title,
             "fill": "tozeroy", "fillcolor": "rgba(148, 163, 184, 0.15)",
             "hovertemplate": f"%{{x}}: %{{y}}{suffix}<extra></extra>"}]
    layout = {
        "title": {"text": inert(title), "x": 0, "xanchor": "left", "y": 0.96, "yanchor": "top",
                  "font": {"size": 11, "color": "#64748b"}},
        "font": FONT, "height": 84, "showlegend": False,
        "margin": {"l": 2, "r": 2, "t": 20, "b": 2},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": {"title": {"text": "Quarter"}, "visible": False, "type": "category",
                  "fixedrange": True},
        "yaxis": {"title": {"text": axis_title}, "visible": False, "rangemode": "tozero",
                  "fixedrange": True},
        "hovermode": "x",
    }
    if not points:
        summary = f"{title}: no data yet."
    elif len(points) == 1:
        summary = f"{title}: {_number(points[0][1])}{suffix} in {points[0][0]}."
    else:
        (x0, y0), (x1, y1) = points[0], points[-1]
        summary = (f"{title}: from {_number(y0)}{suffix} in {x0} to "
                   f"{_number(y1)}{suffix} in {x1}.")
    return {"data": data, "layout": layout, "summary": summary}


def matrix_grid(matrix: Mapping[str, Any], *, limit: int | None = None) -> dict[str, Any]:
    """Return the business x capability matrix as rows of cells for an HTML table.

    Parameters
    ----------
    matrix : mapping
        What :func:`graphs.metrics.reuse_matrix` returns: ``businesses``,
        ``capabilities`` and ``cells``.
    limit : int, optional
        Most rows in each group (the matrix's first ones); the summary still
        counts every cross-business cell.

    Returns
    -------
    dict
        ``"businesses"`` (the columns, in the matrix's order); ``"groups"``:
        the capabilities another business's team owns first (cross-business
        sharing, at a glance), then the others, each ``{"title", "rows"}``
        with one row per capability in the matrix's order, ``{"capability":
        its entry, "owner": name of the business whose team owns it or None,
        "cells": [cell or None per business]}`` (a cell being ``{"distance",
        "via", "cross_business"}``); ``"hidden"``: rows left out by
        ``limit``; ``"shared"``: how many cells are cross-business; and
        ``"summary"``: sentences naming the cross-business sharing (the first
        three capabilities, then how many more).

    Examples
    --------
    >>> grid = matrix_grid({
    ...     "businesses": [{"slug": "taobao", "name": "Taobao", "team": "tb"},
    ...                    {"slug": "youku", "name": "Youku", "team": "yk"}],
    ...     "capabilities": [{"slug": "vip", "name": "Youku VIP", "team": "yk",
    ...                       "owner_business": "youku", "business_reach": 2}],
    ...     "cells": [{"business": "taobao", "capability": "vip", "distance": 1,
    ...                "via": "adoption", "cross_business": True},
    ...               {"business": "youku", "capability": "vip", "distance": 1,
    ...                "via": "adoption", "cross_business": False}]})
    >>> [(g["title"], [c["cross_business"] for c in g["rows"][0]["cells"]])
    ...  for g in grid["groups"]]
    [('Owned by one business, used by others', [True, False])]
    >>> grid["summary"]
    'Youku VIP, owned by Youku, is used by Taobao (directly).'
    """
    columns = list(matrix["businesses"])
    index = {b["slug"]: i for i, b in enumerate(columns)}
    names = {b["slug"]: b["name"] for b in columns}
    cells: dict[str, list] = {c["slug"]: [None] * len(columns) for c in matrix["capabilities"]}
    shared: dict[str, list[str]] = {}
    for cell in matrix["cells"]:
        if cell["capability"] not in cells:
            continue
        cells[cell["capability"]][index[cell["business"]]] = cell
        if cell["cross_business"]:
            shared.setdefault(cell["capability"], []).append(cell)
    groups = []
    for title, members in (
            ("Owned by one business, used by others",
             [c for c in matrix["capabilities"] if c["slug"] in shared]),
            ("Shared platform capabilities",
             [c for c in matrix["capabilities"] if c["slug"] not in shared])):
        rows = [{"capability": c, "owner": names.get(c["owner_business"], c["owner_business"]),
                 "cells": cells[c["slug"]]} for c in members[:limit]]
        if rows:
            groups.append({"title": title, "rows": rows})
    sentences = [f"{c['name']}, owned by {names.get(c['owner_business'])}, is used by "
                 f"{_users(shared[c['slug']], names)}."
                 for c in matrix["capabilities"] if c["slug"] in shared]
    if not matrix["capabilities"]:
        summary = "No business reaches a capability yet."
    elif sentences:
        more = len(sentences) - 3
        summary = " ".join(sentences[:3]) + (
            f" {more:,} more {'capability' if more == 1 else 'capabilities'} owned by one "
            "business's team are used by other businesses." if more > 0 else "")
    else:
        summary = "No business uses a capability owned by another business's team."
    return {"businesses": columns, "groups": groups,
            "hidden": len(matrix["capabilities"]) - sum(len(g["rows"]) for g in groups),
            "shared": sum(len(v) for v in shared.values()), "summary": summary}


# -- helpers ---------------------------------------------------------------------------


def _layout(title: str, x_title: str, y_title: str, *, height: int = 320,
            **more: Any) -> dict[str, Any]:
    """Return the common layout: a left-aligned title, the legend under it, titled axes."""
    layout = {
        "title": {"text": inert(title), "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top",
                  "font": {"size": 15, "color": "#0f172a"}},
        "font": FONT,
        "height": height,
        "margin": {"l": 60, "r": 16, "t": 64, "b": 56},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": {"title": {"text": x_title}, "type": "category", "gridcolor": GRID,
                  "automargin": True, "fixedrange": True},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "gridcolor": GRID,
                  "zeroline": False, "automargin": True, "fixedrange": True},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                   "yanchor": "bottom", "bgcolor": "rgba(0,0,0,0)"},
        "hovermode": "x unified",
        "hoverlabel": {"namelength": -1},
    }
    layout.update(more)
    return layout


def _empty(title: str, message: str, x_title: str, y_title: str, *,
           axes: bool = True) -> dict[str, Any]:
    """Return a figure without data whose annotation says why."""
    layout = _layout(title, x_title, y_title, height=220, showlegend=False)
    for axis in ("xaxis", "yaxis"):
        if axes:
            layout[axis]["visible"] = False  # titled for the record, not drawn
        else:
            layout.pop(axis)
    layout["annotations"] = [{"text": message, "showarrow": False, "xref": "paper",
                              "yref": "paper", "x": 0.5, "y": 0.5,
                              "font": {"size": 14, "color": "#64748b"}}]
    return {"data": [], "layout": layout, "summary": message}


def _line(x: list, y: list, name: str, colour: str, counts: list, what: str, *,
          dash: str = "solid") -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines+markers", "name": name, "x": x, "y": y,
            "line": {"color": colour, "width": 3 if dash == "solid" else 2, "dash": dash},
            "marker": {"size": 6}, "customdata": counts,
            "hovertemplate": f"{what} (%{{customdata}} deliveries)<extra></extra>"}


def _users(cells: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    """Name up to three businesses and how they reach a capability; count more."""
    direct = sum(cell["via"] == "adoption" for cell in cells)
    if len(cells) > 3:
        return f"{len(cells)} other businesses ({direct} directly)"
    return _names([f"{names[cell['business']]} ("
                   + ("directly" if cell["via"] == "adoption" else "through other capabilities")
                   + ")" for cell in cells])


def _cohort_summary(medians: Mapping[str, float]) -> str:
    if "3+" in medians and "none" in medians:
        middle = f" (1-2: {_days(medians['1-2'])})" if "1-2" in medians else ""
        return (f"Deliveries that reused 3+ capabilities took a median {_days(medians['3+'])}, "
                f"against {_days(medians['none'])} for those that reused none{middle}.")
    return "Median lead time by capabilities reused: " + "; ".join(
        f"{COHORT_LABELS[c].lower()}: {_days(m)}" for c, m in medians.items()) + "."


def _moved(before: float, after: float) -> str:
    return "fell from" if after < before else "rose from" if after > before else "stayed at"


def _number(value: float | None) -> str:
    """Return ``94`` for 94.0 and ``49.5`` for 49.5."""
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _days(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{_number(value)} {'day' if value == 1 else 'days'}"


def _share(rate: float, digits: int = 1) -> str:
    """Return 0.531 as ``53.1%`` (``53%`` with no digits) and 0.5 as ``50%``."""
    return f"{_number(round(rate * 100, digits))}%"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 'es')}"


def _names(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
