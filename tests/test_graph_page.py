"""The /graph page, /graph/figure.json, /graph/table and /graph/export.graphml."""

import gzip
import io
import json

import networkx as nx
import pytest

from catalog.capabilities import get_capability
from catalog.models import Adoption
from graphs import figures


@pytest.fixture
def catalog(make, db):
    """taobao -> order -> coupon -> stock -> queue; coupon, payment, cart -> queue;
    tmall -> cart -> payment. order, coupon, stock, payment and cart are transaction
    capabilities except coupon (marketing); queue is infrastructure."""
    make.team("trade", name="Trade Platform")
    make.team("infra", name="Infra Team")
    make.domain("transaction")
    make.domain("marketing")
    make.domain("middleware", layer="infrastructure")
    make.capability("queue", domain="middleware", team="infra", tier=1, lifecycle="production")
    make.capability("stock", dependencies=["queue"], lifecycle="production")
    make.capability("coupon", domain="marketing", dependencies=["stock", "queue"],
                    lifecycle="deprecated")
    make.capability("order", dependencies=["coupon"], tier=1, lifecycle="production")
    make.capability("payment", dependencies=["queue"])
    make.capability("cart", dependencies=["payment", "queue"])
    taobao, tmall = make.business("taobao", name="Taobao"), make.business("tmall", name="Tmall")
    order, cart = get_capability("order"), get_capability("cart")
    db.session.add_all([Adoption(business=taobao, capability=order, purpose="orders"),
                        Adoption(business=tmall, capability=cart, purpose="cart")])
    db.session.commit()
    return make


def figure(client, **params):
    response = client.get("/graph/figure.json", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(body):
    return {node["id"] for node in body["nodes"]}


def edges(body):
    names = [node["id"] for node in body["nodes"]]
    return {(names[i], names[j]): indirect for i, j, indirect in body["edges"]}


# -- figure.json -----------------------------------------------------------------


def test_whole_graph(client, catalog):
    body = figure(client)
    assert set(body) >= {"data", "layout", "stats", "message", "nodes", "edges"}
    assert len(body["nodes"]) == 8 and len(body["edges"]) == 9
    assert body["stats"] == {"nodes": 8, "edges": 9, "hidden_nodes": 0, "hidden_edges": 0,
                             "indirect_edges": 0, "collapsed_nodes": 0, "collapsed_edges": 0}
    assert body["message"] is None
    urls = {node["id"]: node["url"] for node in body["nodes"]}
    assert urls["capability:order"] == "/capabilities/order"
    assert urls["business:taobao"] == "/businesses/taobao"
    order = next(n for n in body["nodes"] if n["id"] == "capability:order")
    assert {"slug": "order", "kind": "capability", "name": "Order",
            "layer": "business-platform", "team_name": "Trade Platform", "tier": 1,
            "consumers": 1}.items() <= order.items()
    hover = " ".join(h for t in body["data"] if "hovertext" in t for h in t["hovertext"])
    assert "Owner: Infra Team" in hover and "Consumers: 4 (4 capabilities, 0 businesses)" in hover


def test_focus_depth_and_direction(client, catalog):
    assert ids(figure(client, focus="order", depth=1, direction="down")) == {
        "capability:order", "capability:coupon"}
    body = figure(client, focus="capability:queue", depth=1, direction="up")
    assert ids(body) == {"capability:queue", "capability:stock", "capability:coupon",
                         "capability:payment", "capability:cart"}
    assert body["focus"] == "capability:queue"
    assert body["stats"]["hidden_nodes"] == 3
    assert body["stats"]["hidden_edges"] == 9 - body["stats"]["edges"]
    assert "3 nodes and" in body["summary"] and "hidden" in body["summary"]
    both = figure(client, focus="coupon")  # depth 2, both ways by default
    assert ids(both) == {"capability:coupon", "capability:order", "business:taobao",
                         "capability:stock", "capability:queue"}
    assert ids(figure(client, focus="business:tmall", depth=1)) == {"business:tmall",
                                                                    "capability:cart"}


def test_domain_filter_draws_a_hidden_middle_as_an_indirect_edge(client, catalog):
    body = figure(client, domain="transaction")
    assert "capability:coupon" not in ids(body)
    assert edges(body)[("capability:order", "capability:stock")] is True
    assert body["stats"]["indirect_edges"] == 1
    assert body["stats"]["hidden_nodes"] == 2  # coupon and queue
    assert body["stats"]["hidden_edges"] == 6
    assert "business:taobao" in ids(body)
    dashed = [t for t in body["data"] if t.get("mode") == "lines" and t["line"].get("dash")]
    assert len(dashed) == 1 and dashed[0]["x"].count(None) == 1


def test_business_filter(client, catalog):
    body = figure(client, business="tmall")
    assert ids(body) == {"business:tmall", "capability:cart", "capability:payment",
                         "capability:queue"}
    assert body["stats"]["hidden_nodes"] == 4


def test_lifecycle_filter(client, catalog):
    body = figure(client, lifecycle="production")
    assert ids(body) == {"capability:order", "capability:stock", "capability:queue",
                         "business:taobao", "business:tmall"}
    assert edges(body)[("capability:order", "capability:stock")] is True
    assert edges(body)[("business:tmall", "capability:queue")] is True


def test_filters_combine_with_a_focus(client, catalog):
    body = figure(client, focus="order", depth=3, direction="down", domain="transaction")
    assert ids(body) == {"capability:order", "capability:stock"}
    assert edges(body) == {("capability:order", "capability:stock"): True}


def test_unknown_domain_gives_an_empty_figure(client, catalog):
    body = figure(client, domain="nothing-here")
    assert body["nodes"] == [] and body["stats"]["hidden_nodes"] == 8


@pytest.mark.parametrize("params, field", [
    ({"depth": "0"}, "depth"), ({"depth": "11"}, "depth"), ({"depth": "two"}, "depth"),
    ({"direction": "sideways"}, "direction"), ({"lifecycle": "dead"}, "lifecycle"),
    ({"domain": "Not A Slug"}, "domain"),
])
def test_bad_parameters_are_422_json(client, catalog, params, field):
    response = client.get("/graph/figure.json", query_string={"focus": "order", **params})
    assert response.status_code == 422
    assert response.is_json and field in response.get_json()["errors"]


def test_unknown_focus_is_404_json(client, catalog):
    response = client.get("/graph/figure.json?focus=no-such-thing")
    assert response.status_code == 404
    assert response.is_json and "no-such-thing" in response.get_json()["error"]


def test_collapse_hubs(client, catalog):
    body = figure(client, collapse="hubs")
    assert [h["id"] for h in body["hubs"]] == ["capability:queue"]  # 4 consumers; others < 3
    assert "capability:queue" not in ids(body)
    assert body["stats"]["collapsed_nodes"] == 1 and body["stats"]["collapsed_edges"] == 4
    assert body["stats"]["hidden_edges"] == 0
    assert "1 hubs collapsed (4 edges)" in body["summary"]
    hover = " ".join(h for t in body["data"] if "hovertext" in t for h in t["hovertext"])
    assert "Uses collapsed hubs: 1" in hover


def test_aggregate_by_domain(client, catalog):
    body = figure(client, aggregate="domain")
    assert ids(body) == {"domain:transaction", "domain:marketing", "domain:middleware",
                         "business:taobao", "business:tmall"}
    assert body["aggregated"] is True
    weights = dict(zip(edges(body), body["edge_weights"], strict=False))
    assert weights[("domain:transaction", "domain:middleware")] == 3  # stock, payment, cart
    assert weights[("domain:marketing", "domain:transaction")] == 1
    urls = {n["id"]: n["url"] for n in body["nodes"]}
    assert urls["domain:marketing"] == "/domains/marketing"
    assert body["stats"]["dependencies"] == 9


def test_large_views_are_shown_by_domain_unless_asked(client, catalog, monkeypatch):
    monkeypatch.setattr(figures, "MAX_NODES", 5)
    body = figure(client)
    assert body["aggregated"] and body["auto_aggregated"]
    assert "too many to draw one by one" in body["message"]
    everything = figure(client, show="all")
    assert len(everything["nodes"]) == 8 and len(everything["edges"]) == 9
    assert not [t for t in everything["data"] if t.get("mode") == "lines"]
    assert "Edges are not drawn" in everything["message"]


def test_figure_is_gzipped_when_the_client_accepts_it(client, catalog):
    plain = client.get("/graph/figure.json")
    zipped = client.get("/graph/figure.json", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert "Content-Encoding" not in plain.headers
    unzipped = gzip.decompress(zipped.get_data())
    assert json.loads(unzipped) == plain.get_json()
    assert len(zipped.get_data()) < len(unzipped)


def test_width_changes_the_labels_not_the_graph(client, catalog):
    wide, narrow = figure(client, width=1600), figure(client, width=20)
    assert wide["edges"] == narrow["edges"]
    assert narrow["layout"]["xaxis"]["range"][1] == 320 - 16  # clamped to 320 px


# -- GraphML -------------------------------------------------------------------


def test_graphml_export_parses_back(client, catalog):
    response = client.get("/graph/export.graphml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=capability-graph.graphml"
    G = nx.read_graphml(io.BytesIO(response.get_data()))
    assert len(G) == 8 and G.number_of_edges() == 9
    assert G.nodes["capability:order"]["name"] == "Order"
    assert G.nodes["capability:order"]["tier"] == 1
    assert "team" not in G.nodes["business:taobao"]  # None dropped, not written


def test_graphml_export_of_a_filtered_view(client, catalog):
    response = client.get("/graph/export.graphml?domain=transaction")
    G = nx.read_graphml(io.BytesIO(response.get_data()))
    body = figure(client, domain="transaction")
    assert len(G) == len(body["nodes"])
    assert G.edges["capability:order", "capability:stock"]["indirect"] is True
    assert G.edges["capability:order", "capability:stock"]["via"] == "capability:coupon"
    assert G.graph["hidden_nodes"] == 2


# -- the page --------------------------------------------------------------------


def test_page_has_the_filters_the_picture_and_the_table(client, catalog):
    response = client.get("/graph")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="graph-form"' in html and 'method="get"' in html
    for name in ("focus", "depth", "direction", "domain", "business", "lifecycle",
                 "collapse", "aggregate"):
        assert f'name="{name}"' in html
    assert 'value="marketing"' in html and 'value="tmall"' in html
    assert 'id="graph-plot"' in html and "/graph/figure.json" in html
    assert "/vendor/plotly.min.js?v=" in html and "js/graph.js" in html and "css/graph.css" in html
    assert "cdn" not in html.lower()
    assert '<details id="graph-table-details"' in html
    assert html.count("<tr>") == 9 + 1  # every edge and the header row
    assert "8 nodes and 9 edges shown." in html
    assert "Business platform" in html  # the legend


def test_page_reads_its_parameters(client, catalog):
    html = client.get("/graph?domain=transaction&collapse=hubs").get_data(as_text=True)
    assert '<option value="transaction" selected>' in html
    assert 'name="collapse" value="hubs" checked' in html
    assert "indirect, via Coupon" in html
    assert "Collapsed hubs:" in html and "Queue" in html
    assert "/graph/export.graphml?domain=transaction&amp;collapse=hubs" in html


def test_page_with_bad_parameters(client, catalog):
    assert client.get("/graph?depth=99").status_code == 422
    assert client.get("/graph?focus=no-such-thing").status_code == 404


def test_table_fragment(client, catalog):
    response = client.get("/graph/table?aggregate=domain", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "3 dependencies" in html and 'href="/domains/middleware"' in html
    assert "<html" in client.get("/graph/table?aggregate=domain").get_data(as_text=True)
    assert client.get("/graph/table?page=0").status_code == 422


def test_page_of_an_empty_catalog(client, db):
    html = client.get("/graph").get_data(as_text=True)
    assert "0 nodes and 0 edges shown." in html and "No edges in this view." in html
    assert figure(client)["nodes"] == []
