"""The demo's governance: reviews, a deprecation under way, a "not a duplicate" decision.

Called once at the end of the demo seed (:func:`catalog.seed.seed_demo`),
through the same services as the pages and the API, so each step is in the
history: the architect asks for changes on one proposed capability (whose
team then changes it, so it waits again), another waits untouched; the old
promotion rules get a sunset date, a replacement and their consumer teams'
migration statuses; and the architect decides that two look-alike capabilities
are not duplicates.
"""

import datetime as dt

import sqlalchemy as sa

from catalog import deprecation, reviews
from catalog.capabilities import get_capability, update_capability
from catalog.db import db
from catalog.duplicates import dismiss_duplicate
from catalog.models import Capability, User
from catalog.models._time import today

__all__ = ["seed_governance"]

#: (capability, sunset in days, replacement, {team: (status, note)}).
DEPRECATIONS = (
    ("legacy-promotion-rules", 75, "promotion-engine", {
        "trade-team": ("in-progress", ("Presale reads prices from the promotion engine; "
                                      "deposits next.")),
        "tmall-team": ("not-started", "Brand-store promotions move after the autumn sale."),
    }),
    ("legacy-member-profile", 40, "member-account", {
        "customer-service-team": ("done", "The agent desk reads member-account since June."),
    }),
)

#: Pairs that look alike but are not duplicates, and why (decided by the demo architect).
NOT_DUPLICATES = (
    ("commission-calculation", "tax-calculation",
     ("Commission is what the platform charges merchants per order; tax is what the law "
     "charges on the sale. Different rules, owners and auditors.")),
)


def seed_governance() -> None:
    """Add the demo's reviews, deprecation plans and "not a duplicate" decisions.

    The demo catalog must be seeded; a "not a duplicate" pair it lacks is skipped.
    """
    architect = db.session.scalar(sa.select(User).where(User.username == "architect"))
    reviews.decide("realtime-user-features", {
        "decision": "changes",
        "comment": "Name the feature store it reads and give a p99 latency target before "
                   "approval."}, architect)
    update_capability(get_capability("realtime-user-features"), {"sla_p99_ms": 30}, None)
    for slug, days, replacement, migrations in DEPRECATIONS:
        update_capability(get_capability(slug), {
            "sunset_on": today() + dt.timedelta(days=days), "replacement": replacement}, None)
        for team, (status, note) in migrations.items():
            deprecation.set_migration_status(slug, team, {"status": status, "note": note}, None)
    slugs = set(db.session.scalars(sa.select(Capability.slug)))
    for capability, other, reason in NOT_DUPLICATES:
        if {capability, other} <= slugs:
            dismiss_duplicate({"capability": capability, "other": other, "reason": reason},
                              architect)
