"""Metrics defined once (catalog.metrics, graphs.metrics), checked against figures by hand.

The fixture is small enough to work every figure out on paper; the arithmetic
is in the comments. Percentiles are the "inclusive" linear interpolation:
sorted x[0..n-1], h = (n - 1) * p / 100, x[floor h] + frac(h) * (x[floor h + 1] -
x[floor h]), rounded half up to one decimal.
"""

import datetime as dt
import json
import random
import statistics

import networkx as nx
import pytest
import sqlalchemy as sa

from catalog import adoptions, deliveries, metrics
from catalog.browse import BrowseQuery, browse
from catalog.deliveries import DeliveryFilters
from catalog.errors import NotFound
from catalog.metrics import capability_lead_times, delivery_metrics, percentile, reuse_history
from catalog.models import Dependency, Team
from catalog.models._time import today
from graphs.analysis import business_reach
from graphs.cache import catalog_graph
from graphs.metrics import (
    business_matrix,
    reuse_by_quarter,
    reuse_matrix,
    reuse_metrics,
    reuse_over_time,
    reuse_rate,
)
from graphs.nodes import capability_node


def as_json(value):
    return json.loads(json.dumps(value))


@pytest.fixture
def world(make, db):
    """Three businesses, a chain checkout -> orders -> payments, Youku's vip used by Taobao.

    Adoptions (active unless said): taobao -> checkout (since 2025-02-01),
    tmall -> orders (2024-06-01), youku -> vip (2024-01-01), taobao -> vip
    (2025-05-15), tmall -> coupons (2024-01-01, ended 2025-01-01). Every
    dependency since 2024-01-01. drafts is proposed; the rest in production, launched
    2023-06-01.
    """
    make.team("trade")
    youku_team = make.team("youku-team", kind="business")
    taobao_team = make.team("taobao-team", kind="business")
    make.domain("transaction")
    make.domain("infra", layer="infrastructure")
    taobao, youku = make.business("taobao"), make.business("youku")
    make.business("tmall")
    taobao.team, youku.team = taobao_team, youku_team
    db.session.commit()
    launched = {"lifecycle": "production", "launched_on": "2023-06-01"}
    make.capability("payments", domain="infra", **launched)
    make.capability("orders", dependencies=["payments"], **launched)
    make.capability("checkout", dependencies=["orders"], **launched)
    make.capability("vip", team="youku-team", **launched)
    make.capability("coupons", **launched)
    make.capability("drafts", lifecycle="proposed")
    db.session.execute(sa.update(Dependency).values(since=dt.date(2024, 1, 1)))
    db.session.commit()
    for business, capability, since, until in [
        ("taobao", "checkout", "2025-02-01", None), ("tmall", "orders", "2024-06-01", None),
        ("youku", "vip", "2024-01-01", None), ("taobao", "vip", "2025-05-15", None),
        ("tmall", "coupons", "2024-01-01", "2025-01-01"),
    ]:
        adoptions.adopt({"business": business, "capability": capability, "since": since,
                         "until": until}, None)
    return make


# (business, requested_on, lead days, capabilities reused); delivered = requested + lead
DELIVERED = [
    ("taobao", dt.date(2025, 1, 1), 10, ["checkout", "orders", "payments"]),  # 2025Q1, 3+
    ("taobao", dt.date(2025, 1, 5), 20, ["checkout", "vip"]),                 # 2025Q1, 1-2
    ("taobao", dt.date(2025, 2, 1), 30, ["vip"]),                             # 2025Q1, 1-2
    ("tmall", dt.date(2025, 1, 10), 40, []),                                  # 2025Q1, none
    ("tmall", dt.date(2025, 2, 1), 50, []),                                   # 2025Q1, none
    ("youku", dt.date(2025, 4, 1), 5, ["vip", "orders", "payments", "coupons"]),  # 2025Q2, 3+
    ("tmall", dt.date(2025, 3, 1), 100, []),                                  # 2025Q2, none
    ("taobao", dt.date(2025, 10, 1), 60, ["orders"]),                         # 2025Q4, 1-2
]
OPEN = [("taobao", dt.date(2025, 6, 1)), ("tmall", dt.date(2025, 9, 1))]


@pytest.fixture
def delivered(world):
    for i, (business, requested, lead, reused) in enumerate(DELIVERED):
        deliveries.record_delivery({
            "business": business, "title": f"D{i + 1}", "requested_on": requested,
            "delivered_on": requested + dt.timedelta(days=lead), "capabilities": reused}, None)
    for i, (business, requested) in enumerate(OPEN):
        deliveries.record_delivery({"business": business, "title": f"Open {i + 1}",
                                    "requested_on": requested}, None)
    return world


# -- percentile -------------------------------------------------------------------


class TestPercentile:
    def test_by_hand(self):
        # [10, 20, 30, 40, 50]: median x[2] = 30; p85: h = 4 * 0.85 = 3.4 -> 40 + 0.4 * 10
        assert percentile([50, 10, 40, 30, 20], 50) == 30.0
        assert percentile([50, 10, 40, 30, 20], 85) == 44.0
        # [5, 100]: h = 0.85 -> 5 + 0.85 * 95 = 85.75 -> half up 85.8
        assert percentile([5, 100], 85) == 85.8
        assert percentile([5, 100], 50) == 52.5

    def test_empty_and_single(self):
        assert percentile([], 85) is None
        assert percentile([42], 85) == 42.0

    def test_is_statistics_quantiles_inclusive(self):
        rng = random.Random(3)
        for _ in range(300):
            values = [rng.randint(0, 400) for _ in range(rng.randint(2, 60))]
            reference = statistics.quantiles(values, n=100, method="inclusive")
            assert abs(percentile(values, 85) - reference[84]) <= 0.05 + 1e-9
            assert percentile(values, 50) == round(statistics.median(values) * 2) / 2

    def test_rejects_a_percent_out_of_range(self):
        with pytest.raises(ValueError):
            percentile([1, 2], 101)


# -- lead time ---------------------------------------------------------------------


def test_quarters_by_hand(delivered):
    result = delivery_metrics()

    assert result["quarters"] == [
        # [10, 20, 30, 40, 50]: median 30, p85 40 + 0.4 * 10 = 44
        {"quarter": "2025Q1", "count": 5, "median_days": 30.0, "p85_days": 44.0},
        # [5, 100]: median 52.5, p85 5 + 0.85 * 95 = 85.75 -> 85.8
        {"quarter": "2025Q2", "count": 2, "median_days": 52.5, "p85_days": 85.8},
        # no delivery delivered in 2025Q3: listed, empty
        {"quarter": "2025Q3", "count": 0, "median_days": None, "p85_days": None},
        {"quarter": "2025Q4", "count": 1, "median_days": 60.0, "p85_days": 60.0},
    ]
    # all eight: [5, 10, 20, 30, 40, 50, 60, 100]: median (30 + 40) / 2 = 35;
    # p85: h = 7 * 0.85 = 5.95 -> 50 + 0.95 * 10 = 59.5
    assert result["overall"] == {"count": 8, "median_days": 35.0, "p85_days": 59.5}


def test_cohorts_by_hand(delivered):
    assert delivery_metrics()["cohorts"] == [
        # none: [40, 50, 100]: median 50; h = 2 * 0.85 = 1.7 -> 50 + 0.7 * 50 = 85
        {"cohort": "none", "count": 3, "median_days": 50.0, "p85_days": 85.0},
        # 1-2: [20, 30, 60]: median 30; h = 1.7 -> 30 + 0.7 * 30 = 51
        {"cohort": "1-2", "count": 3, "median_days": 30.0, "p85_days": 51.0},
        # 3+: [5, 10]: median 7.5; h = 0.85 -> 5 + 0.85 * 5 = 9.25 -> half up 9.3
        {"cohort": "3+", "count": 2, "median_days": 7.5, "p85_days": 9.3},
    ]


def test_businesses_by_hand(delivered):
    result = delivery_metrics()

    assert result["businesses"] == [
        # taobao: [10, 20, 30, 60]: median 25; h = 3 * 0.85 = 2.55 -> 30 + 0.55 * 30 = 46.5;
        # every delivery reused something; (3 + 2 + 1 + 1) / 4 = 1.75 per delivery
        {"slug": "taobao", "name": "Taobao", "count": 4, "median_days": 25.0,
         "p85_days": 46.5, "reused_share": 1.0, "mean_reused": 1.75},
        # tmall: [40, 50, 100], as the "none" cohort
        {"slug": "tmall", "name": "Tmall", "count": 3, "median_days": 50.0, "p85_days": 85.0,
         "reused_share": 0.0, "mean_reused": 0.0},
        {"slug": "youku", "name": "Youku", "count": 1, "median_days": 5.0, "p85_days": 5.0,
         "reused_share": 1.0, "mean_reused": 4.0},
    ]
    assert result["business_quarters"] == [
        # taobao 2025Q1 [10, 20, 30]: median 20; h = 1.7 -> 20 + 0.7 * 10 = 27
        {"business": "taobao", "quarter": "2025Q1", "count": 3, "median_days": 20.0,
         "p85_days": 27.0},
        {"business": "taobao", "quarter": "2025Q4", "count": 1, "median_days": 60.0,
         "p85_days": 60.0},
        # tmall 2025Q1 [40, 50]: median 45; h = 0.85 -> 40 + 8.5 = 48.5
        {"business": "tmall", "quarter": "2025Q1", "count": 2, "median_days": 45.0,
         "p85_days": 48.5},
        {"business": "tmall", "quarter": "2025Q2", "count": 1, "median_days": 100.0,
         "p85_days": 100.0},
        {"business": "youku", "quarter": "2025Q2", "count": 1, "median_days": 5.0,
         "p85_days": 5.0},
    ]


def test_open_deliveries_are_listed_apart_by_age(delivered):
    result = delivery_metrics()

    assert result["open"]["count"] == 2
    slowest = result["open"]["slowest"]
    assert [(d["business"], d["title"]) for d in slowest] == [("taobao", "Open 1"),
                                                              ("tmall", "Open 2")]
    assert slowest[0]["age_days"] == (today() - dt.date(2025, 6, 1)).days
    assert result["overall"]["count"] == 8  # open ones have no lead time


def test_filters_by_business_and_period(delivered):
    taobao = delivery_metrics(DeliveryFilters(business="taobao"))
    assert [(q["quarter"], q["count"]) for q in taobao["quarters"]] == [
        ("2025Q1", 3), ("2025Q2", 0), ("2025Q3", 0), ("2025Q4", 1)]
    assert taobao["open"]["count"] == 1
    # delivered from 2025-04-01 to 2025-06-30: youku 5 and tmall 100 (delivered 2025-06-09)
    spring = delivery_metrics(DeliveryFilters(since=dt.date(2025, 4, 1),
                                              until=dt.date(2025, 6, 30)))
    assert spring["overall"] == {"count": 2, "median_days": 52.5, "p85_days": 85.8}
    assert spring["open"]["count"] == 2  # open ones are not cut by the delivered range


def test_per_capability_lead_times(delivered):
    vip = capability_lead_times("vip")

    # D2 (20 days), D3 (30), D6 (5): [5, 20, 30]: median 20; p85 h = 1.7 -> 20 + 7 = 27
    assert (vip["count"], vip["median_days"], vip["p85_days"]) == (3, 20.0, 27.0)
    assert [(d["title"], d["lead_time_days"], d["reused"]) for d in vip["deliveries"]] == [
        ("D6", 5, 4), ("D3", 30, 1), ("D2", 20, 2)]
    assert capability_lead_times("drafts")["count"] == 0
    with pytest.raises(NotFound):
        capability_lead_times("nope")


def test_no_deliveries_gives_empty_figures(world):
    result = delivery_metrics()
    assert result["quarters"] == [] and result["businesses"] == []
    assert result["overall"] == {"count": 0, "median_days": None, "p85_days": None}
    assert [c["count"] for c in result["cohorts"]] == [0, 0, 0]


def test_delivery_endpoint_returns_exactly_the_function(client, delivered):
    assert client.get("/api/v1/metrics/delivery").get_json() == as_json(delivery_metrics())
    body = client.get("/api/v1/metrics/delivery?business=tmall&since=2025-01-01").get_json()
    assert body == as_json(delivery_metrics(DeliveryFilters(business="tmall",
                                                            since=dt.date(2025, 1, 1))))
    assert body["overall"]["median_days"] == 50.0
    bad = client.get("/api/v1/metrics/delivery?since=last-year")
    assert bad.status_code == 422 and "since" in bad.get_json()["errors"]


# -- reuse ---------------------------------------------------------------------------


def test_direct_consumers_by_hand_the_same_in_the_list_and_the_graph(world):
    by_hand = {
        "checkout": 1,  # taobao
        "orders": 2,    # tmall + checkout depends on it
        "payments": 1,  # orders depends on it
        "vip": 2,       # youku + taobao
        "coupons": 0,   # tmall's adoption ended
        "drafts": 0,
    }
    listed = browse(BrowseQuery.from_args({"sort": "-consumers"}))
    assert {c.slug: listed.consumers[c.id] for c in listed.items} == by_hand
    assert [c.slug for c in listed.items][:2] == ["orders", "vip"]  # then by name
    G = catalog_graph()
    assert {slug: G.in_degree(capability_node(slug)) for slug in by_hand} == by_hand


def test_business_reach_through_a_chain(client, world):
    ranked = {item["slug"]: item for item in reuse_metrics(top=10)["items"]}

    # payments: taobao -> checkout -> orders -> payments and tmall -> orders -> payments
    assert ranked["payments"]["business_reach"] == 2
    assert ranked["checkout"]["business_reach"] == 1
    assert ranked["coupons"]["business_reach"] == 0
    impact = client.get("/api/v1/capabilities/payments/impact").get_json()
    assert {b["slug"]: b["distance"] for b in impact["businesses"]} == {"taobao": 3, "tmall": 2}


def test_reuse_rate_and_leaderboard_by_hand(world):
    result = reuse_metrics(top=4)

    # production: payments, orders, checkout, vip, coupons (drafts is proposed) = 5;
    # reached by two or more businesses: orders, payments, vip = 3 -> 3 / 5
    assert (result["reuse_rate"], result["production"], result["reused"]) == (0.6, 5, 3)
    assert (result["businesses"], result["capabilities"]) == (3, 6)
    # reach first, then direct consumers, then slug: orders (2, 2) and vip (2, 2) tie
    assert [(i["slug"], i["business_reach"], i["direct_consumers"]) for i in result["items"]] \
        == [("orders", 2, 2), ("vip", 2, 2), ("payments", 2, 1), ("checkout", 1, 1)]


def test_reuse_rate_is_zero_without_production_capabilities():
    G = nx.DiGraph([("business:a", "capability:x")])
    G.nodes["business:a"]["kind"] = "business"
    assert reuse_rate(G) == {"reuse_rate": 0, "production": 0, "reused": 0}


def test_reuse_endpoint_returns_exactly_the_functions(client, world):
    body = client.get("/api/v1/metrics/reuse?top=3").get_json()

    assert body == as_json({**reuse_metrics(top=3), "over_time": reuse_over_time()})
    assert body["reuse_rate"] == 0.6
    assert [i["slug"] for i in body["items"]] == ["orders", "vip", "payments"]
    assert set(body["items"][0]) >= {"slug", "direct_consumers", "business_reach"}
    assert client.get("/api/v1/metrics/reuse?top=0").status_code == 422


def test_a_new_adoption_changes_the_metrics_at_once(client, world):
    assert reuse_metrics()["reused"] == 3
    adoptions.adopt({"business": "youku", "capability": "checkout"}, None)

    # checkout now reached by taobao and youku: 4 of 5
    assert reuse_metrics()["reuse_rate"] == 0.8
    assert client.get("/api/v1/metrics/reuse").get_json()["reuse_rate"] == 0.8


def test_reuse_by_quarter_by_hand(world):
    series = reuse_by_quarter(reuse_history(), ["2024Q4", "2025Q1", "2025Q2"])

    assert [(q["quarter"], q["reused"], q["production"], q["reuse_rate"]) for q in series] == [
        # end 2024-12-31: tmall -> orders -> payments, youku -> vip, tmall -> coupons
        # (ends 2025-01-01): every capability reached by one business at most
        ("2024Q4", 0, 5, 0.0),
        # end 2025-03-31: taobao -> checkout adds taobao to orders and payments
        ("2025Q1", 2, 5, 0.4),
        # end 2025-06-30: taobao -> vip (since 2025-05-15) makes vip shared
        ("2025Q2", 3, 5, 0.6),
    ]
    assert series[0]["end"] == "2024-12-31"


def test_reuse_over_time_ends_at_the_current_rate(world):
    series = reuse_over_time(quarters=3)

    assert len(series) == 3 and series[-1]["end"] == today().isoformat()
    assert series[-1]["reuse_rate"] == reuse_metrics()["reuse_rate"]


def test_reuse_by_quarter_agrees_with_business_reach_on_random_graphs():
    """The one-pass bit sets give what business_reach gives on each quarter's graph."""
    rng = random.Random(11)
    d = dt.date(2024, 1, 1)
    for _ in range(25):
        slugs = [f"c{i}" for i in range(30)]
        businesses = ["a", "b", "c"]
        deps = {(rng.choice(slugs), rng.choice(slugs)) for _ in range(50)}
        history = metrics.ReuseHistory(
            capabilities=[(s, rng.choice(["production", "production", "approved"]), None)
                          for s in slugs],
            businesses=businesses,
            dependencies=[(c, p, d + dt.timedelta(days=rng.randint(0, 400)))
                          for c, p in sorted(deps) if c != p],
            adoptions=[(rng.choice(businesses), rng.choice(slugs),
                        d + dt.timedelta(days=rng.randint(0, 400)),
                        rng.choice([None, d + dt.timedelta(days=rng.randint(0, 500))]))
                       for _ in range(12)])
        quarters = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
        for q, row in zip(quarters, reuse_by_quarter(history, quarters), strict=True):
            end = dt.date.fromisoformat(row["end"])
            G = nx.DiGraph()
            G.add_nodes_from(businesses, kind="business")
            G.add_nodes_from((s, {"lifecycle": lc}) for s, lc, _ in history.capabilities)
            G.add_edges_from((c, p) for c, p, since in history.dependencies if since <= end)
            G.add_edges_from((b, c) for b, c, since, until in history.adoptions
                             if since <= end and (until is None or until > end))
            expected = reuse_rate(G, reach=business_reach(G))
            assert {k: row[k] for k in expected} == expected, q


def test_business_matrix_marks_cross_business_use(client, world):
    matrix = reuse_matrix(top=10)

    cells = {(c["business"], c["capability"]): c for c in matrix["cells"]}
    assert cells["taobao", "vip"]["cross_business"] is True      # Youku's vip used by Taobao
    assert cells["youku", "vip"]["cross_business"] is False      # its own
    assert cells["taobao", "checkout"]["via"] == "adoption"
    assert (cells["taobao", "payments"]["via"], cells["taobao", "payments"]["distance"]) == (
        "dependency", 3)
    assert ("tmall", "coupons") not in cells                      # ended
    owners = {c["slug"]: c["owner_business"] for c in matrix["capabilities"]}
    assert owners["vip"] == "youku" and owners["orders"] is None
    assert [b["slug"] for b in matrix["businesses"]] == ["taobao", "tmall", "youku"]
    assert client.get("/api/v1/metrics/reuse/matrix?top=10").get_json() == as_json(matrix)


def test_the_matrix_keeps_shared_capabilities_beyond_the_top(world):
    matrix = reuse_matrix(top=1)

    assert [c["slug"] for c in matrix["capabilities"]] == ["orders", "vip"]
    assert {c["capability"] for c in matrix["cells"]} == {"orders", "vip"}


def test_business_matrix_without_owners():
    G = nx.DiGraph([("business:x", "capability:a")])
    G.nodes["business:x"]["kind"] = "business"
    result = business_matrix(G)
    assert result["cells"] == [{"business": "x", "capability": "a", "distance": 1,
                                "via": "adoption", "cross_business": False}]


def test_teams_own_businesses(world, db):
    assert metrics.business_teams() == {"taobao": "taobao-team", "tmall": None,
                                        "youku": "youku-team"}
    assert db.session.scalar(sa.select(sa.func.count(Team.id))) == 3
