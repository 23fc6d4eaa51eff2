"""Compute the heavy figures ahead, per catalog revision, in a background thread.

The graph, its layout, the reuse metrics, the governance report, the
search's index of API names and the figures the home, reuse, graph and
governance pages draw are kept per
catalog revision (:mod:`graphs.cache`). Without this thread the first visitor
after a start, or after a write, waits for them (7-10 s at 10,000
capabilities). With ``PORTAL_WARM_UP=true`` each process draws those pages
once at start, then again whenever another process or a write has moved the
catalog revision, so that visitors find them ready.

It calls the views directly (no login wall, no HTTP), so what it warms is
exactly what the pages use.
"""

import logging
import threading

from flask import Flask

from catalog.history import current_revision
from catalog.search import search_index

__all__ = ["WARM_PATHS", "start_warm_up", "warm_up"]

#: The pages (and answers) whose figures are computed ahead.
WARM_PATHS = ("/", "/reuse", "/graph", "/graph/figure.json", "/governance",
              "/governance/keystones", "/governance/scorecards", "/governance/scorecards/trend",
              "/governance/readiness", "/governance/duplicates")

log = logging.getLogger(__name__)


def start_warm_up(app: Flask, *, interval: float = 5.0) -> threading.Event:
    """Start the daemon thread that warms ``app`` now and after every revision change.

    Returns the event that stops it when set.
    """
    stop = threading.Event()
    threading.Thread(target=_loop, args=(app, interval, stop), name="portal-warm-up",
                     daemon=True).start()
    return stop


def warm_up(app: Flask) -> int:
    """Draw every page of :data:`WARM_PATHS` once; return the catalog revision warmed."""
    with app.app_context():
        revision = current_revision()
    for path in WARM_PATHS:
        with app.test_request_context(path):
            app.dispatch_request()
    with app.app_context():
        search_index()  # API names and the "did you mean" vocabulary
    return revision


def _loop(app: Flask, interval: float, stop: threading.Event) -> None:
    warmed = None
    while not stop.is_set():
        try:
            with app.app_context():
                revision = current_revision()
            if revision != warmed:
                warmed = warm_up(app)
                log.info("warmed the figures of catalog revision %s", warmed)
        except Exception:  # a background job: report and try again at the next tick
            log.exception("warming the figures failed")
        stop.wait(interval)
