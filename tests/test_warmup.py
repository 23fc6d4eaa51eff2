"""Figures computed ahead: after a warm-up the pages find the revision's figures ready."""

import time

from catalog import seed
from catalog.history import current_revision
from graphs import cache
from portal.warmup import start_warm_up, warm_up


def cached_names():
    """The names of what the graph cache holds for the current revision."""
    entry = next(iter(cache._graphs.values()), None)
    if entry is None or entry[0] != current_revision():
        return set()
    return set(entry[2])


def test_warm_up_computes_what_the_heavy_pages_use(app, db):
    seed.seed_demo()
    assert "governance" not in cached_names()
    assert warm_up(app) == current_revision()
    assert {"governance", "insights.treemap", "graph.layout", "business_reach"} <= cached_names()


def test_the_thread_warms_again_after_a_write(app, db, make):
    seed.seed_demo()
    stop = start_warm_up(app, interval=0.05)
    deadline = time.monotonic() + 60
    while "governance" not in cached_names() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "governance" in cached_names()
    try:
        make.capability("fresh-one", domain="transaction", team="trade-team")
        db.session.expire_all()
        while "governance" not in cached_names() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "governance" in cached_names()
    finally:
        stop.set()
        time.sleep(0.2)  # let the thread see it before the tables are wiped
