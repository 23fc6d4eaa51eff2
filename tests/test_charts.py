"""The figures of graphs.charts on tiny inputs: titles, axes with units, traces, summaries."""

import json

import pytest

from graphs import charts

QUARTERS = [
    {"quarter": "2024Q1", "count": 4, "median_days": 94.0, "p85_days": 130.5},
    {"quarter": "2024Q2", "count": 0, "median_days": None, "p85_days": None},
    {"quarter": "2024Q3", "count": 6, "median_days": 24.0, "p85_days": 40.0},
]
SERIES = [
    {"quarter": "2024Q1", "end": "2024-03-31", "reuse_rate": 0.5, "production": 4, "reused": 2},
    {"quarter": "2024Q2", "end": "2024-06-30", "reuse_rate": 0.5, "production": 4, "reused": 2},
    {"quarter": "2024Q3", "end": "2024-09-30", "reuse_rate": 0.75, "production": 4, "reused": 3},
]
BUSINESSES = [
    {"slug": "taobao", "name": "Taobao", "count": 8, "median_days": 30.0, "p85_days": 60.0,
     "reused_share": 0.75, "mean_reused": 2.1},
    {"slug": "fliggy", "name": "Fliggy", "count": 3, "median_days": 90.0, "p85_days": 120.0,
     "reused_share": 0.0, "mean_reused": 0.0},
]
MAP = [
    {"slug": "vip", "name": "Youku VIP", "layer": "business-platform", "domain": "membership",
     "domain_name": "Membership", "lifecycle": "production", "business_reach": 4},
    {"slug": "coupons", "name": "Coupons", "layer": "business-platform", "domain": "marketing",
     "domain_name": "Marketing", "lifecycle": "deprecated", "business_reach": 2},
    {"slug": "mq", "name": "Message Queue", "layer": "infrastructure", "domain": "middleware",
     "domain_name": "Middleware", "lifecycle": "production", "business_reach": 4},
    {"slug": "idle", "name": "Idle", "layer": "infrastructure", "domain": "middleware",
     "domain_name": "Middleware", "lifecycle": "proposed", "business_reach": 0},
]
MATRIX = {
    "businesses": [{"slug": "taobao", "name": "Taobao", "team": "tb"},
                   {"slug": "youku", "name": "Youku", "team": "yk"}],
    "capabilities": [
        {"slug": "orders", "name": "Orders", "team": "trade", "owner_business": None,
         "business_reach": 2},
        {"slug": "vip", "name": "Youku VIP", "team": "yk", "owner_business": "youku",
         "business_reach": 2},
    ],
    "cells": [
        {"business": "taobao", "capability": "orders", "distance": 2, "via": "dependency",
         "cross_business": False},
        {"business": "taobao", "capability": "vip", "distance": 1, "via": "adoption",
         "cross_business": True},
        {"business": "youku", "capability": "orders", "distance": 1, "via": "adoption",
         "cross_business": False},
        {"business": "youku", "capability": "vip", "distance": 1, "via": "adoption",
         "cross_business": False},
    ],
}


def axis_titles(fig, *axes):
    return [fig["layout"][axis]["title"]["text"] for axis in axes]


class TestLeadTimeTrend:
    def test_median_and_p85_lines_per_quarter(self):
        fig = charts.lead_time_trend(QUARTERS)
        assert fig["layout"]["title"]["text"] == "Lead time per quarter"
        assert axis_titles(fig, "xaxis", "yaxis") == ["Quarter", "Lead time (days)"]
        assert [(t["type"], t["name"]) for t in fig["data"]] == [
            ("scatter", "Median"), ("scatter", "85th percentile")]
        assert fig["data"][0]["x"] == ["2024Q1", "2024Q2", "2024Q3"]
        assert fig["data"][0]["y"] == [94.0, None, 24.0]  # an empty quarter is a gap

    def test_summary_says_where_the_median_went(self):
        assert charts.lead_time_trend(QUARTERS)["summary"] == (
            "Median lead time fell from 94 days in 2024Q1 to 24 days in 2024Q3 "
            "(85th percentile: from 130.5 to 40 days), over 10 deliveries.")

    def test_one_quarter(self):
        fig = charts.lead_time_trend(QUARTERS[:1])
        assert fig["summary"] == ("Median lead time was 94 days in 2024Q1 (85th percentile "
                                  "130.5 days), over 4 deliveries.")

    @pytest.mark.parametrize("quarters", [[], QUARTERS[1:2]])
    def test_no_deliveries_is_an_annotated_empty_figure(self, quarters):
        fig = charts.lead_time_trend(quarters)
        assert fig["data"] == []
        assert axis_titles(fig, "xaxis", "yaxis") == ["Quarter", "Lead time (days)"]
        assert fig["layout"]["annotations"][0]["text"] == fig["summary"]
        assert "No delivered deliveries" in fig["summary"]


class TestBusinessLeadTimes:
    def test_bars_slowest_on_top(self):
        fig = charts.business_lead_times(BUSINESSES)
        assert fig["layout"]["title"]["text"] == "Lead time by business"
        assert axis_titles(fig, "xaxis", "yaxis") == ["Lead time (days)", "Business"]
        assert [t["type"] for t in fig["data"]] == ["bar", "bar"]
        assert fig["data"][0]["y"] == ["Fliggy", "Taobao"]
        assert fig["data"][0]["x"] == [90.0, 30.0] and fig["data"][1]["x"] == [120.0, 60.0]
        assert fig["layout"]["yaxis"]["autorange"] == "reversed"

    def test_summary_names_slowest_and_fastest_with_their_reuse(self):
        assert charts.business_lead_times(BUSINESSES)["summary"] == (
            "Fliggy is the slowest (median 90 days; 0% of its deliveries reused a "
            "capability); Taobao the fastest (median 30 days; 75% reused one).")

    def test_empty(self):
        fig = charts.business_lead_times([])
        assert fig["data"] == [] and "No delivered deliveries" in fig["summary"]


class TestCohortBoxes:
    def test_precomputed_boxes_per_cohort(self):
        fig = charts.cohort_boxes({"none": [60, 80, 90, 100, 400], "1-2": [30, 40],
                                   "3+": [10, 12, 20]})
        assert fig["layout"]["title"]["text"] == "Lead time by capabilities reused"
        assert axis_titles(fig, "xaxis", "yaxis") == ["Capabilities reused", "Lead time (days)"]
        assert [t["type"] for t in fig["data"]] == ["box"] * 3
        none = fig["data"][0]
        assert (none["q1"], none["median"], none["q3"]) == ([80.0], [90.0], [100.0])
        # Whiskers stop at the furthest value within 1.5 IQR: 400 is an outlier.
        assert (none["lowerfence"], none["upperfence"]) == ([60], [100])
        assert none["x"] == ["None<br>5 deliveries"]

    def test_summary_compares_3plus_with_none(self):
        fig = charts.cohort_boxes({"none": [90], "1-2": [40], "3+": [17]})
        assert fig["summary"] == ("Deliveries that reused 3+ capabilities took a median "
                                  "17 days, against 90 days for those that reused none "
                                  "(1-2: 40 days).")

    def test_missing_cohorts_are_left_out(self):
        fig = charts.cohort_boxes({"none": [], "1-2": [40, 50], "3+": []})
        assert [t["name"] for t in fig["data"]] == ["1-2 (2)"]
        assert fig["summary"] == "Median lead time by capabilities reused: 1-2: 45 days."

    def test_empty(self):
        assert charts.cohort_boxes({"none": [], "1-2": [], "3+": []})["data"] == []


class TestReuseRateTrend:
    def test_percent_per_quarter(self):
        fig = charts.reuse_rate_trend(SERIES)
        assert fig["layout"]["title"]["text"] == "Reuse rate per quarter"
        assert axis_titles(fig, "xaxis", "yaxis") == ["Quarter", "Reuse rate (%)"]
        assert fig["data"][0]["type"] == "scatter"
        assert fig["data"][0]["y"] == [50.0, 50.0, 75.0]
        assert fig["layout"]["yaxis"]["range"] == [0, 100]
        assert fig["summary"] == (
            "The reuse rate rose from 50% in 2024Q1 to 75% in 2024Q3: 3 of 4 production "
            "capabilities are reached by two or more businesses.")

    def test_nothing_in_production(self):
        fig = charts.reuse_rate_trend([{**s, "production": 0, "reused": 0, "reuse_rate": 0}
                                       for s in SERIES])
        assert fig["data"] == [] and fig["summary"] == "No capability is in production yet."


class TestCapabilityTreemap:
    def test_layers_domains_capabilities_sized_by_reach(self):
        fig = charts.capability_treemap(MAP)
        trace = fig["data"][0]
        assert fig["layout"]["title"]["text"] == "Capability map by business reach"
        assert trace["type"] == "treemap"
        assert trace["ids"] == ["layer:business-platform", "domain:marketing",
                                "capability:coupons", "domain:membership", "capability:vip",
                                "layer:infrastructure", "domain:middleware", "capability:mq"]
        assert trace["values"][trace["ids"].index("capability:vip")] == 4
        assert trace["parents"][trace["ids"].index("capability:vip")] == "domain:membership"
        colours = dict(zip(trace["ids"], trace["marker"]["colors"], strict=True))
        assert colours["capability:coupons"] == charts.LIFECYCLE_COLOURS["deprecated"]
        assert colours["layer:infrastructure"] == charts.LAYER_COLOURS["infrastructure"]
        assert fig["summary"] == (
            "Sized by how many businesses reach each capability: Youku VIP and Message Queue "
            "reach the most (4 businesses each). 3 of 4 capabilities are reached by a "
            "business; 1 that none reaches is not shown.")

    def test_beyond_the_limit_a_domain_gets_one_tile_per_lifecycle(self):
        trace = charts.capability_treemap(MAP, limit=2)["data"][0]
        assert "capability:coupons" not in trace["ids"]
        other = trace["ids"].index("other:marketing:deprecated")
        assert (trace["labels"][other], trace["values"][other]) == ("1 more deprecated", 2)
        assert trace["marker"]["colors"][other] == charts.LIFECYCLE_COLOURS["deprecated"]

    def test_nothing_reached(self):
        fig = charts.capability_treemap(MAP[3:])
        assert fig["data"] == [] and "xaxis" not in fig["layout"]


class TestLeadTimeAndReuse:
    def test_two_axes(self):
        fig = charts.lead_time_and_reuse(QUARTERS, SERIES)
        assert fig["layout"]["title"]["text"] == "Lead time falls as reuse grows"
        assert axis_titles(fig, "xaxis", "yaxis", "yaxis2") == [
            "Quarter", "Median lead time (days)", "Reuse rate (%)"]
        assert [(t["type"], t.get("yaxis", "y")) for t in fig["data"]] == [
            ("bar", "y"), ("scatter", "y2")]
        assert fig["data"][0]["y"] == [94.0, None, 24.0]
        assert fig["summary"] == ("Median lead time fell from 94 days in 2024Q1 to 24 days "
                                  "in 2024Q3 while the reuse rate rose from 50% to 75%.")

    def test_no_deliveries_in_the_reuse_quarters(self):
        fig = charts.lead_time_and_reuse([], SERIES)
        assert fig["data"] == [] and "Not enough deliveries" in fig["summary"]


class TestSparkline:
    def test_small_line_with_titled_hidden_axes(self):
        fig = charts.sparkline(["2024Q1", "2024Q2"], [90.0, 40.5],
                               title="Median lead time per quarter", unit="days")
        assert fig["layout"]["title"]["text"] == "Median lead time per quarter"
        assert axis_titles(fig, "xaxis", "yaxis") == [
            "Quarter", "Median lead time per quarter (days)"]
        assert fig["layout"]["xaxis"]["visible"] is False
        assert fig["data"][0]["type"] == "scatter"
        assert fig["summary"] == ("Median lead time per quarter: from 90 days in 2024Q1 to "
                                  "40.5 days in 2024Q2.")

    def test_gaps_and_no_data(self):
        assert charts.sparkline(["2024Q1"], [None], title="Lead", unit="days")["summary"] == \
            "Lead: no data yet."


class TestMatrixGrid:
    def test_cross_business_rows_come_first(self):
        grid = charts.matrix_grid(MATRIX)
        assert [b["slug"] for b in grid["businesses"]] == ["taobao", "youku"]
        assert [(g["title"], [r["capability"]["slug"] for r in g["rows"]])
                for g in grid["groups"]] == [
            ("Owned by one business, used by others", ["vip"]),
            ("Shared platform capabilities", ["orders"])]
        vip = grid["groups"][0]["rows"][0]
        assert vip["owner"] == "Youku"
        assert [(c["via"], c["cross_business"]) for c in vip["cells"]] == [
            ("adoption", True), ("adoption", False)]
        assert grid["shared"] == 1 and grid["hidden"] == 0
        assert grid["summary"] == "Youku VIP, owned by Youku, is used by Taobao (directly)."

    def test_many_users_are_counted(self):
        businesses = [{"slug": f"b{i}", "name": f"B{i}", "team": f"t{i}"} for i in range(5)]
        cells = [{"business": f"b{i}", "capability": "vip", "distance": 1 + (i > 1),
                  "via": "adoption" if i < 2 else "dependency", "cross_business": i > 0}
                 for i in range(5)]
        grid = charts.matrix_grid({"businesses": businesses, "cells": cells, "capabilities": [
            {"slug": "vip", "name": "VIP", "team": "t0", "owner_business": "b0",
             "business_reach": 5}]})
        assert grid["summary"] == "VIP, owned by B0, is used by 4 other businesses (1 directly)."

    def test_empty_cells_and_limit(self):
        sparse = {**MATRIX, "cells": MATRIX["cells"][2:]}
        grid = charts.matrix_grid(sparse, limit=1)
        assert grid["groups"][0]["rows"][0]["cells"] == [None, MATRIX["cells"][2]]
        assert grid["hidden"] == 1
        assert grid["summary"] == ("No business uses a capability owned by another "
                                   "business's team.")

    def test_empty_catalog(self):
        grid = charts.matrix_grid({"businesses": [], "capabilities": [], "cells": []})
        assert grid["groups"] == [] and grid["summary"] == "No business reaches a capability yet."


@pytest.mark.parametrize("fig", [
    charts.lead_time_trend(QUARTERS), charts.business_lead_times(BUSINESSES),
    charts.cohort_boxes({"none": [1, 2], "1-2": [3], "3+": []}), charts.reuse_rate_trend(SERIES),
    charts.capability_treemap(MAP), charts.lead_time_and_reuse(QUARTERS, SERIES),
    charts.sparkline(["2024Q1"], [1.0], title="t", unit="%"),
], ids=["trend", "business", "cohorts", "reuse", "treemap", "story", "sparkline"])
def test_figures_are_plain_json_with_a_title_and_summary(fig):
    assert json.loads(json.dumps(fig)) == fig
    assert set(fig) == {"data", "layout", "summary"}
    assert fig["layout"]["title"]["text"] and fig["summary"].endswith(".")
