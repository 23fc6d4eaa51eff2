"""The estate benchmark: issue 14's speed table, beside Backstage's figures and the limit.

Builds a catalog of ``--n`` capabilities, either by importing the shared
Backstage generator's catalog (``--workload backstage``, the default: the
workload Backstage was measured on) or with ``seed-demo --scale N``
(``--workload seed``), then prints for each row of the table the p50 and p95
of our answer, of its limit (the raw SQL it issues, replayed on a bare DBAPI
connection; a bare networkx BFS on the same DiGraph for the blast radius),
the ratio, Backstage's figure and the goal. Through the Flask test client:
the whole request (routing, auth hook, JSON) is timed, not the network.

Also: the import (time and peak memory of ``flask import-backstage`` in its
own process), the warm-up after a start, memory per worker after load (a
fresh process: app, graph and figures of the current revision), the pages of
the biggest hub painted in headless Chromium (cold and warm cache), and the
blast radius as a recursive CTE against networkx on the same data. Nothing is
asserted. Usage::

    python -m bench.estate [--workload backstage|seed] [--n 10000] [--repeat 30]
                           [--database-url URL_OF_AN_EMPTY_DATABASE] [--no-browser]
"""

import argparse
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import networkx as nx
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

from bench.common import p95, settle, timed
from bench.search import capture, replay
from catalog import seed
from catalog.db import db
from catalog.models import Capability, Team
from graphs.cache import catalog_graph
from portal import create_app
from portal.warmup import warm_up

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
#: Backstage catalog backend 0.19 / catalog-backend 4.0.5 on the generator's catalog
#: (10,030 components, seed 42), quiet machine of this size: issue 14.
BACKSTAGE = {
    "import": "208-291 s (PG), 341-604 s (SQLite)",
    "search": "26-29 ms (SQLite), 64-89 ms (PG)",
    "filtered list": "26-32 ms (PG)",
    "owner facets": "35-39 ms (PG)",
    "one by name": "1-5 ms",
    "blast radius": "335-398 ms (15 requests)",
    "memory": "0.3-1.8 GB",
}
GOALS = {"import": "<= 21 s, <= 300 MB", "search": "<= 13 ms, <= 3x raw SQL",
         "filtered list": "<= 8 ms", "owner facets": "<= 10 ms", "one by name": "<= 3 ms",
         "blast radius": "<= 35 ms, <= 3x BFS", "memory": "<= 300 MB",
         "page painted": "<= 1 s warm, <= 2 s cold"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=("backstage", "seed"), default="backstage")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--deliveries", type=int, help="deliveries of the seed (default 5 per capability)")
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite), "
                                               "or one already loaded: the load is skipped")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'estate.db'}"
        print(f"{args.workload} workload, {args.n:,} capabilities, {url.split(':')[0]}, "
              f"{os.cpu_count()} cores (shared machine: figures are noisy)\n")
        load(args.workload, args.n, url, Path(tmp), args.deliveries)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            settle()
        started = time.perf_counter()
        warm_up(app)
        print(f"warm-up after a start (graph and the figures of home, reuse, graph, governance): "
              f"{time.perf_counter() - started:.1f} s")
        first_requests(app)
        with app.app_context():
            rows, hub = queries(app, args.repeat)
            rows.append(memory_row(url))
            print_table(rows)
            cte_against_networkx(hub)
        if not args.no_browser:
            pages(app, hub, args.repeat)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def load(workload: str, n: int, url: str, tmp: Path, deliveries: int | None) -> None:
    """Create the schema and fill it: the Backstage import (own process) or the scale seed."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        if db.session.scalar(sa.select(sa.func.count(Capability.id))):
            print("the database already holds a catalog: not loaded again")
            workload = "loaded"
        elif workload == "seed":
            started = time.perf_counter()
            print(seed.seed_scale(n, deliveries=deliveries))
            print(f"seed-demo --scale {n}: {time.perf_counter() - started:.1f} s")
        db.session.remove()
        db.engine.dispose()
    if workload == "backstage":
        catalog = tmp / "catalog.yaml"
        subprocess.run([sys.executable, "-m", "bench.backstage_catalog", "--n", str(n),
                        "--seed", "42", "--out", str(catalog)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        env = {**os.environ, "DATABASE_URL": url}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "--app", "app", "import-backstage",
                        str(catalog)], check=True, cwd=ROOT, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KB on Linux
        print(f"import-backstage ({catalog.stat().st_size / 1e6:.0f} MB of YAML): {seconds:.1f} s, "
              f"peak {peak:.0f} MB   Backstage: {BACKSTAGE['import']}   goal: {GOALS['import']}")


def first_requests(app) -> None:
    """The first request to each heavy page after the warm-up, against the next one."""
    client = app.test_client()
    cells = []
    for path in ("/", "/reuse", "/governance", "/graph"):
        times = []
        for _ in range(2):
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append(time.perf_counter() - started)
        cells.append(f"{path} {times[0] * 1000:.0f} / {times[1] * 1000:.0f} ms")
    print("first request after the warm-up / the next: " + ", ".join(cells) + "\n")


def over(cases, repeat):
    """Time ``(request, raw)`` pairs; return every request time and every raw SQL time."""
    ours, raw = [], []
    for request, statements in cases:
        ours += timed(request, repeat)
        if statements is not None:
            raw += timed(lambda s=statements: replay(s), repeat)
    return ours, raw


def queries(app, repeat: int) -> tuple[list[tuple], str]:
    client = app.test_client()
    rng = random.Random(7)
    names = db.session.scalars(sa.select(Capability.name)).all()
    words = sorted({w.lower() for name in names for w in name.split() if len(w) > 4 and w.isalpha()})
    slugs = db.session.scalars(sa.select(Capability.slug)).all()
    teams = db.session.scalars(sa.select(Team.slug)).all()
    db.session.rollback()

    def case(path, headers=None):
        def request():
            response = client.get(path, headers=headers or {"Accept-Encoding": "identity"})
            assert response.status_code == 200, (path, response.status_code)
        statements = capture(request)
        return request, statements

    rows = []
    search = [case(f"/api/v1/capabilities?q={w}") for w in rng.sample(words, min(20, len(words)))]
    rows.append(("search", "GET /capabilities?q=<word> (20 words)", *over(search, repeat)))
    listed = [case(f"/api/v1/capabilities?lifecycle=production&team={t}")
              for t in rng.sample(teams, min(10, len(teams)))]
    rows.append(("filtered list", "?lifecycle=production&team=<t> (10)", *over(listed, repeat)))
    rows.append(("owner facets", "GET /facets?facet=team",
                 *over([case("/api/v1/facets?facet=team")], repeat)))
    one = [case(f"/api/v1/capabilities/{s}") for s in rng.sample(slugs, 20)]
    rows.append(("one by name", "GET /capabilities/<slug> (20 slugs)", *over(one, repeat)))

    G = catalog_graph()
    hub = max((n for n, kind in G.nodes(data="kind") if kind == "capability"), key=G.in_degree)
    slug = G.nodes[hub]["slug"]
    reverse = G.reverse(copy=False)
    bfs = timed(lambda: nx.single_source_shortest_path_length(reverse, hub), repeat)
    size = len(nx.single_source_shortest_path_length(reverse, hub)) - 1
    print(f"biggest hub: {slug}, {G.in_degree(hub):,} direct dependents, {size:,} in all")
    for label, encoding in (("uncompressed", "identity"), ("gzip", "gzip"),
                            ("zstd", "gzip, deflate, br, zstd")):
        request, _ = case(f"/api/v1/capabilities/{slug}/impact", {"Accept-Encoding": encoding})
        rows.append(("blast radius", f"impact of the hub, {label}", timed(request, repeat), bfs))
    body = client.get(f"/api/v1/capabilities/{slug}/impact").get_data()
    packed = client.get(f"/api/v1/capabilities/{slug}/impact",
                        headers={"Accept-Encoding": "gzip, deflate, br, zstd"}).get_data()
    print(f"blast radius answer: {len(body) / 1e6:.2f} MB, {len(packed) / 1e3:.0f} kB with zstd\n")
    return rows, slug


def memory_row(url: str) -> tuple:
    """RSS of a fresh process once the app, the graph and the figures of the revision are loaded."""
    script = ("import resource; from portal import create_app; from portal.warmup import warm_up\n"
              f"app = create_app({{'SQLALCHEMY_DATABASE_URI': {url!r}, 'SECRET_KEY': 'x'}})\n"
              "warm_up(app)\n"
              "rss = [l for l in open('/proc/self/status') if l.startswith('VmRSS')][0]\n"
              "print(int(rss.split()[1]) / 1024)")
    out = subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, text=True,
                         capture_output=True).stdout
    megabytes = float(out.strip().splitlines()[-1])
    return ("memory", "worker RSS after load (graph, figures)", megabytes)


def print_table(rows: list[tuple]) -> None:
    print(f"{'work':<14} {'what':<40} {'ours p50':>9} {'p95':>9} {'limit p50':>10} {'p95':>9}"
          f" {'ratio p50':>9} {'p95':>5}   Backstage (quiet) | goal")
    for row in rows:
        key, what = row[0], row[1]
        if key == "memory":
            print(f"{key:<14} {what[:40]:<40} {row[2]:>7.0f}MB {'':>9} {'':>10} {'':>9} {'':>9} "
                  f"{'':>5}   {BACKSTAGE[key]} | {GOALS[key]}")
            continue
        ours, limit = row[2], row[3]
        ms = [statistics.median(ours), p95(ours), statistics.median(limit), p95(limit)]
        print(f"{key:<14} {what[:40]:<40} " + " ".join(f"{v * 1000:7.2f}ms" for v in ms) +
              f" {ms[0] / ms[2]:8.1f}x {ms[1] / ms[3]:4.1f}x   {BACKSTAGE[key]} | {GOALS[key]}")
    print("limit: the raw SQL the request issues, replayed on a bare DBAPI connection; "
          "for the blast radius a bare networkx BFS on the same DiGraph.\n")


def cte_against_networkx(slug: str) -> None:
    """The blast radius of ``slug`` (capabilities only) as a recursive CTE and with networkx."""
    G = catalog_graph()
    capabilities = G.subgraph(n for n, kind in G.nodes(data="kind") if kind == "capability")
    reverse = capabilities.copy().reverse(copy=False)
    node = f"capability:{slug}"
    reach = (
        "WITH RECURSIVE hit(id) AS (SELECT id FROM capability WHERE slug = :slug "
        "UNION SELECT d.consumer_id FROM dependency d JOIN hit ON d.provider_id = hit.id) "
        "SELECT count(*) - 1 FROM hit")
    depth = ("WITH RECURSIVE hit(id, depth) AS (SELECT id, 0 FROM capability WHERE slug = :slug "
             "UNION SELECT d.consumer_id, hit.depth + 1 FROM dependency d JOIN hit "
             "ON d.provider_id = hit.id WHERE hit.depth < :depth) "
             "SELECT count(*) FROM (SELECT id, min(depth) FROM hit WHERE depth > 0 GROUP BY id) AS m")
    print(f"blast radius of {slug} over dependencies, p50 of 7 (the CTE cannot keep one row per "
          "node with its shortest distance without walking every path):")
    found = db.session.scalar(sa.text(reach), {"slug": slug})
    cte = statistics.median(timed(lambda: db.session.scalar(sa.text(reach), {"slug": slug}), 7))
    desc = statistics.median(timed(lambda: nx.descendants(reverse, node), 7))
    print(f"  reachability: recursive CTE {cte * 1000:8.1f} ms   networkx descendants "
          f"{desc * 1000:6.2f} ms   ({found:,} capabilities; ratio {cte / desc:5.1f}x)")
    for bound in (2, 3, 4):
        rows = db.session.scalar(sa.text(depth), {"slug": slug, "depth": bound})
        with_depth = statistics.median(timed(
            lambda b=bound: db.session.scalar(sa.text(depth), {"slug": slug, "depth": b}), 3))
        bfs = statistics.median(timed(lambda b=bound: nx.single_source_shortest_path_length(
            reverse, node, cutoff=b), 7))
        print(f"  distances to depth {bound}: CTE {with_depth * 1000:8.1f} ms   networkx BFS "
              f"{bfs * 1000:6.2f} ms   ({rows:,} capabilities; ratio {with_depth / bfs:5.1f}x)")
    db.session.rollback()
    print()


PAINT = """
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__lcp = e.startTime; })
  .observe({type: "largest-contentful-paint", buffered: true});
for (const [name, first] of [["__plots", "__firstPlot"], ["__previews", "__firstPreview"]]) {
  Object.defineProperty(window, name, {configurable: true,
    get() { return this["_" + name] || 0; },
    set(v) { this["_" + name] = v; if (v >= 1 && this[first] === undefined) this[first] = performance.now(); }});
}
"""


def pages(app, slug: str, repeat: int) -> None:
    """Navigation start -> largest contentful paint (pages) or the figure drawn (graph)."""
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    cases = [("impact of the biggest hub", f"/capabilities/{slug}/impact", "lcp"),
             ("its capability page", f"/capabilities/{slug}", "lcp"),
             ("focus graph on it: picture", f"/graph?focus={slug}&depth=1", "picture"),
             ("focus graph: plotly drawn", f"/graph?focus={slug}&depth=1", "plot")]
    print(f"headless Chromium 1280x900, navigation -> painted (median of {min(repeat, 7)}):")
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for label, path, until in cases:
                cold, warm, size = [], [], 0
                for _ in range(min(repeat, 7)):
                    context = chromium.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.add_init_script(PAINT)
                    for times in (cold, warm):  # first load: empty cache; then cached
                        response = page.goto(base + path)
                        size = len(response.body())
                        times.append(painted(page, until))
                    context.close()
                print(f"  {label:<28} cold {statistics.median(cold):5.2f} s   warm "
                      f"{statistics.median(warm):5.2f} s   ({size / 1e3:.0f} kB of HTML)   "
                      f"goal: {GOALS['page painted']}")
            chromium.close()
    finally:
        server.shutdown()
        thread.join()


def painted(page, until: str) -> float:
    """Seconds from navigation to the largest contentful paint (``lcp``), to the graph's
    first picture (its SVG preview or plotly's drawing, ``picture``) or to plotly's (``plot``)."""
    if until == "lcp":
        page.wait_for_load_state("load")
        page.wait_for_function("() => window.__lcp !== undefined", timeout=60_000)
        return page.evaluate("window.__lcp") / 1000
    page.wait_for_function("() => window.__firstPlot !== undefined", timeout=120_000)
    moments = page.evaluate("[window.__firstPreview, window.__firstPlot]")
    if until == "picture":
        return min(moment for moment in moments if moment is not None) / 1000
    return moments[1] / 1000

if __name__ == "__main__":
    main()
