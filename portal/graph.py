"""The dependency graph: the page, its figure as JSON, the edge table and GraphML."""

import json
from typing import Any

import networkx as nx
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)

from catalog.errors import NotFound, ValidationFailed
from catalog.paging import Page
from catalog.validation import Errors, check_page
from graphs import figures
from graphs.analysis import business_reach
from graphs.cache import catalog_graph, derived
from graphs.params import GraphQuery
from portal.http import is_fragment_request, page_or_fragment

bp = Blueprint("graph", __name__)

#: Rows per page of the edge table.
TABLE_ROWS = 100
DEFAULT_WIDTH = 1100


@bp.get("/graph")
def index():
    """The picture, with its filters, counts and the same edges as a table.

    The filter form asks again with htmx: it gets the status (which names the
    figure to draw) and, out of band, the neighbour list, the edge table and
    the export link, with the view's canonical URL to push.
    """
    fragment = is_fragment_request()
    try:
        query = GraphQuery.from_args(request.args)
        G = catalog_graph(query.as_of)
        view = _view(G, query)
    except (ValidationFailed, NotFound) as exc:
        if not fragment:
            raise
        problems = exc.errors if isinstance(exc, ValidationFailed) else {"focus": [exc.message]}
        return render_template("graph/_status.html", problems=problems, query=GraphQuery(),
                               show_all=False)
    context = {
        "query": query, "view": view, "summary": figures.summary(view),
        "rows": _table_page(view, G, 1), "show_all": _show_all(),
        "hub_names": [_name(G, h) for h in view.hubs], "neighbours": figures.neighbour_rows(view),
    }
    if fragment:
        response = make_response(render_template("graph/_view.html", **context))
        response.headers["HX-Push-Url"] = url_for(
            ".index", **query.args(), show="all" if context["show_all"] else None)
    else:
        response = make_response(render_template(
            "graph/index.html", large=len(G) > figures.MAX_NODES,
            choices=derived("graph.choices", _choices, as_of=query.as_of), **context))
    response.vary.add("HX-Request")
    return response


@bp.get("/graph/suggest")
def suggest():
    """Names (and slugs) that contain the focus text typed so far, as datalist options."""
    text = str(request.args.get("focus") or "")[:200]
    G = catalog_graph()
    found = figures.suggest_nodes(G, text, names=derived("graph.names", figures.node_names))
    return render_template("graph/_suggestions.html", found=found)


@bp.get("/graph/figure.json")
def figure_json():
    """The figure of a view as plain JSON lists."""
    try:
        query = GraphQuery.from_args(request.args)
    except ValidationFailed as exc:
        return jsonify(errors=exc.errors), 422
    G = catalog_graph(query.as_of)
    try:
        view = _view(G, query)
    except NotFound as exc:
        return jsonify(error=exc.message, status=404), 404
    width = min(max(request.args.get("width", DEFAULT_WIDTH, type=int), 320), 3000)
    fig = figures.figure(view, G, derived("graph.layout", figures.layered_layout, as_of=query.as_of),
                         reach=derived("business_reach", business_reach, as_of=query.as_of),
                         width=width)
    urls = _url_templates(query.args().get("as_of"))
    for node in fig["nodes"]:
        template = urls.get(node["kind"])
        node["url"] = template.replace("__slug__", node["slug"]) if template else None
    return _json(fig)


@bp.get("/graph/table")
def table():
    """One page of the edge table of a view (htmx: the table alone)."""
    query = GraphQuery.from_args(request.args)
    errors = Errors()
    number = check_page(request.args.get("page"), errors)
    errors.raise_if_any()
    G = catalog_graph(query.as_of)
    view = _view(G, query)
    return page_or_fragment("graph/table.html", "graph/_table.html", view=view, query=query,
                            rows=_table_page(view, G, number))


def _table_page(view: figures.View, G: nx.DiGraph, number: int) -> Page:
    """Page ``number`` of the view's edges, in consumer and provider name order."""
    total = view.graph.number_of_edges()
    number = min(number, max(1, -(-total // TABLE_ROWS)))
    first = figures.edge_rows(view, G, limit=number * TABLE_ROWS)[(number - 1) * TABLE_ROWS:]
    return Page(first, total, number, TABLE_ROWS)


@bp.get("/graph/export.graphml")
def export_graphml():
    """The whole or filtered graph as GraphML, for Gephi or yEd."""
    query = GraphQuery.from_args(request.args)
    G = catalog_graph(query.as_of)
    view = _view(G, query, max_nodes=None)
    H = figures.graphml_graph(view.graph)
    H.graph.update(view.stats, message=view.message or "")
    return Response(
        "\n".join(nx.generate_graphml(H)), mimetype="application/graphml+xml",
        headers={"Content-Disposition": "attachment; filename=capability-graph.graphml"},
    )


def _view(G: nx.DiGraph, query: GraphQuery, **options: Any) -> figures.View:
    """Return the view ``query`` asks for; NotFound for an unknown focus."""
    focus = None
    if query.focus:
        focus = figures.find_node(G, query.focus, names=derived(
            "graph.names", figures.node_names, as_of=query.as_of))
        if focus is None:
            raise NotFound(f"No capability or business {query.focus!r} to focus on.")
    options.setdefault("show_all", _show_all())
    options.setdefault("max_nodes", figures.MAX_NODES)
    return figures.select_view(G, query, focus=focus, hubs=derived(
        "graph.hubs", figures.hub_nodes, as_of=query.as_of), **options)


def _show_all() -> bool:
    return request.args.get("show") == "all"


def _choices(G: nx.DiGraph) -> dict[str, list]:
    """Domains (by layer, then name) and businesses (by name) for the filter form."""
    domains = {d["domain"]: (figures.band_of(d), d.get("domain_name") or d["domain"])
               for _, d in G.nodes(data=True) if d.get("domain")}
    businesses = sorted((d.get("name") or d["slug"], d["slug"])
                        for _, d in G.nodes(data=True) if d.get("kind") == "business")
    return {
        "domains": [(slug, name) for slug, (_, name) in
                    sorted(domains.items(), key=lambda item: (item[1], item[0]))],
        "businesses": [(slug, name) for name, slug in businesses],
    }


def _name(G: nx.DiGraph, node) -> str:
    return G.nodes[node].get("name") or str(node)


def _url_templates(as_of: str | None) -> dict[str, str]:
    """Where a click on a node goes: its page (as of the same moment, for a capability)."""
    slug = "__slug__"
    return {
        "capability": url_for("capabilities.detail", slug=slug, as_of=as_of),
        "business": url_for("directory.business", slug=slug),
        "domain": url_for("directory.domain", slug=slug),
    }


def _json(payload: dict[str, Any]) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return current_app.response_class(body, mimetype="application/json")
