"""Graph benchmark.

Seeds ``seed-demo --scale N`` into a temporary database and prints

* the time to build the catalog graph (``graphs.build.build_graph``);
* impact (blast radius) through the service, ``graphs.reports.reach_report``, on
  50 nodes including the hubs, warm p50/p95, and its ratio to a bare networkx
  BFS on the same graph (target: at most 3x);
* ``/graph/figure.json`` for a few views: time (first and warm median), size
  raw and gzipped, nodes and edges;
* in headless Chromium, the time from navigation to the figure drawn
  (``plotly_afterplot``) for a view of about 2,000 nodes (target 1.5 s) and
  for all 10,000 nodes (target 3 s), cold (nothing cached) and warm (plotly.js
  cached), with SVG and WebGL traces.

Medians over ``--repeat`` runs; nothing is asserted. Usage::

    python -m bench.graph [--scale 10000] [--repeat 5] [--database-url URL]
"""

import argparse
import gzip
import json
import random
import statistics
import threading
import time

import networkx as nx
from werkzeug.serving import make_server

from bench.common import median_time, p95, report, seeded_app
from graphs import figures
from graphs.build import build_graph
from graphs.nodes import parse_node
from graphs.params import GraphQuery
from graphs.reach import ReachIndex
from graphs.reports import reach_report

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# Records the moment of the first drawing (graph.js counts them in window.__plots).
FIRST_PLOT = """
Object.defineProperty(window, "__plots", {
  configurable: true,
  get() { return this.__plotCount; },
  set(value) {
    this.__plotCount = value;
    if (value >= 1 && this.__firstPlot === undefined) { this.__firstPlot = performance.now(); }
  },
});
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url",
                        help="an EMPTY database to use instead of a temporary SQLite file")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = parser.parse_args()

    with seeded_app(args.scale, database_url=args.database_url) as app:
        G = build_graph()
        print(f"\ngraph: {len(G):,} nodes, {G.number_of_edges():,} edges")
        print(f"{'build_graph':<26} median {median_time(build_graph, args.repeat):.3f} s")
        impact(G, args.repeat)
        views = pick_views(G)
        figure_json(app, views, args.repeat)
        if not args.no_browser:
            browser(app, views, args.repeat)


def impact(G: nx.DiGraph, repeat: int) -> None:
    """reach_report (the service) against a bare BFS, on the hubs and 40 random nodes."""
    rng = random.Random(7)
    capabilities = [n for n, kind in G.nodes(data="kind") if kind == "capability"]
    hubs = sorted(capabilities, key=lambda n: -G.in_degree(n))[:10]
    nodes = hubs + rng.sample(sorted(set(capabilities) - set(hubs)), 40)
    reverse = G.reverse(copy=False)
    index = ReachIndex(G)  # what graphs.cache.reach keeps per catalog revision
    service, bare = [], []
    for node in nodes:
        slug = parse_node(node)[1]
        service.append(median_time(
            lambda slug=slug: reach_report(G, slug, direction="up", index=index), repeat))
        bare.append(median_time(
            lambda node=node: nx.single_source_shortest_path_length(reverse, node), repeat))
    print(f"\nimpact on {len(nodes)} nodes (10 hubs), warm:")
    report("reach_report (service)", service)
    report("bare networkx BFS", bare)
    ratio = statistics.median(service) / statistics.median(bare)
    print(f"{'ratio service / BFS':<26} p50 {ratio:.2f}x   p95 {p95(service) / p95(bare):.2f}x"
          "   (target <= 3x)")


def pick_views(G: nx.DiGraph) -> dict[str, str]:
    """Query strings of the views to time, one of them close to 2,000 nodes."""
    hubs = sorted((n for n, k in G.nodes(data="kind") if k == "capability"),
                  key=lambda n: (-G.in_degree(n), n))
    domains = sorted({d for _, d in G.nodes(data="domain") if d},
                     key=lambda d: (-sum(1 for _, x in G.nodes(data="domain") if x == d), d))
    best = None
    for node in hubs[:40]:
        for direction in ("up", "down", "both"):
            size = len(figures.select_view(G, GraphQuery(depth=2, direction=direction),
                                           focus=node, max_nodes=None).graph)
            if best is None or abs(size - 2000) < abs(best[0] - 2000):
                best = (size, node, direction)
    return {
        "whole graph (by domain)": "",
        "whole graph, every node": "show=all",
        f"one domain ({domains[0]})": f"domain={domains[0]}",
        "focus on the top hub, depth 2": f"focus={hubs[0]}",
        "aggregate=domain": "aggregate=domain",
        f"~2,000 nodes ({best[0]:,})": f"focus={best[1]}&direction={best[2]}",
    }


def figure_json(app, views: dict[str, str], repeat: int) -> None:
    client = app.test_client()
    print("\n/graph/figure.json (width 1200, gzip accepted):")
    print(f"{'view':<34} {'nodes':>6} {'edges':>7} {'raw':>9} {'gzip':>8} {'first':>8} {'warm':>8}")
    for label, qs in views.items():
        path = f"/graph/figure.json?{qs}&width=1200"

        def get(path=path):
            return client.get(path, headers={"Accept-Encoding": "gzip"})

        started = time.perf_counter()
        response = get()
        first = time.perf_counter() - started
        warm = median_time(get, repeat)
        zipped = response.get_data()
        body = gzip.decompress(zipped)
        data = json.loads(body)
        print(f"{label:<34} {len(data['nodes']):>6,} {len(data['edges']):>7,} "
              f"{len(body) / 1e6:>7.2f}MB {len(zipped) / 1e3:>6.0f}kB "
              f"{first * 1000:>6.0f}ms {warm * 1000:>6.0f}ms")
        if data["message"]:
            print(f"{'':<34} message: {data['message'][:110]}")


def browser(app, views: dict[str, str], repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/graph?"
    two_k = next(qs for label, qs in views.items() if label.startswith("~2,000"))
    cases = [("~2,000 nodes", two_k), ("10,000 nodes", "show=all"),
             ("whole graph (by domain)", "")]
    print(f"\nheadless Chromium, navigation -> figure drawn (median of {repeat}; "
          f"WebGL above {figures.GL_ABOVE:,} nodes by default):")
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            default_gl = figures.GL_ABOVE
            for renderer, threshold in (("default", default_gl), ("SVG", 10**9), ("WebGL", 0)):
                figures.GL_ABOVE = threshold
                for label, qs in cases:
                    if renderer != "default" and label.startswith("whole"):
                        continue
                    cold = [draw_time(chromium, base + qs, warm=False) for _ in range(repeat)]
                    warm = [draw_time(chromium, base + qs, warm=True) for _ in range(repeat)]
                    print(f"  {label:<24} {renderer:<8} cold {statistics.median(cold):5.2f} s"
                          f"   warm {statistics.median(warm):5.2f} s")
            figures.GL_ABOVE = default_gl
            chromium.close()
    finally:
        server.shutdown()
        thread.join()
    print("  targets: 2,000 nodes <= 1.5 s, 10,000 nodes <= 3 s")


def draw_time(chromium, url: str, *, warm: bool) -> float:
    """Seconds from navigation start to the first drawing, in a fresh browser context.

    ``warm`` loads the page once first, so that plotly.js comes from the cache.
    """
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if warm:
        page.goto(url)
        page.wait_for_function("() => window.__plots >= 1", timeout=120_000)
    page.add_init_script(FIRST_PLOT)
    page.goto(url)
    page.wait_for_function("() => window.__firstPlot !== undefined", timeout=120_000)
    seconds = page.evaluate("window.__firstPlot") / 1000
    context.close()
    return seconds


if __name__ == "__main__":
    main()
