"""Demo and benchmark data, fed through the catalog's own writers.

:func:`seed_demo` tells the story of a small, realistic organisation (eight
businesses on one shared platform) through the catalog services, with the
clock set to the moment each step happened, so its history covers three
years; :func:`seed_scale` generates a catalog of any size with the same
organisation and feeds it to the Backstage and deliveries CSV importers, for
benchmarks. Neither writes a row by hand: they obey every rule a user's write
obeys and leave the same history. Both write everything in one transaction
and refuse to run on a catalog that already has capabilities.

The demo's organisation, capabilities and adoptions are data files in
``catalog/demo_data/``; the capabilities and adoptions are read when a seed
first needs them (:func:`demo_catalog`).

Demo dates are given in months before the day of seeding, so the demo always
shows adoptions over the last three years. The demo also records three years
of business deliveries (see :func:`reuse_count` and :func:`lead_time`): as
businesses reuse more capabilities their median lead time falls from about 90
days to about 20, except the slow business (:data:`SLOW_BUSINESS`, Fliggy),
which keeps building its own and stays at about 90.
"""

import bisect
import csv
import datetime as dt
import functools
import io
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from catalog import (
    accounts,
    adoptions,
    backstage,
    demo_governance,
    history,
    lookups,
    organisation,
    safe_yaml,
)
from catalog import capabilities as capability_service
from catalog import deliveries as deliveries_service
from catalog.db import db, transaction
from catalog.errors import ValidationFailed
from catalog.models import Business, Capability, Change, Domain, Team, User
from catalog.models._time import clock_at, today, utcnow
from catalog.seed_incubation import seed_incubation

NOT_EMPTY = "The catalog is not empty; seed into an empty database."

# -- the demo's data ----------------------------------------------------------

#: The demo's data files: the organisation, the capabilities and the adoptions.
DEMO_DATA = Path(__file__).parent / "demo_data"


def _load(name: str) -> Any:
    """Return the contents of the demo data file ``<name>.yaml``."""
    return safe_yaml.load((DEMO_DATA / f"{name}.yaml").read_text(encoding="utf-8"))


PROD, APPROVED, PROPOSED = "production", "approved", "proposed"
DEPRECATED, RETIRED = "deprecated", "retired"

_ORGANISATION = _load("organisation")
#: Teams, domains and businesses, as their services' forms take them (a team's
#: contact is added: <slug>@example.com).
TEAMS: list[dict[str, str]] = _ORGANISATION["teams"]
DOMAINS: list[dict[str, str]] = _ORGANISATION["domains"]
BUSINESSES: list[dict[str, str]] = _ORGANISATION["businesses"]
# (username, password, role, team slug or ""): demo accounts, printed at start-up.
DEMO_LOGINS: list[tuple[str, str, str, str]] = [
    (login["username"], login["password"], login["role"], login.get("team", ""))
    for login in _ORGANISATION["logins"]]
DEMO_DISPLAY_NAMES = {login["username"]: login["display_name"]
                      for login in _ORGANISATION["logins"]}

# (name, kind, version, status)
ApiRow = tuple[str, str, str, str]


class CapabilityRow(NamedTuple):
    slug: str
    name: str
    domain: str
    team: str
    tier: int
    lifecycle: str
    launched: int | None  # months before today; None while not launched
    sla: tuple[str, int | None] | None  # (availability %, p99 ms)
    tags: tuple[str, ...]
    summary: str
    apis: tuple[ApiRow, ...]
    deprecated: int | None = None  # months before today


def _capability_row(entry: dict[str, Any]) -> CapabilityRow:
    """Return a capability of the data file as a row."""
    sla = entry.get("sla")
    return CapabilityRow(
        slug=entry["slug"], name=entry["name"], domain=entry["domain"], team=entry["team"],
        tier=entry["tier"], lifecycle=entry["lifecycle"], launched=entry["launched"],
        sla=(sla["availability"], sla["p99_ms"]) if sla else None, tags=tuple(entry["tags"]),
        summary=entry["summary"],
        apis=tuple((api["name"], api["kind"], api["version"], api["status"])
                   for api in entry["apis"]),
        deprecated=entry.get("deprecated"))


class AdoptionRow(NamedTuple):
    business: str
    capability: str
    since: int  # months before today
    purpose: str
    until: int | None = None  # months before today


class DemoCatalog(NamedTuple):
    """The demo's capabilities and adoptions, as its data files state them."""

    capabilities: list[CapabilityRow]
    #: Markdown descriptions; the others get a short one made from the summary.
    descriptions: dict[str, str]
    #: Small OpenAPI 3 documents, by (capability slug, API name).
    specs: dict[tuple[str, str], str]
    #: Consumer -> its providers, each "slug" or "slug:kind" (see the data file).
    dependencies: dict[str, list[str]]
    adoptions: list[AdoptionRow]


@functools.cache
def demo_catalog() -> DemoCatalog:
    """Read the demo's capabilities and adoptions, once, when a seed first needs them.

    Not on import: every process imports this module (the command line, the
    deployment check) and the files cost about 70 ms to read.
    """
    entries = _load("capabilities")
    return DemoCatalog(
        capabilities=[_capability_row(entry) for entry in entries],
        descriptions={entry["slug"]: entry["description"]
                      for entry in entries if "description" in entry},
        specs={(entry["slug"], api["name"]): api["spec"]
               for entry in entries for api in entry["apis"] if "spec" in api},
        dependencies={entry["slug"]: entry["depends_on"]
                      for entry in entries if "depends_on" in entry},
        adoptions=[AdoptionRow(business, **entry)
                   for business, entries in _load("adoptions").items() for entry in entries])


# -- the demo deliveries ----------------------------------------------------------

# Three years of business features, generated with a fixed seed. The story they
# tell: as businesses adopt more of the platform, each feature reuses more
# capabilities and ships faster (median lead time falls from about 90 days to
# about 20), except Fliggy, which kept building its own and stayed slow.
DELIVERY_RANDOM_SEED = 2025
DELIVERY_DAYS = 3 * 365 + 1  # the demo's delivery history, up to today
DELIVERY_LEAD_IN = 150  # requests start this many days earlier, so the first quarter is whole
#: Deliveries per quarter of each business (Lingxi: since its first adoption).
DELIVERY_RATES: dict[str, int] = {"taobao": 12, "tmall": 10, "xianyu": 7, "youku": 6,
                                  "fliggy": 7, "eleme": 8, "hema": 7, "lingxi": 4}
#: The business that kept building its own: it reuses (almost) nothing and stays slow.
SLOW_BUSINESS = "fliggy"
DELIVERY_FEATURES = (
    "Gift cards at checkout", "Member-day flash sale", "Faster refunds", "Group-buy invites",
    "Coupon wallet redesign", "Instalments for big baskets", "Live-stream coupons",
    "Order tracking map", "New-user welcome pack", "Points for reviews", "Holiday campaign venue",
    "Cross-store spend-and-save", "Invoice download", "Price protection", "Buy-again shortcuts",
    "VIP perks page", "Seller chat bot", "Photo search", "Delivery time slots",
    "Real-name check for high-value orders", "Personalised home feed", "Push for back-in-stock",
    "Store membership cards", "Pre-sale deposits", "Family account sharing",
    "Overseas currency display", "Red envelope rain", "One-tap reorder", "Returns pick-up",
    "Merchant settlement report", "Bundle pricing", "Voice search", "Abandoned-cart reminders",
    "Loyalty tier badges", "Trade-in offers", "Gift wrapping option",
)
DELIVERY_SOURCES = (("csv", 70), ("form", 20), ("api", 10))


def reuse_count(rng: random.Random, progress: float, *, slow: bool = False) -> int:
    """Return how many capabilities a generated delivery reuses, ``progress`` from 0 to 1.

    Poisson distributed, with a mean growing from 0.1 three years ago to about
    5.3 today; the slow business reuses one capability in one delivery of eight.
    """
    if slow:
        return 1 if rng.random() < 0.12 else 0
    mean = 0.1 + 5.2 * min(max(progress, 0.0), 1.0) ** 1.4
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def lead_time(rng: random.Random, reused: int, *, slow: bool = False) -> int:
    """Return the lead time in days of a generated delivery that reused ``reused`` capabilities.

    About 98 days with nothing reused, 25 with three and 14 with five, times
    log-normal noise; about 90 days whatever happens for the slow business.
    """
    if slow:
        days = 90 * rng.lognormvariate(0, 0.12)
    else:
        days = (8 + 90 * math.exp(-0.55 * reused)) * rng.lognormvariate(0, 0.3)
    return max(2, round(days))


# -- generated catalogs -------------------------------------------------------

SCALE_RANDOM_SEED = 42
SCALE_HUBS = 20
SCALE_CYCLES_PER = 500  # one dependency turned back on itself per this many capabilities
SCALE_CYCLE_SPAN = 20  # ... between capabilities at most this far apart in the order
SCALE_BREAKS_PER = 1000  # one layering break per this many capabilities
# Share of generated capabilities per layer, deepest first (providers before consumers).
SCALE_LAYERS: list[tuple[str, float]] = [
    ("infrastructure", 0.25), ("data-platform", 0.2), ("business-platform", 0.5),
    ("frontend", 0.05),
]
SCALE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "storefronts": ("App", "Mini-Program", "Web", "Kiosk"),
    "membership": ("Member", "Loyalty", "Points", "VIP", "Benefit"),
    "product": ("Product", "SKU", "Category", "Listing", "Stock"),
    "transaction": ("Order", "Cart", "Checkout", "Refund", "Trade"),
    "marketing": ("Coupon", "Promotion", "Campaign", "Reward", "Reach"),
    "store": ("Store", "Merchant", "Shopfront", "Service"),
    "finance": ("Ledger", "Invoice", "Tax", "Credit", "Wallet"),
    "settlement": ("Settlement", "Payout", "Commission", "Clearing"),
    "user-profile": ("Profile", "Audience", "Identity", "Consent"),
    "recommendation": ("Feature", "Embedding", "Recall", "Ranking"),
    "bi": ("Dataset", "Metric", "Report", "Attribution"),
    "search": ("Search", "Index", "Query", "Suggest"),
    "messaging": ("Queue", "Event", "Push", "SMS"),
    "payment-gateway": ("Payment", "Card", "Acquiring", "Refund"),
    "compute": ("Container", "Cache", "Config", "Storage", "Batch"),
    "image": ("Image", "Thumbnail", "Media"),
    "voice": ("Speech", "Voice", "Call"),
}
SCALE_NOUNS = ("Pricing", "Routing", "Profile", "Ledger", "Index", "Feed", "Rules", "Sync",
               "Quota", "Audit", "Lookup", "Matching", "Scoring", "Archive", "Schedule")
SCALE_KINDS = ("Engine", "Service", "Gateway", "Center", "Hub", "Store", "Pipeline", "Adapter")
SCALE_TAGS = ("core", "realtime", "batch", "pii", "pci", "mobile", "web", "b2b", "b2c",
              "cross-border", "local-services", "events", "analytics", "ml", "compliance",
              "legacy", "high-traffic", "double-11", "internal", "public", "beta-program",
              "cost-sensitive", "multi-region", "self-service")
SCALE_API_KINDS = (("openapi", 50), ("grpc", 25), ("asyncapi", 15), ("graphql", 7), ("thrift", 3))
SCALE_API_LABELS = {"openapi": "REST API", "grpc": "gRPC service", "asyncapi": "events",
                    "graphql": "GraphQL API", "thrift": "Thrift service"}
SCALE_LIFECYCLES = ((PROD, 80), (APPROVED, 6), (PROPOSED, 6), (DEPRECATED, 6), (RETIRED, 2))
SCALE_BACKSTAGE_LIFECYCLES = {PROD: "production", APPROVED: "experimental",
                              PROPOSED: "experimental", DEPRECATED: "deprecated",
                              RETIRED: "deprecated"}
SCALE_API_LIFECYCLES = {"stable": "production", "beta": "experimental",
                        "deprecated": "deprecated"}


# -- public interface ---------------------------------------------------------


def catalog_is_empty() -> bool:
    """Return True when the catalog has no capabilities."""
    return db.session.scalar(sa.select(Capability.id).limit(1)) is None


def seed_demo() -> str:
    """Tell the demo's three years of history through the catalog services, in one transaction.

    Every team, capability, dependency, adoption and delivery is written by
    the service a user's form or the importer would call, with the catalog's
    clock set to the moment it happened (:func:`catalog.models._time.clock_at`):
    the shared platform registered :data:`HISTORY_MONTHS` months ago, new
    capabilities proposed, approved and launched since, business-built ones
    handed to platform teams, duplicated builds deprecated and retired, and
    businesses adopting more and more of the platform. So history, the
    changes feed and the catalog as of any date tell that story.

    Returns
    -------
    str
        A one-line report of what was created.

    Raises
    ------
    ValidationFailed
        The catalog already has capabilities; nothing is written.
    """
    return _in_one_transaction(_build_demo)


def seed_scale(n: int, deliveries: int | None = None) -> str:
    """Generate ``n`` capabilities (with APIs, dependencies, adoptions) for benchmarks.

    The organisation is the demo's; the catalog is random but the same for the
    same ``n``, written as Backstage descriptors and imported by the Backstage
    importer. ``deliveries`` business deliveries are added (default ``5 * n``:
    50,000 for 10,000 capabilities) over the last three years through the
    deliveries CSV importer, reusing the capabilities their business adopts.

    Raises
    ------
    ValidationFailed
        The catalog already has capabilities; nothing is written.
    """
    return _in_one_transaction(lambda: _build_scale(n, 5 * n if deliveries is None else deliveries))


# -- shared steps -------------------------------------------------------------


def _in_one_transaction(build: Callable[[], str]) -> str:
    """Refuse a non-empty catalog, run ``build`` as the seed, and commit once (or roll back)."""
    if not catalog_is_empty():
        raise ValidationFailed({"catalog": [NOT_EMPTY]})
    with history.provenance("seed"), transaction():
        return build()


def _add_organisation(*, skip: frozenset[str] = frozenset()) -> None:
    """Save the demo teams, domains and businesses through the services.

    Those in ``skip`` and those that already exist (a team made before the
    demo) are left as they are.
    """
    for model, rows, save in (
        (Team, [{**team, "contact": f"{team['slug']}@example.com"} for team in TEAMS],
         organisation.save_team),
        (Domain, [dict(domain) for domain in DOMAINS], organisation.save_domain),
        (Business, [dict(business) for business in BUSINESSES if business["slug"] not in skip],
         organisation.save_business),
    ):
        existing = lookups.by_slugs(model, [row["slug"] for row in rows])
        for row in rows:
            if row["slug"] not in existing:
                save(row, None)


def _report(counts: dict[str, int]) -> str:
    return "Seeded " + ", ".join(f"{count} {what}" for what, count in counts.items()) + "."


def _months_before(day: dt.date, months: int) -> dt.date:
    return day - dt.timedelta(days=round(months * 30.44))


# -- the demo -----------------------------------------------------------------

#: The demo's recorded history starts this many months ago: the shared platform
#: as it stood then is registered at once, and everything after is replayed.
HISTORY_MONTHS = 38
#: A capability launched within the history was proposed, then approved, this
#: many months before its launch.
PROPOSED_BEFORE_LAUNCH, APPROVED_BEFORE_LAUNCH = 3, 1
#: Capabilities still being built: registered (and approved) this many months ago.
PENDING_SINCE = {PROPOSED: (2, None), APPROVED: (7, 4)}
#: A retired capability was retired this many months after its deprecation.
RETIRED_AFTER = 6
#: Capabilities a business built and handed to a platform team:
#: (months ago, slug, the business team that built it).
HANDOVERS: list[tuple[int, str, str]] = [
    (28, "88vip-membership", "taobao-team"),
    (20, "points-center", "marketing-team"),
    (14, "red-envelope", "taobao-team"),
]
#: Lingxi, the incubating business, is created when its incubation starts.
INCUBATING = frozenset({"lingxi"})


class _Story:
    """Dated steps of the demo, told in order with the clock set to each moment."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.steps: list[tuple[dt.datetime, int, Callable[[], Any]]] = []

    def at(self, months: float | dt.date, step: Callable[[], Any], *, hour: int = 9) -> None:
        """Add ``step`` on the day ``months`` before today (or on that date)."""
        day = months if isinstance(months, dt.date) else _months_before(self.day, months)
        moment = dt.datetime.combine(min(day, self.day), dt.time(hour))
        self.steps.append((moment, len(self.steps), step))

    def tell(self) -> None:
        now = utcnow()
        for moment, order, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            # Steps of one moment are a second apart, so history keeps their order.
            with clock_at(min(moment + dt.timedelta(seconds=order % 3600), now)):
                step()


def _build_demo() -> str:
    day = today()
    story = _Story(day)
    start = HISTORY_MONTHS
    story.at(start, lambda: _add_organisation(skip=INCUBATING), hour=8)
    users = []
    story.at(start, lambda: users.append(_demo_users()), hour=8)
    registered: dict[str, float] = {}
    for row in demo_catalog().capabilities:
        registered[row.slug] = _plan_capability(story, row, start)
    dependencies = _plan_dependencies(story, registered)
    _plan_adoptions(story, registered)
    first_lingxi = max(row.since for row in demo_catalog().adoptions if row.business in INCUBATING) + 1
    for business in BUSINESSES:
        if business["slug"] in INCUBATING:
            story.at(first_lingxi, lambda b=business: organisation.save_business(dict(b), None),
                     hour=8)
    story.tell()
    demo_governance.seed_governance()
    deliveries = _record_deliveries(day)
    seed_incubation()
    counts = {
        "capabilities": len(demo_catalog().capabilities),
        "APIs": sum(len(row.apis) for row in demo_catalog().capabilities),
        "dependencies": dependencies,
        "adoptions": len(demo_catalog().adoptions),
        "businesses": len(BUSINESSES),
        "teams": len(TEAMS),
        "users": users[0],
    }
    open_count = sum(1 for _, _, row in deliveries if not row["delivered_on"])
    changes = db.session.scalar(sa.select(sa.func.count()).select_from(Change))
    return (f"{_report(counts)} Recorded {len(deliveries)} deliveries ({open_count} open) "
            f"and {changes:,} changes over {HISTORY_MONTHS} months of history.")


def _plan_capability(story: _Story, row: CapabilityRow, start: int) -> float:
    """Plan a capability's life: registration, lifecycle moves, handover; return when registered."""
    handover = next(((months, team) for months, slug, team in HANDOVERS if slug == row.slug),
                    None)
    first_team = handover[1] if handover else row.team
    data = _demo_capability_data(row, first_team)
    moves: list[tuple[float, dict[str, Any]]] = []
    if row.launched is None:
        registered, approved = PENDING_SINCE[row.lifecycle]
        data["lifecycle"] = PROPOSED
        if approved is not None:
            moves.append((approved, {"lifecycle": APPROVED}))
    elif row.launched >= start:
        registered = start
        data.update(lifecycle=PROD, launched_on=_months_before(story.day, row.launched))
    else:
        registered = min(row.launched + PROPOSED_BEFORE_LAUNCH, start)
        data["lifecycle"] = PROPOSED
        moves.append((min(row.launched + APPROVED_BEFORE_LAUNCH, start), {"lifecycle": APPROVED}))
        moves.append((row.launched, {"lifecycle": PROD}))
    if row.deprecated is not None:
        moves.append((row.deprecated, {"lifecycle": DEPRECATED}))
        if row.lifecycle == RETIRED:
            moves.append((row.deprecated - RETIRED_AFTER, {"lifecycle": RETIRED}))
    if handover is not None:
        moves.append((handover[0], {"team": row.team}))
    story.at(registered, lambda: capability_service.register_capability(data, None), hour=10)
    for months, change in moves:
        story.at(months, lambda c=change: _update(row.slug, c), hour=11)
    return registered


def _plan_dependencies(story: _Story, registered: dict[str, float]) -> int:
    """Add dependencies once both ends are registered, a consumer's new ones at once."""
    due: dict[tuple[float, str], list[dict[str, str]]] = {}
    for consumer, providers in demo_catalog().dependencies.items():
        for provider, kind in _parse_providers(providers):
            months = min(registered[consumer], registered[provider])
            due.setdefault((months, consumer), []).append(
                {"provider": provider, "kind": kind or _dependency_kind(provider)})
    for (months, consumer), rows in due.items():
        story.at(months, lambda c=consumer, r=rows: _add_dependencies(c, r), hour=12)
    return sum(len(rows) for rows in due.values())


def _add_dependencies(slug: str, rows: list[dict[str, str]]) -> None:
    capability = capability_service.get_capability(slug)
    kept = [{"provider": dep.provider.slug, "kind": dep.kind,
             "api": dep.api.name if dep.api else ""} for dep in capability.dependencies]
    capability_service.update_capability(capability, {"dependencies": kept + rows}, None)


def _plan_adoptions(story: _Story, registered: dict[str, float]) -> None:
    """Each business adopts on its day (not before the capability is registered)."""
    for row in demo_catalog().adoptions:
        # Recorded once the capability is in the catalog, dated as it happened.
        story.at(min(row.since, registered[row.capability]), lambda r=row: adoptions.adopt({
            "business": r.business, "capability": r.capability, "purpose": r.purpose,
            "since": _months_before(story.day, r.since)}, None), hour=13)
        if row.until is not None:
            story.at(row.until, lambda r=row: adoptions.end_adoption(
                (r.business, r.capability), _months_before(story.day, r.until)), hour=13)


def _update(slug: str, change: dict[str, Any]) -> None:
    capability_service.update_capability(capability_service.get_capability(slug), change,
                                         None)


def _demo_capability_data(row: CapabilityRow, team: str) -> dict[str, Any]:
    """Return the registration form of a demo capability, as a team would fill it in."""
    team_name = next(team["name"] for team in TEAMS if team["slug"] == row.team)
    docs_url = f"https://docs.example.com/capabilities/{row.slug}"
    return {
        "slug": row.slug, "name": row.name, "summary": row.summary,
        "description": demo_catalog().descriptions.get(row.slug)
        or f"{row.summary}\n\n**Adopting it:** read the [documentation]({docs_url}) and ask "
           f"the {team_name} team ({row.team}@example.com) for access.\n",
        "domain": row.domain, "team": team, "tier": row.tier, "docs_url": docs_url,
        "repo_url": f"https://git.example.com/{row.team}/{row.slug}",
        "sla_availability": row.sla[0] if row.sla else None,
        "sla_p99_ms": row.sla[1] if row.sla else None,
        "tags": list(row.tags),
        "apis": [{"name": name, "kind": kind, "version": version, "status": status,
                  "spec": demo_catalog().specs.get((row.slug, name), "")}
                 for name, kind, version, status in row.apis],
        "dependencies": [],
    }


def _parse_providers(providers: list[str]) -> list[tuple[str, str | None]]:
    """Split ``["a", "b:async"]`` into ``[("a", None), ("b", "async")]``."""
    parsed = []
    for item in providers:
        slug, _, kind = item.partition(":")
        parsed.append((slug, kind or None))
    return parsed


def _dependency_kind(provider: str) -> str:
    """Events for the messaging domain, data for the data platform, calls otherwise."""
    domain = next(row.domain for row in demo_catalog().capabilities if row.slug == provider)
    layer = next(entry["layer"] for entry in DOMAINS if entry["slug"] == domain)
    if domain == "messaging":
        return "async"
    return "data" if layer == "data-platform" else "sync"


def _demo_users() -> int:
    """Create the demo logins through the accounts service (keeping usernames taken); count them."""
    taken = set(db.session.scalars(sa.select(User.username)))
    created = 0
    for username, password, role, team in DEMO_LOGINS:
        if username in taken:
            continue
        created += 1
        accounts.create_user(username, password, role=role, team=team,
                             display_name=DEMO_DISPLAY_NAMES[username],
                             email=f"{username}@example.com")
    return created


def _record_deliveries(day: dt.date) -> list[tuple[str, dt.date, dict[str, Any]]]:
    """Record the generated deliveries as they happened: forms, API calls and quarterly CSVs.

    Returns the deliveries, each as ``(source, recorded on, row)``.
    """
    deliveries = _demo_deliveries(day)
    batches: dict[dt.date, list[dict[str, Any]]] = {}
    for source, recorded, row in deliveries:
        if source == "csv":
            quarter_end = _quarter_end(recorded)
            batches.setdefault(min(quarter_end, day), []).append(row)
            continue
        with clock_at(min(dt.datetime.combine(recorded, dt.time(15)), utcnow())):
            deliveries_service.record_delivery(
                {**row, "capabilities": row["capabilities"].split(";") if row["capabilities"]
                 else []}, None, source=source)
    for recorded, rows in sorted(batches.items()):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=deliveries_service.CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        with clock_at(min(dt.datetime.combine(recorded, dt.time(17)), utcnow())):
            report = deliveries_service.import_deliveries_csv(
                out.getvalue(), name=f"deliveries-{recorded.isoformat()}.csv")
        if not report.ok:
            raise report.as_error()
    return deliveries


def _quarter_end(day: dt.date) -> dt.date:
    month = (day.month - 1) // 3 * 3 + 3
    following = dt.date(day.year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _demo_deliveries(day: dt.date) -> list[tuple[str, dt.date, dict[str, Any]]]:
    """Generate the demo's deliveries; each reuses capabilities its business had adopted.

    Returns ``(source, day it is recorded, CSV row)`` for each: delivered ones
    are recorded on their delivery day, open ones on their request day.
    """
    rng = random.Random(DELIVERY_RANDOM_SEED)
    start = day - dt.timedelta(days=DELIVERY_DAYS)
    adopted: dict[str, list[AdoptionRow]] = {}
    for row in demo_catalog().adoptions:
        adopted.setdefault(row.business, []).append(row)
    deliveries = []
    for slug in sorted(DELIVERY_RATES):
        own = [(a.capability, _months_before(day, a.since),
                _months_before(day, a.until) if a.until is not None else None)
               for a in adopted.get(slug, [])]
        first = min(since for _, since, _ in own) if slug in INCUBATING else (
            start - dt.timedelta(days=DELIVERY_LEAD_IN))
        span = (day - first).days - 5
        slow = slug == SLOW_BUSINESS
        for i in range(round(DELIVERY_RATES[slug] * span / 91.3)):
            requested = first + dt.timedelta(days=rng.randint(0, span))
            available = [capability for capability, since, until in own
                         if since <= requested and (until is None or until > requested)]
            reused = min(reuse_count(rng, (requested - start).days / DELIVERY_DAYS, slow=slow),
                         len(available))
            delivered = requested + dt.timedelta(days=lead_time(rng, reused, slow=slow))
            title = rng.choice(DELIVERY_FEATURES)
            source = _weighted(rng, DELIVERY_SOURCES)
            chosen = rng.sample(available, reused)
            if delivered < start:
                continue  # before the demo's history
            done = delivered <= day
            deliveries.append((source, delivered if done else requested, {
                "business": slug, "title": title, "requested_on": requested.isoformat(),
                "delivered_on": delivered.isoformat() if done else "",
                "capabilities": ";".join(chosen), "external_ref": f"{slug.upper()}-{1001 + i}",
            }))
    return deliveries


# -- generated catalogs -------------------------------------------------------


class _ScaleBuilder:
    """A generated catalog as Backstage descriptors, made in topological order (providers first)."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.n = n
        self.rng = rng
        self.day = today()
        self.digits = max(4, len(str(n)))
        owners: dict[str, list[str]] = {}
        for row in demo_catalog().capabilities:
            owners.setdefault(row.domain, []).append(row.team)
        self.teams = {domain: sorted(set(teams)) for domain, teams in owners.items()}
        self.domains_by_layer: dict[str, list[tuple[str, str]]] = {}
        for domain in DOMAINS:
            if domain["slug"] in SCALE_SUBJECTS:
                self.domains_by_layer.setdefault(domain["layer"], []).append(
                    (domain["slug"], domain["name"]))
        self.businesses = [business["slug"] for business in BUSINESSES]
        per_layer = {layer: int(n * share) for layer, share in SCALE_LAYERS}
        per_layer["business-platform"] += n - sum(per_layer.values())
        self.layers = [layer for layer, _ in SCALE_LAYERS for _ in range(per_layer[layer])]
        self.capabilities: list[dict[str, Any]] = []
        self.apis: list[dict[str, Any]] = []
        self.adoptions: dict[str, list[tuple[dt.date, str]]] = {}
        self.dependencies: dict[int, dict[int, str]] = {}

    def build(self) -> None:
        for position, layer in enumerate(self.layers):
            self._add_capability(position, layer)
        self._add_dependencies()

    def documents(self) -> list[dict[str, Any]]:
        """Return the catalog as Backstage descriptors: systems, components, websites, APIs."""
        docs = [_descriptor("System", {"name": slug, "title": name}, {
            "owner": f"group:default/{self.teams[slug][0]}", "domain": f"domain:default/{slug}"})
            for layer in self.domains_by_layer.values() for slug, name in layer]
        for position, capability in enumerate(self.capabilities):
            providers = self.dependencies.get(position, {})
            slugs = {p: self.capabilities[p]["slug"] for p in providers}
            annotations = {
                "capability-portal/lifecycle": capability["lifecycle"],
                "capability-portal/tier": str(capability["tier"]),
                "capability-portal/sla-availability": capability["sla_availability"],
                "capability-portal/sla-p99-ms": str(capability["sla_p99_ms"]),
            }
            if capability["layer"] != "frontend":  # a frontend annotation makes a Business
                annotations["capability-portal/layer"] = capability["layer"]
            if providers:
                annotations["capability-portal/dependency-kinds"] = ",".join(
                    f"{slugs[p]}={kind}" for p, kind in sorted(providers.items()))
            docs.append(_descriptor("Component", {
                "name": capability["slug"], "title": capability["name"],
                "description": capability["summary"], "tags": capability["tags"],
                "links": [{"url": capability["docs_url"], "type": "docs"},
                          {"url": capability["repo_url"], "type": "repository"}],
                "annotations": annotations,
            }, {
                "type": "service", "lifecycle": SCALE_BACKSTAGE_LIFECYCLES[capability["lifecycle"]],
                "owner": f"group:default/{capability['team']}",
                "system": f"system:default/{capability['domain']}",
                "providesApis": [f"api:default/{api['name']}" for api in capability["apis"]],
                "dependsOn": [f"component:default/{slugs[p]}" for p in sorted(providers)],
            }))
            docs.extend(_descriptor("API", {
                "name": api["name"], "title": api["title"],
                "annotations": {"capability-portal/api-version": api["version"],
                                "capability-portal/api-definition": "none"},
            }, {"type": api["kind"], "lifecycle": api["lifecycle"],
                "owner": f"group:default/{capability['team']}",
                "definition": "# generated\n"}) for api in capability["apis"])
        for business in BUSINESSES:
            slug = business["slug"]
            adopted = sorted({capability for _, capability in self.adoptions.get(slug, [])})
            docs.append(_descriptor("Component", {
                "name": slug, "title": business["name"],
                "annotations": {"capability-portal/layer": "frontend",
                                "capability-portal/status": business["status"]},
            }, {"type": "website", "lifecycle": "production",
                "owner": f"group:default/{business['team']}",
                "dependsOn": [f"component:default/{capability}" for capability in adopted]}))
        return docs

    def deliveries_csv(self, count: int, rng: random.Random) -> str:
        """Return ``count`` deliveries over three years as CSV, reusing their business's adoptions."""
        for rows in self.adoptions.values():
            rows.sort()
        sinces = {b: [since for since, _ in rows] for b, rows in self.adoptions.items()}
        start = self.day - dt.timedelta(days=DELIVERY_DAYS)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(deliveries_service.CSV_COLUMNS)
        for i in range(count):
            business = rng.choice(self.businesses)
            requested = start + dt.timedelta(days=rng.randint(0, DELIVERY_DAYS - 5))
            available = bisect.bisect_right(sinces.get(business, []), requested)
            reused = min(reuse_count(rng, (requested - start).days / DELIVERY_DAYS), available)
            delivered = requested + dt.timedelta(days=lead_time(rng, reused))
            chosen = [self.adoptions[business][position][1]
                      for position in rng.sample(range(available), reused)]
            writer.writerow([business, rng.choice(DELIVERY_FEATURES), requested.isoformat(),
                             delivered.isoformat() if delivered <= self.day else "",
                             ";".join(chosen), f"GEN-{i + 1:07d}"])
        return out.getvalue()

    def _add_capability(self, position: int, layer: str) -> None:
        rng = self.rng
        domain, domain_name = rng.choice(self.domains_by_layer[layer])
        number = position + 1
        name = (f"{rng.choice(SCALE_SUBJECTS[domain])} {rng.choice(SCALE_NOUNS)} "
                f"{rng.choice(SCALE_KINDS)} {number:0{self.digits}d}")
        slug = name.lower().replace(" ", "-")
        lifecycle = _weighted(rng, SCALE_LIFECYCLES)
        capability = {
            "slug": slug, "name": name, "layer": layer, "domain": domain,
            "summary": f"{name}: a generated {domain_name} capability for benchmarks.",
            "tags": rng.sample(SCALE_TAGS, 3), "lifecycle": lifecycle,
            "team": rng.choice(self.teams[domain]), "tier": rng.choice((1, 2, 2, 3, 3, 3)),
            "docs_url": f"https://docs.example.com/capabilities/{slug}",
            "repo_url": f"https://git.example.com/generated/{slug}",
            "sla_availability": rng.choice(("99.9", "99.95", "99.99")),
            "sla_p99_ms": rng.choice((10, 20, 50, 100, 200, 500)),
            "apis": self._apis(slug, name, lifecycle),
        }
        self.capabilities.append(capability)
        if lifecycle in (PROD, DEPRECATED) and layer in ("frontend", "business-platform"):
            for business in rng.sample(self.businesses, rng.choice((0, 1, 1, 2, 2, 3))):
                self.adoptions.setdefault(business, []).append(
                    (self.day - dt.timedelta(days=rng.randint(0, 1095)), slug))

    def _apis(self, slug: str, name: str, lifecycle: str) -> list[dict[str, Any]]:
        versions: dict[str, int] = {}
        apis = []
        for _ in range(self.rng.randint(2, 5)):
            kind = _weighted(self.rng, SCALE_API_KINDS)
            versions[kind] = versions.get(kind, 0) + 1
            status = ("deprecated" if lifecycle in (DEPRECATED, RETIRED)
                      else "beta" if lifecycle != PROD
                      else self.rng.choice(("stable", "stable", "stable", "beta")))
            apis.append({"name": f"{slug}-{kind}-v{versions[kind]}",
                         "title": f"{name} {SCALE_API_LABELS[kind]} v{versions[kind]}",
                         "kind": kind, "version": f"v{versions[kind]}",
                         "lifecycle": SCALE_API_LIFECYCLES[status]})
        return apis

    def _add_dependencies(self) -> None:
        """About five providers each, earlier in the order, often one of a few hubs.

        A retired capability gains no dependants: the catalog refuses that.
        """
        rng = self.rng
        hubs = sorted(rng.sample(range(int(self.n * 0.4)), min(SCALE_HUBS, self.n // 10)))
        edges: set[tuple[int, int]] = set()
        for consumer in range(1, self.n):
            wanted = min(rng.randint(2, 8), consumer)
            eligible_hubs = [hub for hub in hubs if hub < consumer]
            providers: set[int] = set()
            for _ in range(wanted * 3):
                if len(providers) == wanted:
                    break
                if eligible_hubs and rng.random() < 0.3:
                    providers.add(rng.choice(eligible_hubs))
                else:
                    providers.add(rng.randrange(consumer))
            edges.update((consumer, provider) for provider in providers)
        # Turn a few short edges between non-hubs back: small cycles.
        short = sorted((consumer, provider) for consumer, provider in edges
                       if consumer - provider <= SCALE_CYCLE_SPAN and provider not in hubs)
        for consumer, provider in rng.sample(short, min(len(short), self.n // SCALE_CYCLES_PER)):
            edges.add((provider, consumer))
        # Let a few deep capabilities that nothing uses depend on the business platform:
        # layering breaks that cannot close a cycle.
        used = {provider for _, provider in edges}
        unused_deep = [position for position, layer in enumerate(self.layers)
                       if layer in ("data-platform", "infrastructure") and position not in used]
        business = [position for position, layer in enumerate(self.layers)
                    if layer == "business-platform"]
        if business:
            for consumer in rng.sample(unused_deep,
                                       min(len(unused_deep), self.n // SCALE_BREAKS_PER)):
                edges.add((consumer, rng.choice(business)))
        for consumer, provider in sorted(edges):
            kind = rng.choice(("sync", "sync", "sync", "async", "data"))
            if self.capabilities[provider]["lifecycle"] != RETIRED:
                self.dependencies.setdefault(consumer, {})[provider] = kind


def _descriptor(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": metadata,
            "spec": spec}


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _build_scale(n: int, deliveries: int) -> str:
    _add_organisation()
    _demo_users()
    builder = _ScaleBuilder(n, random.Random(SCALE_RANDOM_SEED))
    builder.build()
    report = backstage.import_documents(builder.documents(), name=f"generated-{n}")
    if not report.ok:
        raise report.as_error()
    recorded = 0
    if deliveries:
        delivered = deliveries_service.import_deliveries_csv(
            builder.deliveries_csv(deliveries, random.Random(DELIVERY_RANDOM_SEED)),
            name=f"generated-{n}-deliveries.csv")
        if not delivered.ok:
            raise delivered.as_error()
        recorded = delivered.deliveries
    counts = {
        "generated capabilities": n,
        "APIs": report.created["apis"],
        "dependencies": report.created["dependencies"],
        "adoptions": report.created["adoptions"],
        "businesses": len(BUSINESSES),
        "teams": len(TEAMS),
        "deliveries": recorded,
    }
    return _report(counts)
